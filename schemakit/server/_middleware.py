"""The ASGI layers in front of the routes: authentication, the body bound, escaped path segments.

Each is a plain ASGI middleware so it answers before FastAPI reads anything, with a
Confluent-style error body.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import unquote

from schemakit.server._auth import BasicAuth
from schemakit.server._errors import raw_error

__all__ = [
    "ACCEPTED_CONTENT_TYPES",
    "ANSWER_TYPES",
    "AcceptMiddleware",
    "AuthMiddleware",
    "BodyLimitMiddleware",
    "ContentTypeMiddleware",
    "EscapedPathMiddleware",
    "TrailingSlashMiddleware",
    "path_value",
]

#: The request media types Confluent's registry accepts; every one is read as JSON.
ACCEPTED_CONTENT_TYPES = frozenset(
    {
        "application/vnd.schemaregistry.v1+json",
        "application/vnd.schemaregistry+json",
        "application/json",
        "application/octet-stream",
    }
)

#: The media types answers come in, as Confluent's resources offer them; the first is the
#: default (no ``Accept``, or ``*/*``).
ANSWER_TYPES = (
    "application/vnd.schemaregistry.v1+json",
    "application/vnd.schemaregistry+json",
    "application/json",
)
#: The API document and its browsable pages are answered whatever ``Accept`` says.
_UNNEGOTIATED = frozenset({"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"})

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def path_value(segment: str) -> str:
    """The text of a path parameter routed by :class:`EscapedPathMiddleware`."""
    return unquote(segment, errors="surrogateescape")


def _route_segment(raw: str) -> str:
    # Decode the segment, then escape only what would change the routing: '%' and '/'.
    text = unquote(raw, errors="surrogateescape")
    return text.replace("%", "%25").replace("/", "%2F")


def negotiate(accept: str | None) -> str | None:
    """The media type to answer a request's ``Accept`` with, or ``None`` (406).

    The highest ``q`` wins; among equals, the order of :data:`ANSWER_TYPES`. ``*/*`` and
    ``application/*`` stand for every answer type; ``q=0`` refuses a type.
    """
    if accept is None or not accept.strip():
        return ANSWER_TYPES[0]
    weights: dict[str, float] = {}
    for part in accept.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        quality = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        media = media.lower()
        named = ANSWER_TYPES if media in ("*/*", "application/*") else (media,)
        for kind in named:
            if kind in ANSWER_TYPES:
                # an exact type overrides a wildcard's weight for it
                exact = media == kind
                if exact or kind not in weights:
                    weights[kind] = quality if exact else max(quality, weights.get(kind, 0.0))
    best = max(ANSWER_TYPES, key=lambda kind: (weights.get(kind, 0.0), -ANSWER_TYPES.index(kind)))
    return best if weights.get(best, 0.0) > 0 else None


class AcceptMiddleware:
    """Answer in the media type the request accepts (``Accept``), or 406, as Confluent does."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in _UNNEGOTIATED:
            await self.app(scope, receive, send)
            return
        accept = None
        for name, value in scope.get("headers", []):
            if name == b"accept":
                accept = value.decode("latin-1")
                break
        chosen = negotiate(accept)
        if chosen is None:
            await raw_error(406, 406, "HTTP 406 Not Acceptable")(scope, receive, send)
            return
        if chosen == ANSWER_TYPES[0]:
            await self.app(scope, receive, send)
            return
        wanted = chosen.encode("latin-1")

        async def retyped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, wanted if k == b"content-type" and v == ANSWER_TYPES[0].encode() else v)
                    for k, v in message.get("headers", [])
                ]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, retyped)


class TrailingSlashMiddleware:
    """Answer ``/subjects/`` as ``/subjects``, as Confluent does: never a redirect.

    Starlette would answer 307 with an empty body, which registry clients read as JSON and fail
    on. Only one trailing slash goes (``/subjects//`` still routes nowhere); ``/`` stays.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path: str = scope["path"]
            if len(path) > 1 and path.endswith("/"):
                scope = dict(scope)
                scope["path"] = path[:-1]
                raw: bytes | None = scope.get("raw_path")
                if raw and raw.endswith(b"/"):
                    scope["raw_path"] = raw[:-1]
        await self.app(scope, receive, send)


class EscapedPathMiddleware:
    """Route on the raw path so an escaped ``/`` (``%2F``) stays inside one path segment.

    Servers hand ASGI apps a percent-decoded ``path``, in which ``a%2Fb`` has become two
    segments. This layer rebuilds ``path`` from ``raw_path`` segment by segment, keeping ``%``
    and ``/`` escaped inside a segment; :func:`path_value` turns a routed parameter back into the
    text the client sent. Subject names are data: no segment is ever a file path or SQL.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        raw = scope.get("raw_path") if scope["type"] == "http" else None
        if isinstance(raw, bytes | bytearray):
            text = bytes(raw).decode("latin-1").split("?", 1)[0]
            scope = dict(scope)
            scope["path"] = "/".join(_route_segment(s) for s in text.split("/"))
        await self.app(scope, receive, send)


class ContentTypeMiddleware:
    """Read a request body in any of Confluent's media types as JSON; 415 for another type.

    A request without a ``Content-Type`` is read as JSON too (curl-friendly); the body is
    always parsed as JSON, whatever the declared type.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") not in ("POST", "PUT"):
            await self.app(scope, receive, send)
            return
        headers = [(n, v) for n, v in scope.get("headers", []) if n != b"content-type"]
        declared = [v for n, v in scope.get("headers", []) if n == b"content-type"]
        if declared:
            media = declared[0].decode("latin-1").split(";", 1)[0].strip().lower()
            if media not in ACCEPTED_CONTENT_TYPES:
                listed = ", ".join(sorted(ACCEPTED_CONTENT_TYPES))
                message = f"HTTP 415 Unsupported Media Type {media!r}; send one of {listed}"
                await raw_error(415, 415, message)(scope, receive, send)
                return
        scope = dict(scope)
        scope["headers"] = [*headers, (b"content-type", b"application/json")]
        await self.app(scope, receive, send)


class BodyLimitMiddleware:
    """Refuse a request body over ``max_bytes`` with 413 before the app sees it.

    The body is read here (at most ``max_bytes`` of it) and replayed to the app.
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        message = f"request body larger than the server's limit of {self.max_bytes} bytes"
        response = raw_error(413, 413, message, headers={"Connection": "close"})
        await response(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
                if declared > self.max_bytes:
                    await self._too_large(scope, receive, send)
                    return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break  # a disconnect: let the app see it
            body = message.get("body", b"")
            size += len(body)
            if size > self.max_bytes:
                await self._too_large(scope, receive, send)
                return
            chunks.append(body)
            if not message.get("more_body", False):
                break
        replayed = False
        whole = b"".join(chunks)

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": whole, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


class AuthMiddleware:
    """HTTP basic authentication on every request; 401 with ``WWW-Authenticate`` otherwise."""

    def __init__(self, app: ASGIApp, *, auth: BasicAuth) -> None:
        self.app = app
        self.auth = auth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        header = None
        for name, value in scope.get("headers", []):
            if name == b"authorization":
                header = value.decode("latin-1")
                break
        if self.auth.check(header):
            await self.app(scope, receive, send)
            return
        response = raw_error(
            401,
            401,
            "Unauthorized: give a user and password with HTTP basic authentication",
            headers={"WWW-Authenticate": f'Basic realm="{self.auth.realm}"'},
        )
        await response(scope, receive, send)
