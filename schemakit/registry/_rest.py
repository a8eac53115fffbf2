"""The REST backend: a remote Confluent-compatible schema registry behind the Backend seam.

:class:`RestBackend` speaks the Confluent Schema Registry REST API with httpx (a sync
``httpx.Client``), so the :class:`~schemakit.registry.Registry` facade works unchanged against
Confluent Schema Registry, Confluent Cloud, Karapace, Redpanda or ``schemakit serve``.

This module is the one seam for httpx: Confluent error bodies become the schemakit error of
their ``error_code`` (:func:`~schemakit.errors.error_for_code`); connection failures, timeouts,
unreadable answers and unexpected statuses become
:class:`~schemakit.errors.RegistryConnectionError` naming the URL (credentials redacted) and
what happened. Users never see an httpx exception.

Decisions
---------
- The server judges compatibility and modes: ``register`` ignores the ``check`` callback; a 409
  is followed by one verbose compatibility call to collect every break for
  ``IncompatibleSchemaError.messages``.
- ``created``: ``register`` first looks the schema up under the subject; a live version with
  the same schema (and the id/version asked, if any) is answered with ``created=False`` and no
  write. Otherwise the registration is posted and ``created=True``.
- REST has no registration time: ``VersionRow.registered_at`` is ``None`` (``NaT`` in
  :meth:`Registry.history`).
- Only immutable answers are cached: schema text by global id (dropped when this object deletes
  a version permanently). Subject versions are always read, since deletes (by anyone) and IMPORT
  mode can change what a subject and version number refer to.
- Idempotent calls (GET, PUT of config and mode, and the read-only POSTs: lookup and the
  compatibility check) are retried with exponential backoff and jitter on connection errors,
  timeouts and 5xx answers; registrations and deletes are never retried.
"""

from __future__ import annotations

import inspect
import random
import time
import urllib.parse
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, cast

from schemakit._deps import optional_import
from schemakit.errors import (
    ERROR_CODES,
    IncompatibleSchemaError,
    RegistryConnectionError,
    SchemakitError,
    SchemaNotFoundError,
    SubjectNotFoundError,
    error_for_code,
)
from schemakit.registry._backend import (
    Candidate,
    CompatibilityCheck,
    IntegrityFindings,
    SchemaRow,
    StoreScan,
    SubjectSummary,
    VersionRow,
    candidate,
)
from schemakit.schema import Schema

if TYPE_CHECKING:
    import httpx

__all__ = ["CONTENT_TYPE", "RestBackend", "redact_url"]

#: The media type of Confluent's REST API (requests and answers).
CONTENT_TYPE = "application/vnd.schemaregistry.v1+json"
_ACCEPT = f"{CONTENT_TYPE}, application/vnd.schemaregistry+json; q=0.9, application/json; q=0.5"
_MAX_BACKOFF = 2.0
_MAX_DIGESTS = 4096
_LEVEL_NOT_SET = frozenset({40408, 40401})  # older Confluent servers answer 40401
_MODE_NOT_SET = frozenset({40409, 40401})


def redact_url(url: str) -> str:
    """``url`` with any password in its userinfo replaced by ``***``.

    >>> redact_url("https://key:secret@psrc.example.com/")
    'https://key:***@psrc.example.com/'
    >>> redact_url("http://127.0.0.1:8081")
    'http://127.0.0.1:8081'
    """
    parts = urllib.parse.urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    user = parts.username or ""
    userinfo = f"{user}:***" if parts.password is not None else user
    return urllib.parse.urlunsplit(parts._replace(netloc=f"{userinfo}@{host}"))


