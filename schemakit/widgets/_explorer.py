"""The :class:`EvolutionExplorer` widget: how one subject's schema evolved."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import traitlets

from schemakit._html import escape
from schemakit.errors import SchemakitError
from schemakit.widgets import _raw, _render
from schemakit.widgets._model import (
    CandidateResult,
    DiffRow,
    LevelVerdict,
    Preview,
    SubjectData,
    check_candidate,
    diff_rows,
    level_verdicts,
    load_subject,
    make_preview,
    scratch_registry,
)

if TYPE_CHECKING:
    from schemakit.registry import Registry

__all__ = ["EvolutionExplorer"]

_PLACEHOLDER = '{"type": "record", "name": "…", "fields": [ … ]}'


def _title(text: str) -> widgets.HTML:
    return widgets.HTML(f'<b style="font-family:sans-serif">{text}</b>')


class EvolutionExplorer(widgets.VBox):  # type: ignore[misc]
    """How a subject's schema evolved: timeline, diff, levels, candidate check and preview.

    Parameters
    ----------
    registry : Registry
        The registry to read (never written to).
    subject : str
        The subject to show; change it later through the ``subject`` trait.
    page_size : int, default 20
        Versions per timeline page.
    sample : pandas.DataFrame or sequence of dict, optional
        Rows of version A for the preview, with columns (and keys) as the data spells them, as
        :func:`schemakit.encode` takes them (``schemakit.original_name`` where a field has one);
        default: rows generated from A's schema.
    preview_rows : int, default 5
        Rows in the preview.

    Attributes
    ----------
    subject : str (trait)
    A, B : int (traits)
        The versions compared (A is the writer, B the reader and the new version).
    page : int (trait)
        The timeline page, from 0 (the newest versions).
    data : SubjectData
        What was read for the subject (read once per subject selection).
    changes, verdicts, preview_model, candidate_model
        The view model of what is shown.
    raw_side : ipywidgets.ToggleButtons
        Whose schema text ``raw_view`` shows, ``"A"`` or ``"B"`` (pretty JSON, whitespace
        changed only, with a ``data:`` download link); :meth:`start_from_b` puts B's text in
        the candidate box.

    Raises
    ------
    SubjectNotFoundError
        The subject has no version at all.
    ImportError
        ipywidgets is not installed (``pip install 'schemakit[widgets]'``).

    See Also
    --------
    RegistryBrowser : every subject, with this explorer for the one picked.
    schemakit.Registry.explore : opens this widget.

    Notes
    -----
    The registry is read when the subject is selected (its level, its history and its schemas);
    picking versions, paging and rendering read nothing. Pressing "check" asks the registry
    once (:meth:`Registry.check`). The stable CSS classes and ``data-*`` attributes are listed
    in :mod:`schemakit.widgets`.

    Examples
    --------
    >>> import json
    >>> import schemakit as sk
    >>> reg = sk.Registry(":memory:")
    >>> v1 = {"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}]}
    >>> v2 = {**v1, "fields": [*v1["fields"], {"name": "b", "type": "string", "default": ""}]}
    >>> _ = reg.register("r-value", v1), reg.register("r-value", v2)
    >>> explorer = EvolutionExplorer(reg, "r-value")
    >>> explorer.A, explorer.B
    (1, 2)
    >>> [(c.pointer, c.kind, c.breaks_backward, c.breaks_forward) for c in explorer.changes]
    [('/fields/b', 'added', False, False)]
    >>> narrowed = {**v2, "fields": [{"name": "a", "type": "string"}]}
    >>> result = explorer.check(json.dumps(narrowed))
    >>> result.status, result.level
    ('false', 'BACKWARD')
    >>> print(result.messages[0])  # doctest: +ELLIPSIS
    a (/fields/0/type): reader type "string" cannot read writer type "int" ...
    """

    subject = traitlets.Unicode()
    A = traitlets.Int(allow_none=True, default_value=None)
    B = traitlets.Int(allow_none=True, default_value=None)
    page = traitlets.Int(0)

    def __init__(
        self,
        registry: Registry,
        subject: str,
        *,
        page_size: int = 20,
        sample: Any = None,
        preview_rows: int = 5,
    ) -> None:
        if isinstance(page_size, bool) or not isinstance(page_size, int) or page_size < 1:
            raise ValueError(f"page_size must be an int >= 1, not {page_size!r}")
        if isinstance(preview_rows, bool) or not isinstance(preview_rows, int) or preview_rows < 1:
            raise ValueError(f"preview_rows must be an int >= 1, not {preview_rows!r}")
        self._registry = registry
        self._sample = sample
        self._preview_rows = preview_rows
        self.page_size = page_size
        self._syncing = False
        self._scratch: Registry | None = None
        self.data: SubjectData | None = None
        self.changes: list[DiffRow] = []
        self.verdicts: list[LevelVerdict] = []
        self.preview_model: Preview | None = None
        self.candidate_model: CandidateResult | None = None

        self.header = widgets.HTML()
        self.header.add_class("sk-explorer-header")
        self.timeline = widgets.HTML()
        self.timeline.add_class("sk-timeline")
        self.timeline_prev = widgets.Button(description="◀ newer", layout={"width": "90px"})
        self.timeline_prev.add_class("sk-timeline-prev")
        self.timeline_next = widgets.Button(description="older ▶", layout={"width": "90px"})
        self.timeline_next.add_class("sk-timeline-next")
        self.picker_a = widgets.Dropdown(description="A (writer)", layout={"width": "200px"})
        self.picker_a.add_class("sk-picker-a")
        self.picker_b = widgets.Dropdown(description="B (reader)", layout={"width": "200px"})
        self.picker_b.add_class("sk-picker-b")
        self.diff_view = widgets.HTML()
        self.diff_view.add_class("sk-diff")
        self.levels_view = widgets.HTML()
        self.levels_view.add_class("sk-levels")
        self.candidate = widgets.Textarea(
            placeholder=_PLACEHOLDER, layout={"width": "100%", "height": "140px"}
        )
        self.candidate.add_class("sk-candidate")
        self.candidate_check = widgets.Button(description="check", button_style="primary")
        self.candidate_check.add_class("sk-candidate-check")
        self.candidate_from_b = widgets.Button(description="start from B")
        self.candidate_from_b.add_class("sk-candidate-from-b")
        self.candidate_result = widgets.HTML()
        self.candidate_result.add_class("sk-candidate-result")
        self.preview_view = widgets.HTML()
        self.preview_view.add_class("sk-preview")
        self.raw_side = widgets.ToggleButtons(options=["A", "B"], value="B")
        self.raw_side.add_class("sk-raw-side")
        self.raw_view = widgets.HTML()
        self.raw_view.add_class("sk-raw-schema")
        self.output = widgets.Output()
        self.output.add_class("sk-output")

        super().__init__(
            children=[
                self.header,
                _title("Versions"),
                self.timeline,
                widgets.HBox([self.timeline_prev, self.timeline_next]),
                _title("Compare"),
                widgets.HBox([self.picker_a, self.picker_b]),
                self.diff_view,
                _title("Raw schema"),
                self.raw_side,
                self.raw_view,
                _title("B registered after A, under each level"),
                self.levels_view,
                _title("Preview: rows written with A, read with B"),
                self.preview_view,
                _title("Check a candidate schema (not registered)"),
                self.candidate,
                widgets.HBox([self.candidate_check, self.candidate_from_b]),
                self.candidate_result,
                self.output,
            ]
        )
        self.add_class("sk-explorer")
        self.picker_a.observe(self._on_picker, names="value")
        self.picker_b.observe(self._on_picker, names="value")
        self.timeline_prev.on_click(self._on_prev)
        self.timeline_next.on_click(self._on_next)
        self.candidate_check.on_click(self._on_check)
        self.candidate_from_b.on_click(self._on_start_from_b)
        self.raw_side.observe(self._on_raw_side, names="value")
        self.observe(self._on_pair, names=["A", "B"])
        self.observe(self._on_page, names="page")
        # The first load raises (a subject that does not exist is the caller's error); later
        # subject changes show their errors in the header and the output.
        self._syncing = True
        try:
            self.subject = subject
        finally:
            self._syncing = False
        self._load()
        self.observe(self._on_subject, names="subject")

    # -- loading -----------------------------------------------------------------------------

    def _load(self) -> None:
        """Read the subject once and show everything."""
        data = load_subject(self._registry, self.subject)
        self.data = data
        a, b = data.default_pair()
        options = [(f"v{v.version}", v.version) for v in data.versions]
        self._syncing = True
        try:
            self.picker_a.options = options
            self.picker_b.options = options
            self.picker_a.value = a
            self.picker_b.value = b
            self.A, self.B = a, b
            self.page = 0
        finally:
            self._syncing = False
        self.candidate_model = None
        self.header.value = _render.header_html(data)
        self.candidate_result.value = _render.candidate_html(None, data.subject)
        self._show_timeline()
        self._show_pair()
        self._show_raw()

    def _on_subject(self, change: dict[str, Any]) -> None:
        with self.output:
            try:
                self._load()
            except (SchemakitError, LookupError) as exc:
                self.data = None
                self.header.value = (
                    f'<span data-subject="{escape(self.subject)}"></span>'
                    + _render.error_html(str(exc))
                )
                for part in (self.timeline, self.diff_view, self.levels_view, self.preview_view):
                    part.value = ""
                self.raw_view.value = ""

    # -- the timeline ------------------------------------------------------------------------

    def _show_timeline(self) -> None:
        if self.data is None:
            return
        pages = self.data.page_count(self.page_size)
        self.timeline.value = _render.timeline_html(self.data, self.page, self.page_size)
        self.timeline_prev.disabled = self.page <= 0
        self.timeline_next.disabled = self.page >= pages - 1

    def _on_page(self, change: dict[str, Any]) -> None:
        if self._syncing:
            return
        with self.output:
            self._show_timeline()

    @traitlets.validate("page")
    def _valid_page(self, proposal: dict[str, Any]) -> int:
        value = int(proposal["value"])
        pages = 1 if self.data is None else self.data.page_count(self.page_size)
        return min(max(value, 0), pages - 1)

    def _on_prev(self, _button: Any) -> None:
        self.page -= 1

    def _on_next(self, _button: Any) -> None:
        self.page += 1

    # -- the pair A → B ----------------------------------------------------------------------

    def _on_picker(self, change: dict[str, Any]) -> None:
        if self._syncing or change["new"] is None:
            return
        if change["owner"] is self.picker_a:
            self.A = change["new"]
        else:
            self.B = change["new"]

    @traitlets.validate("A", "B")
    def _valid_version(self, proposal: dict[str, Any]) -> int | None:
        value = proposal["value"]
        if value is None or self.data is None:
            return value  # type: ignore[no-any-return]
        self.data.get(value)  # KeyError naming the version when there is no such one
        return int(value)

    def _on_pair(self, change: dict[str, Any]) -> None:
        if self._syncing:
            return
        self._syncing = True
        try:
            self.picker_a.value = self.A
            self.picker_b.value = self.B
        finally:
            self._syncing = False
        with self.output:
            self._show_pair()
            self._show_raw()

    def _show_pair(self) -> None:
        data, a, b = self.data, self.A, self.B
        if data is None or a is None or b is None:
            return
        info_a, info_b = data.get(a), data.get(b)
        self.changes = diff_rows(info_a.schema, info_b.schema)
        self.diff_view.value = _render.diff_html(self.changes, a, b)
        self.verdicts = level_verdicts(data, a, b)
        self.levels_view.value = _render.levels_html(self.verdicts, a, b)
        if self._scratch is None:
            self._scratch = scratch_registry()
        self.preview_model = make_preview(
            info_a, info_b, sample=self._sample, rows=self._preview_rows, scratch=self._scratch
        )
        self.preview_view.value = _render.preview_html(self.preview_model)

    # -- the raw schema --------------------------------------------------------------------

    def _show_raw(self) -> None:
        data, a, b = self.data, self.A, self.B
        if data is None or a is None or b is None:
            return
        side = self.raw_side.value
        info = data.get(a if side == "A" else b)
        self.raw_view.value = _render.raw_schema_html(data.subject, info, side)
        self.candidate_from_b.description = f"start from B (v{b})"

    def _on_raw_side(self, change: dict[str, Any]) -> None:
        with self.output:
            self._show_raw()

    def start_from_b(self) -> str:
        """Put version B's schema (pretty JSON) in the candidate box, as the button does.

        The previous verdict is cleared: it was for another text.

        Returns
        -------
        str
            The text now in the box.
        """
        if self.data is None or self.B is None:
            return str(self.candidate.value)
        text = _raw.pretty(self.data.get(self.B).schema.text)
        self.candidate.value = text
        self.candidate_model = None
        self.candidate_result.value = _render.candidate_html(None, self.subject)
        return text

    def _on_start_from_b(self, _button: Any) -> None:
        with self.output:
            self.start_from_b()

    # -- the candidate -----------------------------------------------------------------------

    def check(self, text: str | None = None) -> CandidateResult:
        """Check ``text`` (default: the text box) against the subject, as the button does.

        Returns
        -------
        CandidateResult
            ``status`` is ``"true"``, ``"false"`` or ``"error"`` (with the parse error's path).
        """
        if text is not None:
            self.candidate.value = text
        data = self.data
        level = data.level if data is not None else "BACKWARD"
        # a candidate is read as the subject's schema type (a JSON Schema subject takes JSON)
        schema_type = data.versions[-1].schema.schema_type if data is not None else "AVRO"
        result = check_candidate(
            self._registry, self.subject, self.candidate.value, level=level, schema_type=schema_type
        )
        self.candidate_model = result
        self.candidate_result.value = _render.candidate_html(result, self.subject)
        return result

    def _on_check(self, _button: Any) -> None:
        with self.output:
            self.check()

    def close(self) -> None:
        """Close the widget and the preview's private in-memory registry."""
        scratch = getattr(self, "_scratch", None)  # None too when __init__ did not finish
        if scratch is not None:
            scratch.close()
            self._scratch = None
        super().close()

    def __repr__(self) -> str:
        return f"EvolutionExplorer(subject={self.subject!r}, A={self.A}, B={self.B})"
