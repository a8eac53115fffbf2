"""The :class:`RegistryBrowser` widget: every subject, searchable; the one picked explored."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import traitlets

from schemakit.widgets import _render
from schemakit.widgets._explorer import EvolutionExplorer

if TYPE_CHECKING:
    from schemakit.registry import Registry

__all__ = ["RegistryBrowser"]


class RegistryBrowser(widgets.VBox):  # type: ignore[misc]
    """The subjects of a registry with a search box; picking one opens its explorer below.

    Parameters
    ----------
    registry : Registry
        The registry to read (never written to).
    max_rows : int, default 50
        Subjects listed in the table (with version counts and levels) before "… more"; the
        picker lists every match.
    page_size : int, default 20
        Versions per timeline page of the explorer opened.

    Attributes
    ----------
    query : str (trait)
        The search text: subjects containing it, ignoring case, are listed.
    selected : str or None (trait)
        The subject picked; its :class:`EvolutionExplorer` is ``explorer``.
    subjects : list of str
        Every subject with a live version, as read when built or last refreshed.
    explorer : EvolutionExplorer or None

    See Also
    --------
    EvolutionExplorer
    schemakit.Registry.explore : opens this widget with ``subject=None``.

    Notes
    -----
    The subject names are read once (and again by :meth:`refresh`); the version count and level
    of a subject are read the first time it is listed in the table, then kept.

    Examples
    --------
    >>> import schemakit as sk
    >>> reg = sk.Registry(":memory:")
    >>> for subject in ("orders-value", "payments-value", "orders-key"):
    ...     _ = reg.register(subject, '"string"')
    >>> browser = RegistryBrowser(reg)
    >>> browser.query = "ORDERS"
    >>> browser.subject_select.options
    ('orders-key', 'orders-value')
    >>> browser.selected = "orders-value"
    >>> browser.explorer
    EvolutionExplorer(subject='orders-value', A=1, B=1)
    """

    query = traitlets.Unicode("")
    selected = traitlets.Unicode(allow_none=True, default_value=None)

    def __init__(self, registry: Registry, *, max_rows: int = 50, page_size: int = 20) -> None:
        if isinstance(max_rows, bool) or not isinstance(max_rows, int) or max_rows < 1:
            raise ValueError(f"max_rows must be an int >= 1, not {max_rows!r}")
        self._registry = registry
        self._max_rows = max_rows
        self._page_size = page_size
        self._syncing = False
        self._facts: dict[str, tuple[int, str]] = {}
        self.subjects: list[str] = []
        self.explorer: EvolutionExplorer | None = None

        self.search = widgets.Text(
            placeholder="search subjects", continuous_update=True, layout={"width": "300px"}
        )
        self.search.add_class("sk-search")
        self.refresh_button = widgets.Button(description="refresh", layout={"width": "90px"})
        self.refresh_button.add_class("sk-refresh")
        self.subject_select = widgets.Select(rows=10, layout={"width": "300px"})
        self.subject_select.add_class("sk-subject-select")
        self.subjects_view = widgets.HTML()
        self.subjects_view.add_class("sk-subjects")
        self.detail = widgets.Box(layout={"width": "100%"})
        self.detail.add_class("sk-browser-detail")
        self.output = widgets.Output()
        self.output.add_class("sk-output")
        super().__init__(
            children=[
                widgets.HBox([self.search, self.refresh_button]),
                widgets.HBox([self.subject_select, self.subjects_view]),
                self.detail,
                self.output,
            ]
        )
        self.add_class("sk-browser")
        traitlets.link((self.search, "value"), (self, "query"))
        self.observe(self._on_query, names="query")
        self.observe(self._on_selected, names="selected")
        self.subject_select.observe(self._on_select, names="value")
        self.refresh_button.on_click(lambda _button: self.refresh())
        self.refresh()

    @property
    def matches(self) -> list[str]:
        """The subjects the search text matches (ignoring case), sorted."""
        needle = self.query.casefold()
        return [s for s in self.subjects if needle in s.casefold()]

    def refresh(self) -> None:
        """Read the subject names again (counts and levels are read again when listed)."""
        self.subjects = self._registry.subjects()
        self._facts.clear()
        self._show()

    def _fact(self, subject: str) -> tuple[int, str]:
        if subject not in self._facts:
            try:
                count = len(self._registry.versions(subject))
            except LookupError:  # deleted since the names were read
                count = 0
            self._facts[subject] = (count, self._registry.compatibility(subject))
        return self._facts[subject]

    def _show(self) -> None:
        matches = self.matches
        rows = [(s, *self._fact(s)) for s in matches[: self._max_rows]]
        self.subjects_view.value = _render.subjects_html(rows, len(self.subjects), len(matches))
        keep = self.selected if self.selected in matches else None
        self._syncing = True
        try:
            self.subject_select.options = matches
            self.subject_select.value = keep
        finally:
            self._syncing = False

    def _on_query(self, change: dict[str, Any]) -> None:
        with self.output:
            self._show()

    def _on_select(self, change: dict[str, Any]) -> None:
        if self._syncing or change["new"] is None:
            return
        self.selected = change["new"]

    @traitlets.validate("selected")
    def _valid_selected(self, proposal: dict[str, Any]) -> str | None:
        value = proposal["value"]
        if value is not None and value not in self.subjects:
            raise traitlets.TraitError(f"no subject {value!r} in {self._registry!r}")
        return value  # type: ignore[no-any-return]

    def _on_selected(self, change: dict[str, Any]) -> None:
        subject = change["new"]
        if subject is None:
            return
        if self.subject_select.value != subject and subject in self.subject_select.options:
            self._syncing = True
            try:
                self.subject_select.value = subject
            finally:
                self._syncing = False
        with self.output:
            if self.explorer is None:
                self.explorer = EvolutionExplorer(
                    self._registry, subject, page_size=self._page_size
                )
                self.detail.children = (self.explorer,)
            else:
                self.explorer.subject = subject

    def __repr__(self) -> str:
        return f"RegistryBrowser({self._registry!r}, {len(self.subjects)} subjects)"
