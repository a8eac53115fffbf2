"""The rule a decoded Arrow array must keep: no null where its type says never null."""

from __future__ import annotations

import pyarrow as pa


def required_nulls(arr: pa.Array, nullable: bool, path: str = "") -> list[str]:
    """Paths under which ``arr`` holds a null where its type says the field is never null.

    Every child slot counts, under a null parent too (``arr.values``, not the flattened
    items). A union without a ``"null"`` branch holds no null in any branch.
    """
    dtype = arr.type
    found = [path or "."] if not nullable and arr.null_count else []
    if pa.types.is_struct(dtype):
        for i in range(dtype.num_fields):
            f = dtype.field(i)
            found += required_nulls(arr.field(i), f.nullable, f"{path}.{f.name}")
    elif pa.types.is_map(dtype):
        found += required_nulls(arr.values, False, f"{path}{{}}")
    elif pa.types.is_list(dtype):
        found += required_nulls(arr.values, dtype.value_field.nullable, f"{path}[]")
    elif pa.types.is_union(dtype):
        for i in range(dtype.num_fields):
            found += required_nulls(arr.field(i), nullable, f"{path}/{i}")
    return found
