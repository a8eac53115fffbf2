"""A version's schema text for people: pretty JSON, its file name, a ``data:`` URL to download.

The pretty form changes whitespace outside strings and nothing else, so every key, number and
escape stays exactly as registered (``json.dumps(json.loads(text))`` would round floats, merge
duplicate keys and re-escape strings).
"""

from __future__ import annotations

import base64
import json
import re

__all__ = ["MAX_DOWNLOAD_BYTES", "MAX_SHOWN_CHARS", "data_url", "filename", "pretty"]

#: Characters of a schema shown in the explorer before "… N more characters".
MAX_SHOWN_CHARS = 100_000
#: The largest schema (UTF-8 bytes) offered as a ``data:`` download; the widget's state carries it.
MAX_DOWNLOAD_BYTES = 2 * 1024 * 1024

# A JSON string (escapes included), one structural character, a bare literal, or whitespace.
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\],:]|[^\s{}\[\],:"]+|\s+')
_OPEN = {"{": "}", "[": "]"}
_EXTENSION = {"AVRO": "avsc", "JSON": "json"}
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def pretty(text: str, *, indent: int = 2) -> str:
    """``text`` indented ``indent`` spaces a level when it is JSON; otherwise ``text`` itself.

    Only whitespace outside strings changes; empty objects and arrays stay ``{}`` and ``[]``.
    """
    try:
        json.loads(text)
    except ValueError:
        return text
    tokens = [t for t in _TOKEN.findall(text) if not t.isspace()]
    out: list[str] = []
    depth = 0
    for i, token in enumerate(tokens):
        following = tokens[i + 1] if i + 1 < len(tokens) else ""
        if token in _OPEN:
            if following == _OPEN[token]:  # an empty container stays on one line
                out.append(token)
                continue
            depth += 1
            out.append(token + "\n" + " " * indent * depth)
        elif token in ("}", "]"):
            if i and tokens[i - 1] in _OPEN and _OPEN[tokens[i - 1]] == token:
                out.append(token)
                continue
            depth -= 1
            out.append("\n" + " " * indent * depth + token)
        elif token == ",":
            out.append(",\n" + " " * indent * depth)
        elif token == ":":
            out.append(": ")
        else:
            out.append(token)
    return "".join(out) + "\n"


def filename(subject: str, version: int, schema_type: str) -> str:
    """``<subject>-v<version>.avsc`` (``.json`` for JSON Schema), the subject made file-safe."""
    safe = _UNSAFE.sub("_", subject).strip("._")[:100] or "schema"
    return f"{safe}-v{version}.{_EXTENSION.get(schema_type, 'txt')}"


def data_url(text: str) -> str:
    """``text`` as a base64 ``data:`` URL of UTF-8 JSON (no server, no file written)."""
    encoded = base64.b64encode(text.encode("utf-8")).decode("ascii")
    return f"data:application/json;charset=utf-8;base64,{encoded}"
