"""Escaped, bounded, theme-aware HTML for every ``_repr_html_``: self-contained, no scripts,
no CDN.

Every colour comes from :data:`COLOURS`: JupyterLab's theme variables (``--jp-*``) first, so
the output follows JupyterLab's light, dark or custom theme; where they are not defined (GitHub,
VS Code, nbviewer, a plain page), a fallback mixed from ``currentColor``, the page's own text
colour, so light and dark pages (``prefers-color-scheme`` included) both read well. Highlights
are translucent tints over whatever background is there, text keeps the theme's colour.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from typing import Literal

from schemakit._bidi import escape_bidi

__all__ = ["COLOURS", "MAX_ROWS", "Colour", "Tone", "badge", "escape", "table"]

MAX_ROWS = 200

#: What a colour is for; one spelling each.
Colour = Literal[
    "border",
    "muted",
    "good",
    "bad",
    "tint-added",
    "tint-removed",
    "tint-changed",
    "tint-neutral",
    "badge-good",
    "badge-bad",
    "badge-neutral",
    "badge-text",
    "badge-neutral-text",
    "link",
]
#: A badge's meaning.
Tone = Literal["good", "bad", "neutral"]

_TEXT = "var(--jp-content-font-color1, currentColor)"


def _tint(variable: str, fallback: str, percent: int) -> str:
    # translucent: the theme's background shows through, so the theme's text stays readable
    return f"color-mix(in srgb, var({variable}, {fallback}) {percent}%, transparent)"


def _ink(variable: str, fallback: str) -> str:
    # the hue pulled towards the theme's text colour: dark in a light theme, light in a dark one
    return f"color-mix(in srgb, var({variable}, {fallback}) 65%, {_TEXT})"


def _badge_fill(variable: str, fallback: str) -> str:
    # the hue darkened enough for white text in every theme (JupyterLab's dark greens are light)
    return f"color-mix(in srgb, var({variable}, {fallback}) 85%, black)"


#: The one colour table (CSS values). A browser test holds every text in the explorer to a
#: WCAG contrast of 4.5 under JupyterLab's light and dark themes and under a plain page.
COLOURS: dict[Colour, str] = {
    "border": "var(--jp-border-color2, color-mix(in srgb, currentColor 25%, transparent))",
    "muted": f"color-mix(in srgb, {_TEXT} 72%, transparent)",
    "good": _ink("--jp-success-color0", "#2e7d32"),
    "bad": _ink("--jp-error-color0", "#c62828"),
    "tint-added": _tint("--jp-success-color1", "#4caf50", 16),
    "tint-removed": _tint("--jp-error-color1", "#f44336", 16),
    "tint-changed": _tint("--jp-warn-color1", "#ff9800", 18),
    "tint-neutral": f"color-mix(in srgb, {_TEXT} 7%, transparent)",
    "badge-good": _badge_fill("--jp-success-color0", "#2e7d32"),
    "badge-bad": _badge_fill("--jp-error-color0", "#c62828"),
    "badge-neutral": "var(--jp-inverse-layout-color3, #616161)",
    "badge-text": "white",
    "badge-neutral-text": "var(--jp-ui-inverse-font-color0, white)",
    "link": "var(--jp-content-link-color, currentColor)",
}

_BADGE_STYLE = (
    "padding:1px 6px;border-radius:3px;font-family:sans-serif;font-size:11px;white-space:nowrap"
)
_BADGE_COLOURS: dict[Tone, tuple[Colour, Colour]] = {
    "good": ("badge-good", "badge-text"),
    "bad": ("badge-bad", "badge-text"),
    "neutral": ("badge-neutral", "badge-neutral-text"),
}

_TABLE_STYLE = "border-collapse:collapse;font-family:monospace;font-size:12px"
_CELL_STYLE = (
    f"border:1px solid {COLOURS['border']};padding:2px 6px;text-align:left;vertical-align:top"
)


def escape(value: object) -> str:
    """HTML-escape ``str(value)``, quotes included, bidi controls as ``\\uXXXX`` text."""
    return html.escape(escape_bidi("" if value is None else str(value)), quote=True)


def badge(text: str, tone: Tone) -> str:
    """``text`` (escaped) as a ``span.sk-badge`` coloured by ``tone``, readable in every theme."""
    fill, ink = _BADGE_COLOURS[tone]
    return (
        f'<span class="sk-badge" data-tone="{tone}" '
        f'style="{_BADGE_STYLE};background:{COLOURS[fill]};color:{COLOURS[ink]}">'
        f"{escape(text)}</span>"
    )


def table(
    columns: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    caption: str | None = None,
    max_rows: int = MAX_ROWS,
    raw_columns: frozenset[int] = frozenset(),
) -> str:
    """Render ``rows`` as an HTML table, escaping every cell and stopping after ``max_rows``.

    Cells of the column indexes in ``raw_columns`` are trusted HTML built by the caller from
    escaped parts (indentation, badges); every other cell is escaped here.
    """
    head = "".join(f'<th style="{_CELL_STYLE}">{escape(c)}</th>' for c in columns)
    body: list[str] = []
    shown = 0
    hidden = 0
    for row in rows:
        if shown >= max_rows:
            hidden += 1
            continue
        cells = "".join(
            f'<td style="{_CELL_STYLE}">{cell if i in raw_columns else escape(cell)}</td>'
            for i, cell in enumerate(row)
        )
        body.append(f"<tr>{cells}</tr>")
        shown += 1
    if hidden:
        body.append(
            f'<tr><td colspan="{len(columns)}" style="{_CELL_STYLE}">… {hidden} more rows</td></tr>'
        )
    cap = f"<caption style='text-align:left'>{escape(caption)}</caption>" if caption else ""
    return (
        f'<table style="{_TABLE_STYLE}">{cap}<thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )
