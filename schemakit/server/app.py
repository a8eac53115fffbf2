"""The Confluent Schema Registry REST API over a schemakit :class:`~schemakit.registry.Registry`.

:func:`create_app` builds a FastAPI application; ``schemakit serve`` runs it with uvicorn.
Endpoints, field names, media types and error codes are Confluent's (docs/server.md lists
them). Every failure answers ``{"error_code": int, "message": str}``; nothing else, never a
traceback.

Requests run in FastAPI's thread pool (plain ``def`` endpoints), so a DuckDB call never blocks
the event loop. The app holds one Registry, and one lock serializes calls into it: the facade's
caches are plain dicts, and the DuckDB store serializes operations on one file anyway.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Annotated, Any, Literal, TypeVar

from fastapi import Body, FastAPI, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from schemakit._limits import DEFAULT_MAX_BODY_BYTES
from schemakit._typing import CompatibilityLevel, Mode, allowed
from schemakit.errors import (
    InvalidVersionError,
    SchemakitError,
    SchemaNotFoundError,
    SchemaParseError,
)
from schemakit.registry import RegisteredSchema, Registry
from schemakit.server._auth import BasicAuth
from schemakit.server._errors import (
    CONTENT_TYPE,
    RawSchemaResponse,
    RegistryJSONResponse,
    error_response,
    raw_error,
)
from schemakit.server._middleware import (
    AcceptMiddleware,
    AuthMiddleware,
    BodyLimitMiddleware,
    ContentTypeMiddleware,
    EscapedPathMiddleware,
    TrailingSlashMiddleware,
    path_value,
)

__all__ = ["DEFAULT_MAX_BODY_BYTES", "SCHEMA_TYPES", "create_app"]

#: The schema types this server stores (``GET /schemas/types``).
SCHEMA_TYPES = ("AVRO", "JSON")

_INT32_MAX = 2**31 - 1
_LOG = logging.getLogger("schemakit.server")
_T = TypeVar("_T")

# -- request and response bodies -------------------------------------------------------------


_EXAMPLE_AVRO = '{"type": "record", "name": "Order", "fields": [{"name": "id", "type": "long"}]}'


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class SchemaRequest(_Body):
    """A schema to register, look up or check (Confluent's ``RegisterSchemaRequest``)."""

    schema_text: str = Field(
        alias="schema",
        description="The schema document, as a string.",
        examples=[_EXAMPLE_AVRO, '"string"', '{"type": "object"}'],
    )
    schemaType: str | None = Field(  # noqa: N815 - Confluent's field name
        default=None,
        description="AVRO (default) or JSON (any case).",
        json_schema_extra={"enum": ["AVRO", "JSON"]},
    )
    references: list[dict[str, Any]] | None = Field(
        default=None, description="Schema references; not supported, must be empty."
    )
    id: int | None = Field(
        default=None, description="The schema id to keep (IMPORT mode); negative: none."
    )
    version: int | None = Field(
        default=None,
        description="The version: in IMPORT mode the one to keep, else the next one; 0 or "
        "negative: the next one.",
    )


class ConfigRequest(_Body):
    """``PUT /config`` body."""

    compatibility: str = Field(
        description="NONE, BACKWARD, …, FULL_TRANSITIVE (any case).",
        json_schema_extra={"enum": list(allowed(CompatibilityLevel))},
    )


class ModeRequest(_Body):
    """``PUT /mode`` body."""

    mode: str = Field(
        description="READWRITE, READONLY or IMPORT (any case).",
        json_schema_extra={"enum": list(allowed(Mode))},
    )


class ErrorBody(BaseModel):
    """Every failure: Confluent's error code and a message."""

    error_code: int
    message: str


class SchemaIdResponse(BaseModel):
    id: int


class SchemaByIdResponse(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    schema_text: str = Field(alias="schema")
    schemaType: str | None = None  # noqa: N815


class SubjectVersionResponse(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    subject: str
    id: int
    version: int
    schema_text: str = Field(alias="schema")
    schemaType: str | None = None  # noqa: N815


class SubjectVersion(BaseModel):
    subject: str
    version: int


class CompatibilityResponse(BaseModel):
    is_compatible: bool
    messages: list[str] | None = None


class CompatibilityLevelResponse(BaseModel):
    compatibilityLevel: str  # noqa: N815


class ConfigResponse(BaseModel):
    compatibility: str


class ModeResponse(BaseModel):
    mode: str


_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": text}
    for code, text in (
        (401, "Unauthorized (with --auth-file)"),
        (404, "Not found (40401 subject, 40402 version, 40403 schema, …)"),
        (405, "Method not allowed"),
        (409, "Incompatible schema"),
        (413, "Request body too large"),
        (415, "Unsupported media type"),
        (422, "Invalid input (42201 schema, 42202 version, 42203 level, …)"),
        (500, "Error in the backend data store"),
    )
}

#: The ``…/schema`` endpoints answer with the schema document itself: any JSON document.
_RAW_SCHEMA: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The schema document itself",
        "content": {CONTENT_TYPE: {"schema": {"type": ["object", "array", "string", "boolean"]}}},
    }
}

# -- parameters ------------------------------------------------------------------------------

# Patterns and bounds below document the parameters (for clients and fuzzers); the endpoints
# check them themselves, so a violation gets Confluent's error code, not a validation error.
SubjectParam = Annotated[
    str,
    Path(
        description="The subject (any text without control characters, URL-encoded).",
        examples=["orders-value"],
    ),
]
VersionParam = Annotated[
    str,
    Path(
        description='A version: an int from 1 to 2147483647, "latest", or -1 (latest).',
        examples=["latest", "1"],
        json_schema_extra={"pattern": "^([1-9][0-9]{0,9}|latest|-1)$"},
    ),
]
IdParam = Annotated[
    int,
    Path(
        description="A global schema id.",
        examples=[1],
        json_schema_extra={"minimum": 1, "maximum": _INT32_MAX},
    ),
]
DeletedQuery = Annotated[bool, Query(description="Include soft-deleted entries.")]
DeletedOnlyQuery = Annotated[
    bool, Query(alias="deletedOnly", description="Only soft-deleted entries.")
]
# confluent-kafka-python (2.16) sends ``deleted_only``, which Confluent's server ignores: read
# it too, so its get_subjects(deleted_only=True) never lists a live subject.
DeletedOnlySnakeQuery = Annotated[
    bool, Query(alias="deleted_only", description="As deletedOnly.", include_in_schema=False)
]
OffsetQuery = Annotated[int, Query(description="Skip this many entries of the list.")]
LimitQuery = Annotated[int, Query(description="At most this many entries (-1: all).")]
PermanentQuery = Annotated[bool, Query(description="Delete for good (after a soft delete).")]
NormalizeQuery = Annotated[bool, Query(description="Compare schemas by their normalized form.")]
VerboseQuery = Annotated[bool, Query(description="Include the reasons of incompatibility.")]
ForceQuery = Annotated[bool, Query(description="Allow IMPORT on a registry that has schemas.")]
DefaultToGlobalQuery = Annotated[
    bool, Query(alias="defaultToGlobal", description="Fall back to the global setting.")
]


def _version(text: str) -> int | Literal["latest"]:
    """A version path segment: a positive int, ``latest`` or ``-1``; else 42202."""
    if text.lower() == "latest" or text == "-1":
        return "latest"
    if text.isascii() and text.isdigit():
        number = int(text)
        if 0 < number <= _INT32_MAX:
            return number
    message = (
        f"invalid version {text!r}: a version is an int from 1 to {_INT32_MAX}, 'latest' or -1"
    )
    raise InvalidVersionError(message)


def _schema_id(number: int) -> int:
    if not 0 < number <= _INT32_MAX:
        raise SchemaNotFoundError(f"no schema has id {number}", schema_id=number)
    return number


def _schema_type(given: str | None) -> str:
    kind = (given or "AVRO").upper()
    if kind not in SCHEMA_TYPES:
        listed = ", ".join(SCHEMA_TYPES)
        raise SchemaParseError(f"schemaType {given!r} is not supported; expected one of {listed}")
    return kind


def _check_references(body: SchemaRequest) -> None:
    if body.references:
        raise SchemaParseError("schema references are not supported by this registry")


def _type_field(schema_type: str) -> dict[str, str]:
    # Confluent omits schemaType for Avro.
    return {} if schema_type == "AVRO" else {"schemaType": schema_type}


def _version_body(found: RegisteredSchema) -> dict[str, Any]:
    return {
        "subject": found.subject,
        "id": found.id,
        "version": found.version,
        "schema": found.schema.text,
        **_type_field(found.schema.schema_type),
    }


