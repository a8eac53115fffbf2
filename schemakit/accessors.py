"""pandas accessors: ``df.schemakit.infer(...)``, ``df.schemakit.encode(...)``,
``s.schemakit.decode(...)``. Thin delegates to :func:`schemakit.infer`,
:func:`schemakit.encode` and :func:`schemakit.decode`; importing schemakit registers them.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from schemakit.infer import infer
from schemakit.schema import Schema
from schemakit.serde import decode, encode

__all__ = ["DataFrameAccessor", "SeriesAccessor"]


@pd.api.extensions.register_dataframe_accessor("schemakit")
class DataFrameAccessor:
    """``df.schemakit``: infer this DataFrame's schema, or encode its rows.

    Examples
    --------
    >>> import pandas as pd
    >>> import schemakit as sk
    >>> df = pd.DataFrame({"n": [1, 2]})
    >>> df.schemakit.infer(name="Numbers")
    Schema(AVRO record Numbers, 1 field)
    """

    def __init__(self, frame: pd.DataFrame) -> None:
        self._frame = frame

    def infer(self, name: str = "Record", namespace: str | None = None, **options: Any) -> Schema:
        """:func:`schemakit.infer` of this DataFrame."""
        return infer(self._frame, name, namespace, **options)

    def encode(self, subject: str | None = None, **options: Any) -> pd.Series:
        """:func:`schemakit.encode` of this DataFrame's rows: a Series of records."""
        result: pd.Series = encode(self._frame, subject, **options)
        return result


@pd.api.extensions.register_series_accessor("schemakit")
class SeriesAccessor:
    """``s.schemakit``: decode a Series of wire-format records."""

    def __init__(self, series: pd.Series) -> None:
        self._series = series

    def decode(self, registry: Any = None, **options: Any) -> Any:
        """:func:`schemakit.decode` of this Series (its index is kept)."""
        return decode(self._series, registry, **options)
