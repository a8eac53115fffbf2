"""Escaped, bounded HTML for every ``_repr_html_``: self-contained, no scripts, no CDN."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

from schemakit._bidi import escape_bidi

__all__ = ["MAX_ROWS", "escape", "table"]

MAX_ROWS = 200

_TABLE_STYLE = "border-collapse:collapse;font-family:monospace;font-size:12px"
_CELL_STYLE = "border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top"


def escape(value: object) -> str:
    """HTML-escape ``str(value)``, quotes included, bidi controls as ``\\uXXXX`` text."""
    return html.escape(escape_bidi("" if value is None else str(value)), quote=True)


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
