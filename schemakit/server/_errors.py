"""Confluent-style error bodies: ``{"error_code": int, "message": str}``, from one place.

Every answer the server gives for a failure goes through :func:`error_response`: schemakit
errors carry their code and status (from :data:`schemakit.errors.ERROR_CODES`); plain HTTP
failures (unknown route, wrong method, body too large, unauthorized) use the HTTP status as the
error code, as Confluent's REST layer does (``{"error_code": 404, "message": "HTTP 404 Not
Found"}``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from starlette.responses import JSONResponse, Response

from schemakit.errors import ERROR_CODES, SchemakitError

__all__ = [
    "CONTENT_TYPE",
    "RawSchemaResponse",
    "RegistryJSONResponse",
    "error_body",
    "error_response",
    "raw_error",
]

#: The media type of every answer, as Confluent's registry sends it.
CONTENT_TYPE = "application/vnd.schemaregistry.v1+json"


class RegistryJSONResponse(JSONResponse):
    """JSON in Confluent's media type. Non-ASCII is escaped, so any text encodes safely."""

    media_type = CONTENT_TYPE

    def render(self, content: Any) -> bytes:
        return json.dumps(
            content, ensure_ascii=True, allow_nan=False, separators=(",", ":")
        ).encode("ascii")


class RawSchemaResponse(Response):
    """A schema document itself (``…/schema`` endpoints), in Confluent's media type."""

    media_type = CONTENT_TYPE


def error_body(error_code: int, message: str) -> dict[str, Any]:
    """The body Confluent answers a failure with."""
    return {"error_code": int(error_code), "message": str(message)}


def raw_error(
    status: int, error_code: int, message: str, headers: Mapping[str, str] | None = None
) -> Response:
    """A failure answer with an explicit HTTP status."""
    return RegistryJSONResponse(
        error_body(error_code, message), status_code=status, headers=dict(headers or {})
    )


def error_response(exc: SchemakitError) -> Response:
    """The answer for a schemakit error: its Confluent code and the HTTP status of that code."""
    code = exc.error_code
    status = ERROR_CODES[code][0] if code in ERROR_CODES else 500
    message = str(exc) or ERROR_CODES.get(code, (500, "Internal server error"))[1]
    return raw_error(status, code, message)
