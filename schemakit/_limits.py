"""Bounds on input that more than one entry point shares (imports nothing).

One constant per bound, read by every door it guards, so the server and the CLI cannot drift.
"""

from __future__ import annotations

__all__ = ["DEFAULT_MAX_BODY_BYTES"]

#: The largest schema text schemakit reads: the default bound on a request body of
#: ``schemakit serve`` (``--max-body-bytes``) and the bound on a schema file given to the CLI.
#: Far above any real schema, far below harm.
DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024