def _raw_schema(text: str) -> Response:
    return RawSchemaResponse(content=text.encode("utf-8"))


class _Guarded:
    """One Registry and the lock that serializes calls into it."""

    def __init__(self, registry: Registry, *, owned: bool) -> None:
        self.registry = registry
        self.owned = owned
        self._lock = threading.Lock()

    @contextmanager
    def __call__(self) -> Iterator[Registry]:
        with self._lock:
            yield self.registry

    def close(self) -> None:
        if self.owned:
            with self._lock:
                self.registry.close()


def create_app(
    registry_location: str | os.PathLike[str] | Registry | None,
    *,
    auth: BasicAuth | str | os.PathLike[str] | None = None,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
) -> FastAPI:
    """A FastAPI app serving the Confluent Schema Registry REST API over a registry.

    Parameters
    ----------
    registry_location : str, os.PathLike, Registry or None
        A DuckDB registry file (created if missing), ``":memory:"``, an open
        :class:`~schemakit.registry.Registry` (which the app then uses but does not close), or
        ``None`` for the default location (``$SCHEMAKIT_REGISTRY`` or ``./schemakit.duckdb``).
    auth : BasicAuth, str or os.PathLike, optional
        HTTP basic authentication: a :class:`~schemakit.server.BasicAuth` or the path of
        an auth file (``user:password`` or ``user:sha256:<hex>`` lines). ``None``: no auth.
    max_body_bytes : int, default 8 MiB
        Larger request bodies are refused with 413.

    Returns
    -------
    fastapi.FastAPI

    Raises
    ------
    SchemakitError
        The registry file cannot be opened, or the auth file is unreadable or malformed.
    ValueError
        ``max_body_bytes`` is not a positive int.

    See Also
    --------
    Confluent Schema Registry API reference:
    https://docs.confluent.io/platform/current/schema-registry/develop/api.html

    Examples
    --------
    >>> from fastapi.testclient import TestClient
    >>> app = create_app(":memory:")
    >>> with TestClient(app) as client:
    ...     client.get("/subjects").json()
    []
    """
    if isinstance(max_body_bytes, bool) or not isinstance(max_body_bytes, int):
        raise ValueError(f"max_body_bytes must be a positive int, not {max_body_bytes!r}")
    if max_body_bytes <= 0:
        raise ValueError(f"max_body_bytes must be a positive int, not {max_body_bytes!r}")
    checker = auth if isinstance(auth, BasicAuth) or auth is None else BasicAuth.from_file(auth)
    if isinstance(registry_location, Registry):
        guarded = _Guarded(registry_location, owned=False)
    else:
        guarded = _Guarded(Registry(registry_location), owned=True)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            guarded.close()

    app = FastAPI(
        title="schemakit schema registry",
        summary="The Confluent Schema Registry REST API over a schemakit registry.",
        version="1",
        default_response_class=RegistryJSONResponse,
        lifespan=lifespan,
        responses=_ERRORS,
        # Confluent answers /subjects/ as /subjects; a 307 with an empty body breaks clients
        redirect_slashes=False,
    )
    app.state.registry_location = guarded.registry.location
    _add_error_handlers(app)
    _add_routes(app, guarded)
    app.add_middleware(EscapedPathMiddleware)
    app.add_middleware(TrailingSlashMiddleware)
    app.add_middleware(AcceptMiddleware)
    app.add_middleware(ContentTypeMiddleware)
    app.add_middleware(BodyLimitMiddleware, max_bytes=max_body_bytes)
    if checker is not None:
        app.add_middleware(AuthMiddleware, auth=checker)
    return app


