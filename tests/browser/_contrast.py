"""WCAG 2 contrast of rendered text, from the browser's computed styles.

The browser gives each element's ``color`` and the ``background-color`` of it and of every
ancestor; a translucent background is composited over the one behind it, up to an opaque one
(the canvas is white where nothing is opaque), and the text colour over the result. The
contrast ratio is WCAG's, from relative luminance.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from playwright.sync_api import Locator

#: WCAG 2 AA for normal text.
MIN_CONTRAST = 4.5

RGBA = tuple[float, float, float, float]  # channels 0..1

_NUMBER = r"([-+\d.e]+)"
_ALPHA = r"(?:\s*[,/]\s*([-+\d.e]+%?))?"
_RGB = re.compile(rf"rgba?\(\s*{_NUMBER}[,\s]+{_NUMBER}[,\s]+{_NUMBER}{_ALPHA}\s*\)")
_SRGB = re.compile(rf"color\(srgb\s+{_NUMBER}\s+{_NUMBER}\s+{_NUMBER}{_ALPHA}\s*\)")


def _alpha(text: str | None) -> float:
    if text is None:
        return 1.0
    return float(text[:-1]) / 100 if text.endswith("%") else float(text)


def parse(css: str) -> RGBA:
    """A computed colour (``rgb()``, ``rgba()`` or ``color(srgb …)``) as 0..1 channels."""
    css = css.strip()
    if match := _RGB.fullmatch(css):
        r, g, b = (float(v) / 255 for v in match.groups()[:3])
        return r, g, b, _alpha(match.group(4))
    if match := _SRGB.fullmatch(css):
        r, g, b = (min(max(float(v), 0.0), 1.0) for v in match.groups()[:3])
        return r, g, b, _alpha(match.group(4))
    raise ValueError(f"a computed colour this test cannot read: {css!r}")


def over(top: RGBA, below: RGBA) -> RGBA:
    """``top`` composited over the opaque ``below`` (source-over)."""
    a = top[3]
    r, g, b = (t * a + u * (1 - a) for t, u in zip(top[:3], below[:3], strict=True))
    return r, g, b, 1.0


def luminance(colour: RGBA) -> float:
    """WCAG relative luminance of an opaque colour."""

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in colour[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def ratio(one: RGBA, other: RGBA) -> float:
    """WCAG contrast ratio of two opaque colours, 1 to 21."""
    high, low = sorted((luminance(one), luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


WHITE: RGBA = (1.0, 1.0, 1.0, 1.0)


def backdrop(backgrounds: list[str]) -> RGBA:
    """What shows behind an element: its background and its ancestors' (element first)."""
    colour = WHITE
    for css in reversed(backgrounds):
        colour = over(parse(css), colour)
    return colour


@dataclass(frozen=True)
class Sample:
    """One element with text of its own: what it says, and the contrast it is drawn with."""

    where: str
    text: str
    colour: str
    background: RGBA
    contrast: float


#: For every visible element under the matched roots with a text node of its own: its text,
#: its colour and the backgrounds from it up to <html>.
_SAMPLE_JS = """roots => roots.flatMap(root => [root, ...root.querySelectorAll('*')]).filter(
  e => [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())
    && e.getClientRects().length > 0
).map(e => {
  const backgrounds = [];
  for (let x = e; x; x = x.parentElement) backgrounds.push(getComputedStyle(x).backgroundColor);
  const cls = typeof e.className === 'string' && e.className ? '.' + e.className.split(' ')[0] : '';
  return {where: e.tagName.toLowerCase() + cls, text: e.textContent.trim().slice(0, 60),
          colour: getComputedStyle(e).color, backgrounds};
})"""


def samples(roots: Locator) -> list[Sample]:
    """The text of every element ``roots`` matches, with its contrast (duplicates dropped)."""
    seen: set[tuple[str, str, str]] = set()
    found: list[Sample] = []
    for item in roots.evaluate_all(_SAMPLE_JS):
        key = (item["where"], item["text"], item["colour"] + "|".join(item["backgrounds"]))
        if key in seen:
            continue
        seen.add(key)
        background = backdrop(item["backgrounds"])
        text = over(parse(item["colour"]), background)
        found.append(
            Sample(item["where"], item["text"], item["colour"], background, ratio(text, background))
        )
    return found


def unreadable(found: list[Sample]) -> list[str]:
    """The samples under :data:`MIN_CONTRAST`, as lines for a failure message."""
    return [
        f"{s.contrast:.2f} {s.where} {s.text!r}: colour {s.colour} on "
        f"rgb{tuple(round(c * 255) for c in s.background[:3])}"
        for s in found
        if s.contrast < MIN_CONTRAST
    ]
