"""HTML for the widgets' parts: escaped (every value through :func:`schemakit._html.escape`),
bounded (rows and messages), self-contained (inline styles, no scripts, no URL but the raw
schema's own ``data:`` download).

The classes and ``data-*`` attributes written here are the stable selectors listed in
:mod:`schemakit.widgets`; browser tests and users who automate rely on them.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence

from schemakit._html import COLOURS, MAX_ROWS, escape
from schemakit._html import badge as _badge
from schemakit.widgets import _raw
from schemakit.widgets._model import (
    CandidateResult,
    DiffRow,
    LevelVerdict,
    Preview,
    SubjectData,
    VersionInfo,
)

__all__ = [
    "MAX_COLUMNS",
    "MAX_MESSAGES",
    "candidate_html",
    "diff_html",
    "error_html",
    "header_html",
    "levels_html",
    "preview_html",
    "raw_schema_html",
    "subjects_html",
    "timeline_html",
]

#: Messages listed per verdict before a "… more" line.
MAX_MESSAGES = 50
#: Columns of the preview shown before "… N more columns".
MAX_COLUMNS = 40
#: Characters of one cell value shown before it is cut with "…".
MAX_CELL = 80

# Every colour is a role of schemakit._html.COLOURS (JupyterLab's theme variables first).
GREEN = COLOURS["good"]
RED = COLOURS["bad"]
GREY = COLOURS["muted"]
_TABLE = "border-collapse:collapse;font-family:monospace;font-size:12px;margin:4px 0"
_CELL = f"border:1px solid {COLOURS['border']};padding:2px 6px;text-align:left;vertical-align:top"
#: Row tint by diff kind: additions green, removals red, docs and order neutral, others amber.
_KIND_COLOUR = {
    "added": COLOURS["tint-added"],
    "removed": COLOURS["tint-removed"],
    "doc": COLOURS["tint-neutral"],
    "order": COLOURS["tint-neutral"],
}
_CHANGED = COLOURS["tint-changed"]


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _cell(value: object, *, limit: int = MAX_CELL) -> str:
    """A value as short escaped text: JSON for lists and dicts, ``null`` for None."""
    if value is None:
        return f'<span style="color:{GREY}">null</span>'
    if isinstance(value, dt.datetime):
        text = value.isoformat(sep=" ")
    elif isinstance(value, list | dict | tuple):
        try:
            text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
        except (TypeError, ValueError):
            text = str(value)
    else:
        text = str(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return escape(text)


def _th(columns: Iterable[str]) -> str:
    return "".join(f'<th style="{_CELL}">{escape(c)}</th>' for c in columns)


def _td(content: str, style: str = "") -> str:
    return f'<td style="{_CELL};{style}">{content}</td>'


def _messages(messages: Sequence[str], *, kind: str = "sk-message") -> str:
    """Messages as ``<li class="sk-message">``, at most :data:`MAX_MESSAGES` of them."""
    shown = messages[:MAX_MESSAGES]
    items = "".join(f'<li class="{kind}">{escape(m)}</li>' for m in shown)
    if len(messages) > len(shown):
        items += f'<li class="sk-more">… {len(messages) - len(shown)} more</li>'
    return f'<ul style="margin:2px 0;padding-left:18px">{items}</ul>' if items else ""


def _more_row(hidden: int, span: int) -> str:
    if not hidden:
        return ""
    return f'<tr class="sk-more"><td colspan="{span}" style="{_CELL}">… {hidden} more</td></tr>'


def header_html(data: SubjectData) -> str:
    """The explorer's header: subject (``data-subject``), level and version counts."""
    live = len(data.live)
    deleted = len(data.versions) - live
    extra = f", {deleted} soft-deleted" if deleted else ""
    return (
        '<div style="font-family:sans-serif">'
        f'<b><span data-subject="{escape(data.subject)}">{escape(data.subject)}</span></b> '
        f'<span data-level="{escape(data.level)}">level {escape(data.level)}</span>, '
        f"{live} version{'' if live == 1 else 's'}{extra}</div>"
    )