def _add_error_handlers(app: FastAPI) -> None:
    async def schemakit_error(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, SchemakitError)
        return error_response(exc)

    async def http_error(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        status = exc.status_code
        reason = exc.detail if isinstance(exc.detail, str) else "HTTP error"
        if status == 400:  # FastAPI's "error parsing the body" (not UTF-8 JSON)
            return raw_error(422, 42201, f"Invalid request body: {reason}")
        return raw_error(status, status, f"HTTP {status} {reason}", headers=exc.headers)

    async def validation_error(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        errors = exc.errors()
        first = errors[0] if errors else {}
        where = [str(p) for p in first.get("loc", ())]
        if where[:2] == ["path", "id"]:
            return raw_error(404, 40403, "Schema not found: a schema id is an integer")
        detail = first.get("msg", "invalid request")
        place = ".".join(where) or "request"
        if where[:1] == ["body"]:
            return raw_error(422, 42201, f"Invalid request body ({place}): {detail}")
        return raw_error(422, 422, f"Invalid request ({place}): {detail}")

    async def unexpected(_: Request, exc: Exception) -> Response:
        _LOG.error("unexpected error", exc_info=exc)
        return raw_error(500, 50001, "Internal server error")

    app.add_exception_handler(SchemakitError, schemakit_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(Exception, unexpected)


def _add_routes(app: FastAPI, guarded: _Guarded) -> None:
    def call(fn: Callable[[Registry], _T]) -> _T:
        with guarded() as reg:
            return fn(reg)

    # -- root and schemas by id --------------------------------------------------------------

    @app.get("/", summary="Root", tags=["root"])
    def root() -> dict[str, Any]:
        """An empty object: the server is up."""
        return {}

    @app.get("/v1/metadata/id", summary="Cluster ids", tags=["metadata"])
    def metadata_id() -> dict[str, Any]:
        """Confluent's server cluster id document (one registry, no Kafka cluster behind it)."""
        clusters = {"kafka-cluster": "", "schema-registry-cluster": "schemakit"}
        return {"scope": {"path": [], "clusters": clusters}}

    @app.get("/v1/metadata/version", summary="Server version", tags=["metadata"])
    def metadata_version() -> dict[str, Any]:
        """schemakit's version, where Confluent answers its own."""
        from schemakit import __version__

        return {"version": __version__, "commitId": ""}

    @app.get("/contexts", summary="Contexts", tags=["contexts"])
    def contexts() -> list[str]:
        """The default context only: schemakit keeps one id space per registry."""
        return ["."]

    @app.get("/schemas", summary="Schemas", tags=["schemas"])
    def schemas(
        subject_prefix: Annotated[
            str | None, Query(alias="subjectPrefix", description="Only subjects starting so.")
        ] = None,
        deleted: DeletedQuery = False,
        latest_only: Annotated[
            bool, Query(alias="latestOnly", description="Only each subject's latest version.")
        ] = False,
        offset: OffsetQuery = 0,
        limit: LimitQuery = -1,
    ) -> list[dict[str, Any]]:
        """Every version of every subject (subject, version, id, schema), by subject."""
        found = call(
            lambda reg: reg.schemas(
                prefix=subject_prefix,
                deleted=deleted,
                latest_only=latest_only,
                offset=offset,
                limit=limit,
            )
        )
        return [_version_body(f) for f in found]

    @app.get("/schemas/types", summary="Schema types", tags=["schemas"])
    def schema_types() -> list[str]:
        """The schema types this registry stores."""
        return list(SCHEMA_TYPES)

    @app.get(
        "/schemas/ids/{id}",
        summary="Schema by id",
        tags=["schemas"],
        response_model=SchemaByIdResponse,
        response_model_exclude_none=True,
        response_model_by_alias=True,
    )
    def schema_by_id(id: IdParam) -> dict[str, Any]:
        """The schema with this global id (``schemaType`` omitted for Avro)."""
        number = _schema_id(id)
        schema = call(lambda reg: reg.get_by_id(number))
        return {"schema": schema.text, **_type_field(schema.schema_type)}

    @app.get(
        "/schemas/ids/{id}/schema",
        summary="Raw schema by id",
        tags=["schemas"],
        response_class=RawSchemaResponse,
        responses=_RAW_SCHEMA,
    )
    def raw_schema_by_id(id: IdParam) -> Response:
        """The schema document itself."""
        number = _schema_id(id)
        return _raw_schema(call(lambda reg: reg.get_by_id(number)).text)

    @app.get("/schemas/ids/{id}/versions", summary="Subject versions of an id", tags=["schemas"])
    def versions_of_id(id: IdParam, deleted: DeletedQuery = False) -> list[SubjectVersion]:
        """Every (subject, version) whose schema has this id."""
        number = _schema_id(id)
        pairs = call(lambda reg: reg.schema_versions(number, deleted=deleted))
        return [SubjectVersion(subject=s, version=v) for s, v in pairs]

    @app.get("/schemas/ids/{id}/subjects", summary="Subjects of an id", tags=["schemas"])
    def subjects_of_id(id: IdParam, deleted: DeletedQuery = False) -> list[str]:
        """Every subject with a version whose schema has this id."""
        number = _schema_id(id)
        pairs = call(lambda reg: reg.schema_versions(number, deleted=deleted))
        return sorted({s for s, _ in pairs})

    # -- subjects ----------------------------------------------------------------------------

    @app.get("/subjects", summary="Subjects", tags=["subjects"])
    def subjects(
        deleted: DeletedQuery = False,
        deleted_only: DeletedOnlyQuery = False,
        deleted_only_snake: DeletedOnlySnakeQuery = False,
        subject_prefix: Annotated[
            str | None, Query(alias="subjectPrefix", description="Only subjects starting so.")
        ] = None,
        offset: OffsetQuery = 0,
        limit: LimitQuery = -1,
    ) -> list[str]:
        """Subjects with a live version (soft-deleted ones too with ``deleted``)."""
        return call(
            lambda reg: reg.subjects(
                deleted=deleted,
                deleted_only=deleted_only or deleted_only_snake,
                prefix=subject_prefix,
                offset=offset,
                limit=limit,
            )
        )

    @app.get("/subjects/{subject}/versions", summary="Versions of a subject", tags=["subjects"])
    def versions(
        subject: SubjectParam,
        deleted: DeletedQuery = False,
        deleted_only: DeletedOnlyQuery = False,
        deleted_only_snake: DeletedOnlySnakeQuery = False,
        offset: OffsetQuery = 0,
        limit: LimitQuery = -1,
    ) -> list[int]:
        """The versions of a subject, ascending."""
        name, only = path_value(subject), deleted_only or deleted_only_snake
        return call(
            lambda reg: reg.versions(
                name, deleted=deleted, deleted_only=only, offset=offset, limit=limit
            )
        )

    @app.get(
        "/subjects/{subject}/versions/{version}",
        summary="One version of a subject",
        tags=["subjects"],
        response_model=SubjectVersionResponse,
        response_model_exclude_none=True,
        response_model_by_alias=True,
    )
    def get_version(
        subject: SubjectParam, version: VersionParam, deleted: DeletedQuery = False
    ) -> dict[str, Any]:
        """Subject, id, version and schema (``schemaType`` omitted for Avro)."""
        name, number = path_value(subject), _version(version)
        return _version_body(call(lambda reg: reg.get_version(name, number, deleted=deleted)))

    @app.get(
        "/subjects/{subject}/versions/{version}/schema",
        summary="Raw schema of a version",
        tags=["subjects"],
        response_class=RawSchemaResponse,
        responses=_RAW_SCHEMA,
    )
    def raw_version_schema(
        subject: SubjectParam, version: VersionParam, deleted: DeletedQuery = False
    ) -> Response:
        """The schema document of one version, itself."""
        name, number = path_value(subject), _version(version)
        found = call(lambda reg: reg.get_version(name, number, deleted=deleted))
        return _raw_schema(found.schema.text)

    @app.get(
        "/subjects/{subject}/versions/{version}/referencedby",
        summary="Schemas referencing a version",
        tags=["subjects"],
    )
    def referenced_by(subject: SubjectParam, version: VersionParam) -> list[int]:
        """Always empty: this registry does not support schema references."""
        name, number = path_value(subject), _version(version)
        call(lambda reg: reg.get_version(name, number))
        return []

    @app.post(
        "/subjects/{subject}/versions",
        summary="Register a schema",
        tags=["subjects"],
        response_model=SchemaIdResponse,
    )
    def register(
        subject: SubjectParam,
        body: Annotated[SchemaRequest, Body()],
        normalize: NormalizeQuery = False,
    ) -> dict[str, Any]:
        """Register a schema under the subject; its global id (the same schema, the same id)."""
        name, kind = path_value(subject), _schema_type(body.schemaType)
        _check_references(body)
        found = call(
            lambda reg: reg.register(
                name,
                body.schema_text,
                normalize=normalize,
                schema_type=kind,
                schema_id=body.id if body.id is not None and body.id >= 0 else None,
                version=body.version if body.version is not None and body.version > 0 else None,
            )
        )
        return {"id": found.id}

    @app.post(
        "/subjects/{subject}",
        summary="Look a schema up under a subject",
        tags=["subjects"],
        response_model=SubjectVersionResponse,
        response_model_exclude_none=True,
        response_model_by_alias=True,
    )
    def lookup(
        subject: SubjectParam,
        body: Annotated[SchemaRequest, Body()],
        normalize: NormalizeQuery = False,
        deleted: DeletedQuery = False,
    ) -> dict[str, Any]:
        """The version of the subject with this schema (40403 when there is none)."""
        name, kind = path_value(subject), _schema_type(body.schemaType)
        _check_references(body)
        found = call(
            lambda reg: reg.lookup(
                name, body.schema_text, normalize=normalize, deleted=deleted, schema_type=kind
            )
        )
        return _version_body(found)

    @app.delete("/subjects/{subject}", summary="Delete a subject", tags=["subjects"])
    def delete_subject(subject: SubjectParam, permanent: PermanentQuery = False) -> list[int]:
        """Soft-delete a subject, or (``permanent``) remove a soft-deleted one; the versions."""
        name = path_value(subject)
        return call(lambda reg: reg.delete_subject(name, permanent=permanent))

    @app.delete(
        "/subjects/{subject}/versions/{version}", summary="Delete a version", tags=["subjects"]
    )
    def delete_version(
        subject: SubjectParam, version: VersionParam, permanent: PermanentQuery = False
    ) -> int:
        """Soft-delete a version, or (``permanent``) remove a soft-deleted one; the version."""
        name, number = path_value(subject), _version(version)
        return call(lambda reg: reg.delete_version(name, number, permanent=permanent))

    # -- compatibility -----------------------------------------------------------------------

    def _compatibility_answer(
        is_compatible: bool, messages: tuple[str, ...], verbose: bool
    ) -> dict[str, Any]:
        answer: dict[str, Any] = {"is_compatible": is_compatible}
        if verbose:
            answer["messages"] = list(messages)
        return answer

    @app.post(
        "/compatibility/subjects/{subject}/versions/{version}",
        summary="Check against one version",
        tags=["compatibility"],
        response_model=CompatibilityResponse,
        response_model_exclude_none=True,
    )
    def check_version(
        subject: SubjectParam,
        version: VersionParam,
        body: Annotated[SchemaRequest, Body()],
        verbose: VerboseQuery = False,
    ) -> dict[str, Any]:
        """Whether the schema is compatible (per the subject's level) with this one version."""
        name, number, kind = path_value(subject), _version(version), _schema_type(body.schemaType)
        _check_references(body)
        result = call(
            lambda reg: reg.check(name, body.schema_text, schema_type=kind, version=number)
        )
        return _compatibility_answer(result.is_compatible, result.messages, verbose)

    @app.post(
        "/compatibility/subjects/{subject}/versions",
        summary="Check against the subject",
        tags=["compatibility"],
        response_model=CompatibilityResponse,
        response_model_exclude_none=True,
    )
    def check_subject(
        subject: SubjectParam,
        body: Annotated[SchemaRequest, Body()],
        verbose: VerboseQuery = False,
    ) -> dict[str, Any]:
        """Whether the schema could be registered under the subject (its level, its versions)."""
        name, kind = path_value(subject), _schema_type(body.schemaType)
        _check_references(body)
        result = call(lambda reg: reg.check(name, body.schema_text, schema_type=kind))
        return _compatibility_answer(result.is_compatible, result.messages, verbose)

    # -- config ------------------------------------------------------------------------------

    @app.get(
        "/config",
        summary="Global compatibility level",
        tags=["config"],
        response_model=CompatibilityLevelResponse,
    )
    def get_global_config() -> dict[str, Any]:
        """The global compatibility level (BACKWARD unless set)."""
        return {"compatibilityLevel": call(lambda reg: reg.compatibility())}

    @app.put(
        "/config",
        summary="Set the global compatibility level",
        tags=["config"],
        response_model=ConfigResponse,
    )
    def put_global_config(body: Annotated[ConfigRequest, Body()]) -> dict[str, Any]:
        """Set the global compatibility level."""
        return {"compatibility": call(lambda reg: reg.set_compatibility(body.compatibility))}

    @app.delete(
        "/config",
        summary="Reset the global compatibility level",
        tags=["config"],
        response_model=CompatibilityLevelResponse,
    )
    def delete_global_config() -> dict[str, Any]:
        """Reset the global level to the default (BACKWARD); the level that was set."""
        return {"compatibilityLevel": call(lambda reg: reg.delete_compatibility())}

    @app.get(
        "/config/{subject}",
        summary="Compatibility level of a subject",
        tags=["config"],
        response_model=CompatibilityLevelResponse,
    )
    def get_subject_config(
        subject: SubjectParam, default_to_global: DefaultToGlobalQuery = False
    ) -> dict[str, Any] | Response:
        """The subject's own level (40408 when unset), or with ``defaultToGlobal`` the one
        that applies."""
        name = path_value(subject)
        level = call(lambda reg: reg.compatibility(name, fallback=default_to_global))
        if level is None:
            message = f"subject {name!r} has no compatibility level of its own"
            return _not_configured(40408, message)
        return {"compatibilityLevel": level}

    @app.put(
        "/config/{subject}",
        summary="Set the compatibility level of a subject",
        tags=["config"],
        response_model=ConfigResponse,
    )
    def put_subject_config(
        subject: SubjectParam, body: Annotated[ConfigRequest, Body()]
    ) -> dict[str, Any]:
        """Set the subject's own compatibility level."""
        name = path_value(subject)
        return {"compatibility": call(lambda reg: reg.set_compatibility(body.compatibility, name))}

    @app.delete(
        "/config/{subject}",
        summary="Remove the compatibility level of a subject",
        tags=["config"],
        response_model=CompatibilityLevelResponse,
    )
    def delete_subject_config(subject: SubjectParam) -> dict[str, Any]:
        """Remove the subject's own level (it falls back to the global one); the level removed."""
        name = path_value(subject)
        return {"compatibilityLevel": call(lambda reg: reg.delete_compatibility(name))}

    # -- mode --------------------------------------------------------------------------------

    @app.get("/mode", summary="Global mode", tags=["mode"], response_model=ModeResponse)
    def get_global_mode() -> dict[str, Any]:
        """The global mode (READWRITE unless set)."""
        return {"mode": call(lambda reg: reg.mode())}

    @app.put("/mode", summary="Set the global mode", tags=["mode"], response_model=ModeResponse)
    def put_global_mode(
        body: Annotated[ModeRequest, Body()], force: ForceQuery = False
    ) -> dict[str, Any]:
        """Set the global mode (IMPORT on a registry with schemas needs ``force``)."""
        return {"mode": call(lambda reg: reg.set_mode(body.mode, force=force))}

    @app.get(
        "/mode/{subject}", summary="Mode of a subject", tags=["mode"], response_model=ModeResponse
    )
    def get_subject_mode(
        subject: SubjectParam, default_to_global: DefaultToGlobalQuery = False
    ) -> dict[str, Any] | Response:
        """The subject's own mode (40409 when unset), or with ``defaultToGlobal`` the one
        that applies."""
        name = path_value(subject)
        mode = call(lambda reg: reg.mode(name, fallback=default_to_global))
        if mode is None:
            return _not_configured(40409, f"subject {name!r} has no mode of its own")
        return {"mode": mode}

    @app.put(
        "/mode/{subject}",
        summary="Set the mode of a subject",
        tags=["mode"],
        response_model=ModeResponse,
    )
    def put_subject_mode(
        subject: SubjectParam, body: Annotated[ModeRequest, Body()], force: ForceQuery = False
    ) -> dict[str, Any]:
        """Set the subject's own mode."""
        name = path_value(subject)
        return {"mode": call(lambda reg: reg.set_mode(body.mode, name, force=force))}

    @app.delete(
        "/mode", summary="Remove the global mode", tags=["mode"], response_model=ModeResponse
    )
    def delete_global_mode() -> dict[str, Any]:
        """Remove the global mode (back to READWRITE); the mode removed."""
        return {"mode": call(lambda reg: reg.delete_mode())}

    @app.delete(
        "/mode/{subject}",
        summary="Remove the mode of a subject",
        tags=["mode"],
        response_model=ModeResponse,
    )
    def delete_subject_mode(subject: SubjectParam) -> dict[str, Any]:
        """Remove the subject's own mode (it falls back to the global one); the mode removed."""
        name = path_value(subject)
        return {"mode": call(lambda reg: reg.delete_mode(name))}


def _not_configured(code: int, message: str) -> Response:
    """40408 (no level set) or 40409 (no mode set) for a subject asked without fallback."""
    return raw_error(404, code, message)
