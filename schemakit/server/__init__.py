"""Confluent Schema Registry REST API over a schemakit registry (``schemakit serve``).

Needs the ``server`` extra (FastAPI and uvicorn): ``pip install 'schemakit[server]'``.
docs/server.md lists the endpoints, error codes, modes, auth and limits.
"""

from schemakit._deps import optional_import

optional_import("fastapi", extra="server", purpose="The schemakit server (schemakit serve)")

from schemakit.server._auth import BasicAuth, load_users  # noqa: E402
from schemakit.server.app import DEFAULT_MAX_BODY_BYTES, SCHEMA_TYPES, create_app  # noqa: E402

__all__ = ["DEFAULT_MAX_BODY_BYTES", "SCHEMA_TYPES", "BasicAuth", "create_app", "load_users"]
