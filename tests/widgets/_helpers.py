"""Helpers of the widget tests: a subject's history, a counting registry, and an HTML reader for
the selectors the widgets render (tests/browser checks the same selectors in chromium)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from schemakit.registry import Registry

STATUS = {"type": "enum", "name": "Status", "symbols": ["NEW", "PAID"]}
CUSTOMER = {
    "type": "record",
    "name": "Customer",
    "fields": [{"name": "name", "type": "string"}, {"name": "tier", "type": "int"}],
}
V1 = [
    {"name": "id", "type": "long"},
    {"name": "amount", "type": "double"},
    {"name": "status", "type": STATUS},
]
V2 = [*V1, {"name": "currency", "type": "string", "default": "EUR"}]
V3 = [*V2, {"name": "note", "type": ["null", "string"], "default": None}]
V4 = [{"name": "id", "type": "string"}, *V3[1:]]
V5 = [
    *V4[:2],
    {"name": "status", "type": {**STATUS, "symbols": ["NEW", "PAID", "SHIPPED"]}},
    *V4[3:],
    {"name": "customer", "type": ["null", CUSTOMER], "default": None},
]
SUBJECT = "orders-value"


def order(fields: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"type": "record", "name": "Order", "namespace": "shop", **extra, "fields": fields}


def fill(registry: Registry) -> Registry:
    """orders-value v1…v5 (v3 soft-deleted, v4 incompatible with v2), and two more subjects."""
    registry.set_compatibility("NONE", subject=SUBJECT)
    for fields in (V1, V2, V3, V4, V5):
        registry.register(SUBJECT, order(fields))
    registry.delete_version(SUBJECT, 3)
    registry.set_compatibility("BACKWARD", subject=SUBJECT)
    registry.register("payments-key", '"string"')
    email = {"name": "email", "type": "string", "default": ""}
    for fields in (CUSTOMER["fields"], [*CUSTOMER["fields"], email]):
        registry.register(
            "customers-value", {"type": "record", "name": "Customer", "fields": fields}
        )
    return registry


class _CountingBackend:
    """The registry's real backend, counting the calls made to it by name."""

    def __init__(self, backend: Any, calls: Counter[str]) -> None:
        self._inner = backend
        self._calls = calls

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._inner, name)
        if not callable(value):
            return value

        def counted(*args: Any, **kwargs: Any) -> Any:
            self._calls[name] += 1
            return value(*args, **kwargs)

        return counted


class CountingRegistry(Registry):
    """A real DuckDB registry that counts the reads the widgets make.

    ``calls`` counts the facade's read methods the widgets use; ``backend`` counts every call
    that reaches the store (what costs a query, or an HTTP request on a remote registry).
    """

    def __init__(self, location: str | Path) -> None:
        super().__init__(location)
        self.calls: Counter[str] = Counter()
        self.backend: Counter[str] = Counter()
        self._inside = False
        self._backend = _CountingBackend(self._backend, self.backend)  # type: ignore[assignment]

    def reset(self) -> None:
        self.calls.clear()
        self.backend.clear()

    def _counted(self, name: str, call: Callable[[], Any]) -> Any:
        """Count ``name`` when the caller is outside the registry (not one method calling
        another, as ``history`` calls ``compatibility``)."""
        outer = not self._inside
        if outer:
            self.calls[name] += 1
        self._inside = True
        try:
            return call()
        finally:
            if outer:
                self._inside = False

    def compatibility(self, *args: Any, **kwargs: Any) -> Any:
        return self._counted(
            "compatibility",
            lambda: super(CountingRegistry, self).compatibility(*args, **kwargs),
        )

    def history(self, subject: str) -> Any:
        return self._counted("history", lambda: super(CountingRegistry, self).history(subject))

    def get_by_id(self, schema_id: int) -> Any:
        return self._counted(
            "get_by_id", lambda: super(CountingRegistry, self).get_by_id(schema_id)
        )

    def check(self, *args: Any, **kwargs: Any) -> Any:
        return self._counted("check", lambda: super(CountingRegistry, self).check(*args, **kwargs))

    def subjects(self, *args: Any, **kwargs: Any) -> Any:
        return self._counted(
            "subjects", lambda: super(CountingRegistry, self).subjects(*args, **kwargs)
        )

    def versions(self, *args: Any, **kwargs: Any) -> Any:
        return self._counted(
            "versions", lambda: super(CountingRegistry, self).versions(*args, **kwargs)
        )


@dataclass
class Element:
    """One element of rendered HTML: its tag, attributes and the text inside it."""

    tag: str
    attrs: dict[str, str]
    text: str = ""
    children: list[Element] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def find(self, tag: str | None = None, *, cls: str | None = None, **data: str) -> list[Element]:
        """Descendants (self included) with this tag, class and ``data-*`` attributes
        (``data_version="2"`` matches ``data-version="2"``)."""
        found: list[Element] = []
        wanted = {"data-" + k.removeprefix("data_").replace("_", "-"): v for k, v in data.items()}
        for element in self.walk():
            if tag is not None and element.tag != tag:
                continue
            if cls is not None and cls not in element.classes:
                continue
            if any(element.attrs.get(k) != v for k, v in wanted.items()):
                continue
            found.append(element)
        return found

    def walk(self) -> Iterator[Element]:
        yield self
        for child in self.children:
            yield from child.walk()


_VOID = {"br", "hr", "img", "input", "meta", "link", "col", "area", "base", "wbr"}


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(element)
        if tag not in _VOID:
            self.stack.append(element)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return
        raise AssertionError(f"unbalanced </{tag}>")

    def handle_data(self, data: str) -> None:
        for element in self.stack:
            element.text += data


def html(text: str) -> Element:
    """Parse rendered HTML; fails on an end tag without its start (unbalanced markup)."""
    reader = _Reader()
    reader.feed(text)
    reader.close()
    assert len(reader.stack) == 1, f"unclosed elements: {[e.tag for e in reader.stack[1:]]}"
    return reader.root
