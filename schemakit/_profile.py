"""What inference needs to know about an input, whatever kind of input it was.

Every input kind (pandas, Arrow, polars, a DuckDB relation, files on disk) is reduced by
``_sources`` to a :class:`Profile`: the Arrow schema after any widening across files, where nulls
occur, and the categories of dictionary columns. ``infer`` turns a Profile into a schema without
looking at the data again, which is what lets a dataset larger than memory be inferred.

Paths name a place inside a column's type: the column name first, then one step per level —
a struct child's field name, ``"[]"`` for list items, ``"{}"`` for map values, and inside a
union the union child's field name (a null in any child counts as a null of the union itself).
The walker always knows the type at each step, so a struct field that happens to be called
``"[]"`` is no ambiguity.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pyarrow as pa

__all__ = ["LIST_ITEM", "MAP_VALUE", "NullSite", "Path", "Profile"]

Path = tuple[str, ...]

LIST_ITEM = "[]"
MAP_VALUE = "{}"


@dataclass(frozen=True)
class NullSite:
    """Where the first null of a path was seen.

    ``row`` is the row index (0-based, counted over the whole input, or within ``file`` when a
    file is named); ``None`` when only statistics were read and the row is unknown.
    """

    row: int | None = None
    file: str | None = None

    def describe(self) -> str:
        """``"row 17"``, ``"row 3 of data/b.csv"``, ``"data/b.csv"`` or ``"an unknown row"``."""
        if self.row is not None and self.file is not None:
            return f"row {self.row} of {self.file}"
        if self.row is not None:
            return f"row {self.row}"
        if self.file is not None:
            return self.file
        return "an unknown row"


@dataclass(frozen=True)
class Profile:
    """An input reduced to what inference needs.

    Attributes
    ----------
    schema : pyarrow.Schema
        Column types, widened across files where the input had several.
    nulls : Mapping[Path, NullSite]
        Every path that holds at least one null, with where the first was seen. A path that is
        absent holds no nulls.
    symbols : Mapping[Path, tuple[str, ...]]
        For dictionary-typed paths (pandas Categorical, Arrow dictionary), the categories in
        order; inference turns them into enum symbols.
    original_names : Mapping[str, object]
        Column name in ``schema`` → the name as the input spelled it, where they differ (a
        pandas column labelled ``0`` becomes ``"0"`` in Arrow).
    num_rows : int or None
        Rows seen, when known.
    source : str
        A short description of the input for messages (``"pandas DataFrame"``, a path).
    """

    schema: pa.Schema
    nulls: Mapping[Path, NullSite] = field(default_factory=dict)
    symbols: Mapping[Path, tuple[str, ...]] = field(default_factory=dict)
    original_names: Mapping[str, object] = field(default_factory=dict)
    num_rows: int | None = None
    source: str = "data"