def _split_url(url: str) -> tuple[str, tuple[str, str] | None]:
    """The base URL without credentials or trailing slash, and the basic-auth pair if any."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not a registry URL: {redact_url(url)!r}; expected http(s)://host[:port]")
    if parts.query or parts.fragment:
        raise ValueError(f"a registry URL has no query or fragment: {redact_url(url)!r}")
    host = parts.hostname
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"invalid port in registry URL {redact_url(url)!r}") from exc
    netloc = host if port is None else f"{host}:{port}"
    base = urllib.parse.urlunsplit((parts.scheme.lower(), netloc, parts.path.rstrip("/"), "", ""))
    auth = None
    if parts.username is not None:
        auth = (
            urllib.parse.unquote(parts.username),
            urllib.parse.unquote(parts.password or ""),
        )
    return base, auth


def _segment(value: str | int) -> str:
    """``value`` as one percent-encoded path segment.

    ``quote`` leaves ``.`` alone (it is unreserved), but a segment that is only ``.`` or ``..``
    is a dot segment that URL normalization removes (RFC 3986 section 5.2.4) before the request
    is sent; ``%2E`` is no dot segment and decodes to the same subject on the server.
    """
    text = urllib.parse.quote(str(value), safe="")
    return text.replace(".", "%2E") if text in (".", "..") else text


def _flag(value: bool) -> str:
    return "true" if value else "false"


class RestBackend:
    """A :class:`~schemakit.registry._backend.Backend` over Confluent's REST API.

    Parameters
    ----------
    url : str
        ``http(s)://[user:password@]host[:port][/path]``; credentials become HTTP basic auth.
    client : httpx.Client, optional
        A client configured for TLS (``verify=``, ``cert=``), proxies, headers or auth. It is
        used as given and not closed by :meth:`close`. Default: a client made here with
        ``timeout``.
    timeout : float
        Seconds per request (connect, read, write) for the client made here.
    retries : int
        Extra attempts for idempotent calls after a connection error, timeout or 5xx.
    backoff : float
        The first retry delay in seconds; doubled at each attempt, with jitter, at most 2 s.
    """

    def __init__(
        self,
        url: str,
        *,
        client: httpx.Client | None = None,
        timeout: float = 30.0,
        retries: int = 3,
        backoff: float = 0.1,
    ) -> None:
        httpx_module: Any = optional_import(
            "httpx", extra="remote", purpose="a remote registry (http:// or https://)"
        )
        self._httpx = httpx_module
        self._base, self._auth = _split_url(url)
        self.location = redact_url(url.rstrip("/"))
        self._timeout = float(timeout)
        self._retries = int(retries)
        self._backoff = float(backoff)
        self._owned = client is None
        self._client: httpx.Client = (
            client if client is not None else httpx_module.Client(timeout=self._timeout)
        )
        self._closed = False
        self._schemas: dict[int, SchemaRow] = {}
        self._digests: dict[tuple[str, str], Candidate] = {}

    def __repr__(self) -> str:
        return f"RestBackend({self.location!r})"

    # -- HTTP --------------------------------------------------------------------------------

    def _where(self, method: str, path: str) -> str:
        return f"{method} {self.location}{path}"

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: Any = None,
        retry: bool,
        context: Mapping[str, Any] | None = None,
        absent: frozenset[int] = frozenset(),
    ) -> Any:
        """One call; the decoded JSON answer (``None`` for an error code in ``absent``)."""
        if self._closed:
            raise SchemakitError(f"registry {self.location!r} is closed")
        httpx = self._httpx
        headers = {"Accept": _ACCEPT}
        content: bytes | None = None
        if body is not None:
            import json

            headers["Content-Type"] = CONTENT_TYPE
            content = json.dumps(body, ensure_ascii=False).encode("utf-8")
        attempts = 1 + (max(self._retries, 0) if retry else 0)
        where = self._where(method, path)
        for attempt in range(attempts):
            last = attempt == attempts - 1
            try:
                answer = self._client.request(
                    method,
                    self._base + path,
                    params=params,
                    content=content,
                    headers=headers,
                    auth=self._auth if self._auth is not None else httpx.USE_CLIENT_DEFAULT,
                )
            except httpx.TimeoutException as exc:
                if not last:
                    self._sleep(attempt)
                    continue
                tries = f" (after {attempts} attempts)" if attempts > 1 else ""
                message = f"{where}: timed out{tries}: {type(exc).__name__}"
                raise RegistryConnectionError(message, url=self.location) from exc
            except httpx.HTTPError as exc:
                if not last and isinstance(exc, httpx.TransportError):
                    self._sleep(attempt)
                    continue
                tries = f" (after {attempts} attempts)" if attempts > 1 else ""
                reason = str(exc)
                if self._auth is not None and self._auth[1]:
                    reason = reason.replace(self._auth[1], "***")
                message = (
                    f"{where}: cannot reach the registry{tries}: {reason or type(exc).__name__}"
                )
                raise RegistryConnectionError(message, url=self.location) from exc
            if answer.status_code >= 500 and not last:
                self._sleep(attempt)
                continue
            return self._answer(answer, where, context or {}, absent, attempts)
        raise AssertionError("unreachable")  # pragma: no cover

    def _sleep(self, attempt: int) -> None:
        delay = min(self._backoff * 2**attempt, _MAX_BACKOFF)
        time.sleep(delay * (0.5 + random.random() / 2))

    def _answer(
        self,
        answer: httpx.Response,
        where: str,
        context: Mapping[str, Any],
        absent: frozenset[int],
        attempts: int,
    ) -> Any:
        status = answer.status_code
        try:
            data = answer.json()
        except ValueError as exc:
            if 200 <= status < 300:
                message = f"{where}: the registry answered {status} with a body that is not JSON"
                raise RegistryConnectionError(message, url=self.location) from exc
            data = None
        if 200 <= status < 300:
            return data
        code = data.get("error_code") if isinstance(data, dict) else None
        text = data.get("message") if isinstance(data, dict) else None
        tries = f" (after {attempts} attempts)" if attempts > 1 and status >= 500 else ""
        if isinstance(code, int) and not isinstance(code, bool) and code in ERROR_CODES:
            if code in absent:
                return None
            cls = error_for_code(code)
            if status >= 500 or cls is SchemakitError or cls is RegistryConnectionError:
                # the server's own failure (50001 store, 50002 timeout, 50003 forwarding)
                message = f"{where}: the registry answered {status} ({code}){tries}: {text}"
                raise RegistryConnectionError(message, url=self.location)
            raise self._error(cls, str(text or ERROR_CODES[code][1]), context)
        detail = f": {text}" if isinstance(text, str) else ""
        if status in (401, 403):
            message = f"{where}: the registry refused the credentials ({status}){detail}"
        else:
            message = f"{where}: unexpected answer {status}{tries}{detail}"
        raise RegistryConnectionError(message, url=self.location)

    @staticmethod
    def _error(
        cls: type[SchemakitError], message: str, context: Mapping[str, Any]
    ) -> SchemakitError:
        accepted = inspect.signature(cls.__init__).parameters
        kwargs = {k: v for k, v in context.items() if k in accepted and v is not None}
        return cls(message, **kwargs)

    # -- rows --------------------------------------------------------------------------------

    def _candidate(self, schema_type: str, text: str) -> Candidate:
        key = (schema_type, text)
        found = self._digests.get(key)
        if found is None:
            found = candidate(Schema.parse(text, schema_type=schema_type))
            if len(self._digests) >= _MAX_DIGESTS:
                self._digests.clear()
            self._digests[key] = found
        return found

    def _row(self, data: Any, *, deleted: bool, where: str) -> VersionRow:
        try:
            schema_type = cast(Literal["AVRO", "JSON"], str(data.get("schemaType") or "AVRO"))
            text = data["schema"]
            subject, version, schema_id = data["subject"], data["version"], data["id"]
            if not (isinstance(text, str) and isinstance(subject, str)):
                raise TypeError("schema and subject are strings")
            version, schema_id = int(version), int(schema_id)
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            message = f"{where}: the registry answered with an unexpected body: {exc}"
            raise RegistryConnectionError(message, url=self.location) from exc
        found = self._candidate(schema_type, text)
        self._schemas.setdefault(schema_id, SchemaRow(schema_id, schema_type, text))
        return VersionRow(
            subject=subject,
            version=version,
            schema_id=schema_id,
            schema_type=schema_type,
            text=text,
            identity=found.identity,
            normalized=found.normalized,
            deleted=deleted,
            registered_at=None,
        )

    def _ints(self, data: Any, where: str) -> list[int]:
        if not isinstance(data, list) or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in data
        ):
            message = f"{where}: the registry answered with an unexpected body (not a list of ints)"
            raise RegistryConnectionError(message, url=self.location)
        return [int(v) for v in data]

    def _version_numbers(self, subject: str, *, deleted: bool) -> list[int]:
        path = f"/subjects/{_segment(subject)}/versions"
        data = self._call(
            "GET",
            path,
            params={"deleted": _flag(deleted)},
            retry=True,
            context={"subject": subject},
        )
        return sorted(self._ints(data, self._where("GET", path)))

    def _live_numbers(self, subject: str) -> set[int]:
        try:
            return set(self._version_numbers(subject, deleted=False))
        except SubjectNotFoundError:
            return set()

    def _get_version(self, subject: str, version: int | None, *, deleted: bool) -> tuple[Any, str]:
        """The body of ``GET /subjects/{subject}/versions/{version}`` and where it came from."""
        label = "latest" if version is None else str(version)
        path = f"/subjects/{_segment(subject)}/versions/{label}"
        context = {"subject": subject, "version": label if version is None else version}
        data = self._call(
            "GET", path, params={"deleted": _flag(deleted)}, retry=True, context=context
        )
        return data, self._where("GET", path)

    @staticmethod
    def _schema_body(new: Candidate) -> dict[str, Any]:
        body: dict[str, Any] = {"schema": new.text}
        if new.schema_type != "AVRO":
            body["schemaType"] = new.schema_type
        return body

    # -- Backend -----------------------------------------------------------------------------

    def register(
        self,
        subject: str,
        new: Candidate,
        *,
        normalize: bool,
        check: CompatibilityCheck,
        schema_id: int | None = None,
        version: int | None = None,
    ) -> tuple[VersionRow, bool]:
        del check  # the server judges compatibility (and modes)
        try:
            known: VersionRow | None = self.lookup(subject, new, normalize=normalize, deleted=False)
        except (SubjectNotFoundError, SchemaNotFoundError):
            known = None
        if (
            known is not None
            and schema_id in (None, known.schema_id)
            and version in (None, known.version)
        ):
            return known, False
        body = self._schema_body(new)
        if schema_id is not None:
            body["id"] = schema_id
        if version is not None:
            body["version"] = version
        path = f"/subjects/{_segment(subject)}/versions"
        params = {"normalize": "true"} if normalize else None
        try:
            answer = self._call(
                "POST", path, params=params, body=body, retry=False, context={"subject": subject}
            )
        except IncompatibleSchemaError as exc:
            raise self._incompatible(subject, new, exc) from exc
        where = self._where("POST", path)
        if not isinstance(answer, dict) or not isinstance(answer.get("id"), int):
            message = f"{where}: the registry answered with an unexpected body (no id)"
            raise RegistryConnectionError(message, url=self.location)
        if version is not None:
            data, where = self._get_version(subject, version, deleted=False)
            return self._row(data, deleted=False, where=where), True
        number = answer.get("version")
        if isinstance(number, int) and not isinstance(number, bool) and number > 0:
            data, where = self._get_version(subject, number, deleted=False)
            return self._row(data, deleted=False, where=where), True
        return self.lookup(subject, new, normalize=normalize, deleted=False), True

    def _incompatible(
        self, subject: str, new: Candidate, exc: IncompatibleSchemaError
    ) -> IncompatibleSchemaError:
        """The 409 with every break the server reports (one verbose compatibility call)."""
        messages: tuple[str, ...] = ()
        level: str | None = None
        try:
            answer = self._call(
                "POST",
                f"/compatibility/subjects/{_segment(subject)}/versions",
                params={"verbose": "true"},
                body=self._schema_body(new),
                retry=True,
                context={"subject": subject},
            )
            if isinstance(answer, dict) and isinstance(answer.get("messages"), list):
                messages = tuple(str(m) for m in answer["messages"])
            level = self.level(subject, fallback=True)
        except SchemakitError:
            pass  # the 409 itself is the answer; the details are a courtesy
        return IncompatibleSchemaError(
            str(exc), subject=subject, level=level, messages=messages or (str(exc),)
        )

    def subjects_of_schema(self, schema_id: int, *, deleted: bool) -> list[tuple[str, int]]:
        path = f"/schemas/ids/{schema_id}/versions"
        data = self._call(
            "GET",
            path,
            params={"deleted": _flag(deleted)},
            retry=True,
            context={"schema_id": schema_id},
        )
        try:
            pairs = [(str(d["subject"]), int(d["version"])) for d in data]
        except (KeyError, TypeError, ValueError) as exc:
            message = f"{self._where('GET', path)}: the registry answered with an unexpected body"
            raise RegistryConnectionError(message, url=self.location) from exc
        return sorted(pairs)

    def schema_by_id(self, schema_id: int) -> SchemaRow:
        cached = self._schemas.get(schema_id)
        if cached is not None:
            return cached
        path = f"/schemas/ids/{schema_id}"
        data = self._call("GET", path, retry=True, context={"schema_id": schema_id})
        if not isinstance(data, dict) or not isinstance(data.get("schema"), str):
            message = f"{self._where('GET', path)}: the registry answered with an unexpected body"
            raise RegistryConnectionError(message, url=self.location)
        schema_type = cast(Literal["AVRO", "JSON"], str(data.get("schemaType") or "AVRO"))
        row = SchemaRow(schema_id, schema_type, data["schema"])
        self._schemas[schema_id] = row
        return row

    def version(self, subject: str, version: int | None, *, deleted: bool) -> VersionRow:
        data, where = self._get_version(subject, version, deleted=deleted)
        row = self._row(data, deleted=False, where=where)
        if deleted and row.version not in self._live_numbers(subject):
            row = row._replace(deleted=True)
        return row

    def version_rows(self, subject: str, *, deleted: bool) -> list[VersionRow]:
        numbers = self._version_numbers(subject, deleted=deleted)
        live = self._live_numbers(subject) if deleted else set(numbers)
        rows = []
        for number in numbers:
            data, where = self._get_version(subject, number, deleted=True)
            rows.append(self._row(data, deleted=number not in live, where=where))
        return rows

    def subjects(self, *, deleted: bool) -> list[str]:
        data = self._call("GET", "/subjects", params={"deleted": _flag(deleted)}, retry=True)
        if not isinstance(data, list) or not all(isinstance(s, str) for s in data):
            message = f"{self._where('GET', '/subjects')}: unexpected body (not a list of names)"
            raise RegistryConnectionError(message, url=self.location)
        return sorted(set(data))

    def lookup(self, subject: str, new: Candidate, *, normalize: bool, deleted: bool) -> VersionRow:
        path = f"/subjects/{_segment(subject)}"
        params = {"normalize": _flag(normalize), "deleted": _flag(deleted)}
        data = self._call(
            "POST",
            path,
            params=params,
            body=self._schema_body(new),
            retry=True,
            context={"subject": subject},
        )
        row = self._row(data, deleted=False, where=self._where("POST", path))
        if deleted and row.version not in self._live_numbers(subject):
            row = row._replace(deleted=True)
        return row

    def _config_path(self, kind: str, subject: str | None) -> str:
        return f"/{kind}" if subject is None else f"/{kind}/{_segment(subject)}"

    def _field(self, data: Any, name: str, path: str, method: str = "GET") -> str:
        if not isinstance(data, dict) or not isinstance(data.get(name), str):
            message = f"{self._where(method, path)}: the registry answered without {name!r}"
            raise RegistryConnectionError(message, url=self.location)
        return str(data[name]).upper()

    def _setting(
        self, kind: str, field: str, subject: str | None, *, fallback: bool, unset: frozenset[int]
    ) -> str | None:
        """GET /config or /mode (of ``subject``): the value, or ``None`` when not set."""
        path = self._config_path(kind, subject)
        params = None if subject is None else {"defaultToGlobal": _flag(fallback)}
        data = self._call(
            "GET",
            path,
            params=params,
            retry=True,
            context={"subject": subject},
            absent=frozenset() if fallback else unset,
        )
        if data is None:
            return None
        return self._field(data, field, path)

    def level(self, subject: str | None, *, fallback: bool) -> str | None:
        return self._setting(
            "config", "compatibilityLevel", subject, fallback=fallback, unset=_LEVEL_NOT_SET
        )

    def set_level(self, level: str, subject: str | None) -> None:
        path = self._config_path("config", subject)
        self._call(
            "PUT", path, body={"compatibility": level}, retry=True, context={"subject": subject}
        )

    def delete_level(self, subject: str | None) -> str:
        path = self._config_path("config", subject)
        data = self._call("DELETE", path, retry=False, context={"subject": subject})
        if isinstance(data, dict) and isinstance(data.get("compatibility"), str):
            return str(data["compatibility"]).upper()
        return self._field(data, "compatibilityLevel", path, "DELETE")

    def mode(self, subject: str | None, *, fallback: bool) -> str | None:
        return self._setting("mode", "mode", subject, fallback=fallback, unset=_MODE_NOT_SET)

    def set_mode(self, mode: str, subject: str | None, *, force: bool) -> None:
        path = self._config_path("mode", subject)
        params = {"force": "true"} if force else None
        self._call(
            "PUT",
            path,
            params=params,
            body={"mode": mode},
            retry=True,
            context={"subject": subject},
        )

    def delete_mode(self, subject: str | None) -> str:
        path = self._config_path("mode", subject)
        data = self._call("DELETE", path, retry=False, context={"subject": subject})
        return self._field(data, "mode", path, "DELETE")

    def delete_version(self, subject: str, version: int | None, *, permanent: bool) -> VersionRow:
        before: VersionRow | None = None
        try:
            if version is not None or not permanent:
                before = self.version(subject, version, deleted=permanent)
            else:  # "latest" of any state
                numbers = self._version_numbers(subject, deleted=True)
                before = self.version(subject, numbers[-1], deleted=True) if numbers else None
        except SchemakitError:
            before = None  # the delete below raises the error that applies
        label = "latest" if version is None else str(version)
        path = f"/subjects/{_segment(subject)}/versions/{label}"
        data = self._call(
            "DELETE",
            path,
            params={"permanent": _flag(permanent)},
            retry=False,
            context={"subject": subject, "version": label if version is None else version},
        )
        number = self._ints([data], self._where("DELETE", path))[0]
        if before is None or before.version != number:
            data, where = self._get_version(subject, number, deleted=True)
            before = self._row(data, deleted=permanent, where=where)
        if permanent:
            self._schemas.pop(before.schema_id, None)
        return before

    def delete_subject(self, subject: str, *, permanent: bool) -> list[VersionRow]:
        try:
            before = {r.version: r for r in self.version_rows(subject, deleted=True)}
        except SchemakitError:
            before = {}
        path = f"/subjects/{_segment(subject)}"
        data = self._call(
            "DELETE",
            path,
            params={"permanent": _flag(permanent)},
            retry=False,
            context={"subject": subject},
        )
        numbers = sorted(self._ints(data, self._where("DELETE", path)))
        rows = [before[n] for n in numbers if n in before]
        if permanent:
            for row in rows:
                self._schemas.pop(row.schema_id, None)
        return rows

    def summary(self) -> list[SubjectSummary]:
        found = []
        for subject in self.subjects(deleted=True):
            every = self._version_numbers(subject, deleted=True)
            live = self._live_numbers(subject)
            found.append(
                SubjectSummary(
                    subject=subject,
                    versions=len(live),
                    deleted_versions=len(set(every) - live),
                    latest=max(live) if live else None,
                    level=self.level(subject, fallback=False),
                )
            )
        return found

    def check_integrity(self) -> IntegrityFindings:
        """What a client can check of a remote registry: every row it can read.

        Checked: every version (soft-deleted included) reads back, its schema parses, its id
        resolves to the same schema (``GET /schemas/ids/{id}``, asked of the server) and lists
        its versions (``GET /schemas/ids/{id}/versions``), a lookup of each live
        version's schema finds it (``POST /subjects/{subject}``), each subject's own level and
        mode and the global ones read, no schema id names two different schemas, and no
        schema appears twice among a subject's live versions. The store's own layout is out of
        reach (``layout_version`` is 0). A registry that cannot be read at all is reported as a
        problem, not raised.
        """
        problems: list[str] = []
        by_id: dict[int, tuple[str, str]] = {}
        subjects = versions = 0
        try:
            names = self.subjects(deleted=True)
        except SchemakitError as exc:
            problems.append(f"cannot list the subjects of {self.location}: {exc}")
            names = []
        for subject in names:
            try:
                rows = self.version_rows(subject, deleted=True)
            except SchemakitError as exc:
                problems.append(f"subject {subject!r}: cannot read its versions: {exc}")
                continue
            subjects += 1
            versions += len(rows)
            seen: dict[int, int] = {}
            for row in rows:
                where = f"subject {subject!r} version {row.version}"
                if row.version <= 0:
                    problems.append(f"{where}: version number is not positive")
                pair = (row.schema_type, row.text)
                if by_id.setdefault(row.schema_id, pair) != pair:
                    problems.append(f"{where}: schema id {row.schema_id} names another schema")
                if not row.deleted:
                    if row.schema_id in seen:
                        problems.append(
                            f"{where}: same schema (id {row.schema_id}) as live version "
                            f"{seen[row.schema_id]}"
                        )
                    seen.setdefault(row.schema_id, row.version)
                    problems.extend(self._lookup_problem(row, where))
            problems.extend(self._setting_problems(subject))
        problems.extend(self._setting_problems(None))
        for schema_id, (schema_type, text) in sorted(by_id.items()):
            # Asked of the server, not answered from what reading the versions cached.
            self._schemas.pop(schema_id, None)
            try:
                stored = self.schema_by_id(schema_id)
                self.subjects_of_schema(schema_id, deleted=True)
            except SchemakitError as exc:
                problems.append(
                    f"schema id {schema_id}: get_by_id() or schema_versions() fails: {exc}"
                )
                continue
            if (stored.schema_type, stored.text) != (schema_type, text):
                problems.append(f"schema id {schema_id}: differs from the versions that use it")
        return IntegrityFindings(
            layout_version=0,
            schemas=len(by_id),
            subjects=subjects,
            versions=versions,
            problems=tuple(problems),
        )

    def _lookup_problem(self, row: VersionRow, where: str) -> list[str]:
        """Whether ``POST /subjects/{subject}`` finds a live version by its schema."""
        try:
            new = self._candidate(row.schema_type, row.text)
            found = self.lookup(row.subject, new, normalize=False, deleted=False)
        except (SchemakitError, ValueError) as exc:
            return [f"{where}: lookup() of its schema fails: {exc}"]
        if (found.version, found.schema_id) != (row.version, row.schema_id):
            return [f"{where}: lookup() of its schema finds version {found.version}"]
        return []

    def _setting_problems(self, subject: str | None) -> list[str]:
        """Whether the level and mode of ``subject`` (``None``: the global ones) read."""
        where = "the global" if subject is None else f"subject {subject!r}: its own"
        problems = []
        for kind, read in (("level", self.level), ("mode", self.mode)):
            try:
                read(subject, fallback=subject is None)
            except SchemakitError as exc:
                problems.append(f"{where} {kind} cannot be read: {exc}")
        return problems

    def scan(self) -> StoreScan:
        """What a client can read of a remote registry for an export.

        Every subject's versions (soft-deleted included), the global level and mode, and each
        subject's own. A server offers no plain scan: the levels and modes of subjects without
        a version are out of reach. A registry that cannot be listed raises (nothing could be
        exported); a subject that cannot be read is a problem.
        """
        problems: list[str] = []
        names = self.subjects(deleted=True)
        rows: list[VersionRow] = []
        for subject in names:
            try:
                rows.extend(self.version_rows(subject, deleted=True))
            except SchemakitError as exc:
                problems.append(f"subject {subject!r}: its versions cannot be read: {exc}")
        settings: dict[str, list[tuple[str | None, str]]] = {"level": [], "mode": []}
        for kind, read in (("level", self.level), ("mode", self.mode)):
            for scope in (None, *names):
                try:
                    value = read(scope, fallback=scope is None)
                except SchemakitError as exc:
                    where = "the global" if scope is None else f"subject {scope!r}: its"
                    problems.append(f"{where} {kind} cannot be read: {exc}")
                    continue
                if value is not None:
                    settings[kind].append((scope, value))
        return StoreScan(
            versions=tuple(rows),
            levels=tuple(settings["level"]),
            modes=tuple(settings["mode"]),
            problems=tuple(problems),
        )

    def close(self) -> None:
        if not self._closed and self._owned:
            self._client.close()
        self._closed = True
        self._schemas.clear()