def _time(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    return value.strftime("%Y-%m-%d %H:%M:%S UTC")


def _timeline_badge(data: SubjectData, info: VersionInfo) -> tuple[str, str]:
    """``(data-compatible, cell html)`` of one version's badge."""
    if info.compatible is None:
        return "na", f'<span style="color:{GREY}">first</span>'
    if info.compatible:
        return "true", _badge("✔ compatible", "good")
    messages = data.badge_messages(info.version)
    title = escape("\n".join(messages[:MAX_MESSAGES]))
    badge = f'<span title="{title}">{_badge("✘ incompatible", "bad")}</span>'
    details = (
        '<details class="sk-badge-details"><summary style="cursor:pointer;font-size:11px">'
        f"{len(messages)} message{'' if len(messages) == 1 else 's'}</summary>"
        f"{_messages(messages)}</details>"
    )
    return "false", badge + details


def timeline_html(data: SubjectData, page: int, page_size: int) -> str:
    """One page of the timeline, newest first: a ``tr.sk-version`` per version."""
    pages = data.page_count(page_size)
    rows: list[str] = []
    for info in data.page(page, page_size):
        compatible, badge = _timeline_badge(data, info)
        deleted = info.deleted
        style = f"color:{GREY};text-decoration:line-through" if deleted else ""
        mark = f" {_badge('deleted', 'neutral')}" if deleted else ""
        cells = (
            _td(f"v{info.version}{mark}")
            + _td(escape(info.id), style)
            + _td(escape(_time(info.registered_at)), style)
            + _td(escape(info.shape), style)
            + _td(badge)
        )
        rows.append(
            f'<tr class="sk-version" data-version="{info.version}" data-id="{info.id}" '
            f'data-compatible="{compatible}" data-deleted="{_bool(deleted)}">{cells}</tr>'
        )
    caption = (
        f"versions of {escape(data.subject)} under {escape(data.level)} — page {page + 1} of "
        f"{pages} (newest first)"
    )
    head = _th(("version", "id", "registered", "fields", "compatible with previous"))
    return (
        f'<table style="{_TABLE}" data-page="{page + 1}" data-pages="{pages}">'
        f'<caption style="text-align:left">{caption}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _direction(breaks: bool) -> str:
    return _badge("breaks", "bad") if breaks else f'<span style="color:{GREEN}">ok</span>'


def diff_html(rows: Sequence[DiffRow], a: int, b: int, *, max_rows: int = MAX_ROWS) -> str:
    """The diff A → B: a ``tr.sk-change`` per change, or ``.sk-no-changes``."""
    head = _th(("path", "change", "A", "B", "BACKWARD", "FORWARD"))
    body: list[str] = []
    for row in rows[:max_rows]:
        colour = _KIND_COLOUR.get(row.kind, _CHANGED)
        breaks = row.breaks_backward or row.breaks_forward
        edge = f"border-left:4px solid {RED if breaks else GREEN}"
        cells = (
            _td(escape(row.path or "(schema)"), edge)
            + _td(escape(row.label))
            + _td(_cell(row.old_text) if row.old is not None or row.kind != "added" else "")
            + _td(_cell(row.new_text) if row.new is not None or row.kind != "removed" else "")
            + _td(_direction(row.breaks_backward))
            + _td(_direction(row.breaks_forward))
        )
        body.append(
            f'<tr class="sk-change" style="background:{colour}" '
            f'data-path="{escape(row.pointer)}" data-kind="{escape(row.kind)}" '
            f'data-breaks-backward="{_bool(row.breaks_backward)}" '
            f'data-breaks-forward="{_bool(row.breaks_forward)}">{cells}</tr>'
        )
    body.append(_more_row(len(rows) - min(len(rows), max_rows), 6))
    if not rows:
        body.append(
            f'<tr><td colspan="6" style="{_CELL}"><span class="sk-no-changes">'
            f"no changes from v{a} to v{b}</span></td></tr>"
        )
    caption = f"v{a} → v{b}: {len(rows)} change{'' if len(rows) == 1 else 's'}"
    return (
        f'<table style="{_TABLE}" data-a="{a}" data-b="{b}">'
        f'<caption style="text-align:left">{escape(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def levels_html(verdicts: Sequence[LevelVerdict], a: int, b: int) -> str:
    """A → B under the seven levels: a ``tr[data-level]`` each, messages in ``li.sk-message``."""
    body: list[str] = []
    for verdict in verdicts:
        ok = verdict.compatible
        badge = _badge("✔ compatible", "good") if ok else _badge("✘ incompatible", "bad")
        notes = _messages(verdict.messages) + _messages(verdict.warnings, kind="sk-warning")
        body.append(
            f'<tr data-level="{escape(verdict.level)}" '
            f'data-compatible="{_bool(verdict.compatible)}">'
            f"{_td(escape(verdict.level))}{_td(badge)}{_td(notes)}</tr>"
        )
    caption = f"v{b} registered after v{a}, under each level"
    return (
        f'<table style="{_TABLE}" data-a="{a}" data-b="{b}">'
        f'<caption style="text-align:left">{escape(caption)}</caption>'
        f"<thead><tr>{_th(('level', 'verdict', 'messages'))}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def candidate_html(result: CandidateResult | None, subject: str) -> str:
    """The candidate's verdict: an element with ``data-compatible`` and its messages."""
    if result is None:
        return (
            f'<div style="font-family:sans-serif;color:{GREY}">paste an Avro schema and press '
            f"check: it is tested against {escape(subject)} as registering it would, without "
            "registering</div>"
        )
    if result.status == "true":
        badge = _badge(f"✔ compatible under {result.level}", "good")
    elif result.status == "false":
        badge = _badge(f"✘ incompatible under {result.level}", "bad")
    else:
        badge = _badge("✘ not a valid schema" if result.path is not None else "✘ error", "bad")
    where = (
        f' <span class="sk-path">at {escape(result.path or "/")}</span>'
        if result.path is not None
        else ""
    )
    return (
        f'<div data-compatible="{result.status}" style="font-family:sans-serif">'
        f"{badge}{where}{_messages(result.messages)}"
        f"{_messages(result.warnings, kind='sk-warning')}</div>"
    )


def preview_html(preview: Preview) -> str:
    """Rows written with A and read with B: ``table[data-writer][data-reader]``."""
    filled, dropped = set(preview.filled), set(preview.dropped)
    renamed = dict(preview.renamed)
    # bounded in columns too: the filled and dropped ones first, then B's others in order
    changed = [c for c in preview.columns if c in filled or c in dropped][:MAX_COLUMNS]
    room = MAX_COLUMNS - len(changed)
    kept = [c for c in preview.columns if c not in filled and c not in dropped][:room]
    chosen = set(changed) | set(kept)
    shown = [i for i, c in enumerate(preview.columns) if c in chosen]
    hidden_columns = len(preview.columns) - len(shown)
    heads: list[str] = []
    for column in (preview.columns[i] for i in shown):
        if column in filled:
            style, note = f"background:{_KIND_COLOUR['added']}", "filled from B's default"
            cls = "sk-filled"
        elif column in dropped:
            style, note = f"color:{GREY};text-decoration:line-through", "dropped by B"
            cls = "sk-dropped"
        elif column in renamed:
            style, note, cls = "", f"read from A's field {renamed[column]!r} (alias)", "sk-kept"
        else:
            style, note, cls = "", "", "sk-kept"
        title = f' title="{escape(note)}"' if note else ""
        heads.append(
            f'<th class="{cls}" data-column="{escape(column)}"{title} '
            f'style="{_CELL};{style}">{escape(column)}</th>'
        )
    body: list[str] = []
    if hidden_columns:
        heads.append(f'<th class="sk-more" style="{_CELL}">… {hidden_columns} more columns</th>')
    for row in preview.rows[:MAX_ROWS]:
        cells = []
        for column, value in ((preview.columns[i], row[i]) for i in shown):
            style = ""
            if column in filled:
                style = f"background:{_KIND_COLOUR['added']}"
            elif column in dropped:
                style = f"color:{GREY};text-decoration:line-through"
            cells.append(_td(_cell(value), style))
        if hidden_columns:
            cells.append(_td("…"))
        body.append(f"<tr>{''.join(cells)}</tr>")
    if preview.error is not None:
        body.append(
            f'<tr><td colspan="{max(1, len(shown) + bool(hidden_columns))}" style="{_CELL}">'
            f'<span class="sk-preview-error" style="color:{RED}">{escape(preview.error)}</span>'
            "</td></tr>"
        )
    notes: list[str] = []
    if preview.filled:
        notes.append("filled from defaults: " + ", ".join(preview.filled))
    if preview.dropped:
        notes.append("dropped: " + ", ".join(preview.dropped))
    caption = f"rows written with v{preview.writer}, read with v{preview.reader}"
    if notes:
        caption += " (" + "; ".join(notes) + ")"
    return (
        f'<table style="{_TABLE}" data-writer="{preview.writer}" '
        f'data-reader="{preview.reader}">'
        f'<caption style="text-align:left">{escape(caption)}</caption>'
        f"<thead><tr>{''.join(heads)}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def raw_schema_html(subject: str, info: VersionInfo, side: str) -> str:
    """A version's schema text, pretty and copyable, with a download link.

    ``div.sk-raw[data-side][data-version][data-id]`` holds ``pre.sk-raw-text`` (at most
    :data:`~schemakit.widgets._raw.MAX_SHOWN_CHARS` characters) and ``a.sk-raw-download``
    (a ``data:`` URL, up to :data:`~schemakit.widgets._raw.MAX_DOWNLOAD_BYTES`).
    """
    schema = info.schema
    text = _raw.pretty(schema.text)
    shown = text[: _raw.MAX_SHOWN_CHARS]
    name = _raw.filename(subject, info.version, schema.schema_type)
    size = len(text.encode("utf-8"))
    if size <= _raw.MAX_DOWNLOAD_BYTES:
        link = (
            f'<a class="sk-raw-download" download="{escape(name)}" '
            f'style="color:{COLOURS["link"]};text-decoration:underline" '
            f'href="{_raw.data_url(text)}">download {escape(name)}</a>'
        )
    else:
        link = (
            f'<span class="sk-raw-too-large">{size} bytes, too large to download from here: '
            f"registry.get_version({escape(repr(subject))}, {info.version}).schema.text</span>"
        )
    more = len(text) - len(shown)
    note = f'<div class="sk-more">… {more} more characters (download them)</div>' if more else ""
    pre = (
        f'<pre class="sk-raw-text" style="max-height:320px;overflow:auto;margin:2px 0;'
        "font-family:monospace;font-size:12px;line-height:1.35;padding:4px 6px;"
        f"border:1px solid {COLOURS['border']};"
        f'user-select:text">{escape(shown)}</pre>'
    )
    return (
        f'<div class="sk-raw" data-side="{escape(side)}" data-version="{info.version}" '
        f'data-id="{info.id}" data-schema-type="{escape(schema.schema_type)}">'
        f'<div style="font-family:sans-serif">{escape(side)} = v{info.version} (id {info.id}, '
        f"{escape(schema.schema_type)}): {link}</div>{pre}{note}</div>"
    )


def subjects_html(rows: Sequence[tuple[str, int, str]], total: int, matched: int) -> str:
    """The browser's subjects table: ``tr[data-subject][data-versions][data-level]``."""
    body = [
        f'<tr data-subject="{escape(s)}" data-versions="{n}" data-level="{escape(level)}">'
        f"{_td(escape(s))}{_td(escape(n))}{_td(escape(level))}</tr>"
        for s, n, level in rows
    ]
    body.append(_more_row(matched - len(rows), 3))
    caption = f"{matched} of {total} subjects"
    return (
        f'<table style="{_TABLE}"><caption style="text-align:left">{escape(caption)}</caption>'
        f"<thead><tr>{_th(('subject', 'versions', 'level'))}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def error_html(message: str) -> str:
    """A failure to show in place of a part (the part's own selector stays)."""
    return (
        f'<div class="sk-error" style="color:{RED};font-family:sans-serif">{escape(message)}</div>'
    )
