"""HTTP basic authentication from a file of users.

The file has one user per line, ``user:password`` or ``user:sha256:<64 hex digits>`` (the
SHA-256 of the UTF-8 password); blank lines and lines starting with ``#`` are skipped. A user
name may not contain ``:``. A password that itself looks like ``sha256:<64 hex>`` must be given
in the hashed form. Passwords are compared as SHA-256 digests with
:func:`secrets.compare_digest`, and an unknown user costs the same comparison as a known one.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
import secrets
from collections.abc import Mapping

from schemakit.errors import SchemakitError

__all__ = ["BasicAuth", "load_users"]

_HASHED = re.compile(r"sha256:([0-9a-fA-F]{64})")
_DUMMY = hashlib.sha256(b"schemakit: no such user").digest()


def _digest(password: str) -> bytes:
    return hashlib.sha256(password.encode("utf-8")).digest()


def load_users(path: str | os.PathLike[str]) -> dict[str, bytes]:
    """Read an auth file; user → SHA-256 digest of the password.

    Raises
    ------
    SchemakitError
        The file cannot be read, or a line is malformed (the message names the line number,
        never the password).
    """
    try:
        with open(path, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise SchemakitError(f"cannot read the auth file {os.fspath(path)!r}: {exc}") from exc
    users: dict[str, bytes] = {}
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        user, sep, secret = stripped.partition(":")
        if not sep or not user or not secret:
            message = (
                f"auth file {os.fspath(path)!r} line {number}: expected 'user:password' or "
                "'user:sha256:<hex>'"
            )
            raise SchemakitError(message)
        hashed = _HASHED.fullmatch(secret)
        users[user] = bytes.fromhex(hashed.group(1)) if hashed else _digest(secret)
    if not users:
        raise SchemakitError(f"auth file {os.fspath(path)!r} lists no user")
    return users


class BasicAuth:
    """Checks an ``Authorization: Basic …`` header against a table of users.

    Parameters
    ----------
    users : mapping of str to bytes
        User name → SHA-256 digest of the UTF-8 password (what :func:`load_users` returns).

    See Also
    --------
    load_users, create_app : ``auth=`` takes a BasicAuth or the path of an auth file.

    Examples
    --------
    >>> import base64, hashlib
    >>> auth = BasicAuth({"alice": hashlib.sha256(b"wonderland").digest()})
    >>> auth.check("Basic " + base64.b64encode(b"alice:wonderland").decode())
    True
    >>> auth.check("Basic " + base64.b64encode(b"alice:guess").decode())
    False
    """

    realm = "schemakit"

    def __init__(self, users: Mapping[str, bytes]) -> None:
        self._users = dict(users)

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> BasicAuth:
        """The users of an auth file (see the module docstring)."""
        return cls(load_users(path))

    def check(self, header: str | None) -> bool:
        """Whether the header carries the right password for a known user."""
        if not header:
            return False
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return False
        user, sep, password = decoded.partition(":")
        if not sep:
            return False
        expected = self._users.get(user)
        # Compare even for an unknown user, so timing does not tell which users exist.
        same = secrets.compare_digest(_digest(password), expected or _DUMMY)
        return same and expected is not None
