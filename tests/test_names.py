"""Avro name rules and the column-name sanitizing rule (schemakit/_names.py)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schemakit._names import (
    fullname,
    is_valid_name,
    is_valid_namespace,
    sanitize_name,
    sanitize_names,
    split_fullname,
)


@pytest.mark.parametrize(
    ("name", "valid"),
    [
        ("a", True),
        ("_", True),
        ("A_1", True),
        ("1a", False),
        ("", False),
        ("a.b", False),
        ("dr. spaceman", False),
        ("naïve", False),
        ("a-b", False),
        (None, False),
        (3, False),
    ],
)
def test_is_valid_name(name: object, valid: bool) -> None:
    assert is_valid_name(name) is valid


@pytest.mark.parametrize(
    ("namespace", "valid"),
    [("", True), ("a", True), ("com.acme", True), ("com..acme", False), ("com.1x", False)],
)
def test_is_valid_namespace(namespace: str, valid: bool) -> None:
    assert is_valid_namespace(namespace) is valid


@pytest.mark.parametrize(
    ("name", "namespace", "expected"),
    [
        ("Flight", "com.acme", ("com.acme", "Flight")),
        ("org.x.Flight", "com.acme", ("org.x", "Flight")),
        ("Flight", None, ("", "Flight")),
    ],
)
def test_split_fullname(name: str, namespace: str | None, expected: tuple[str, str]) -> None:
    assert split_fullname(name, namespace) == expected
    space, short = expected
    assert fullname(name, namespace) == (f"{space}.{short}" if space else short)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("dep time", "dep_time"),
        ("2nd", "_2nd"),
        ("naïve", "naive"),
        ("a.b", "a_b"),
        ("", "_"),
        ("日本", "__"),
        ("Ångström", "Angstrom"),
    ],
)
def test_sanitize_name(name: str, expected: str) -> None:
    assert sanitize_name(name) == expected


def test_sanitize_names_keeps_valid_names_and_suffixes_collisions() -> None:
    # "a_b" is already valid and keeps its spelling; the sanitized "a.b" and "a b" move aside.
    assert sanitize_names(["a.b", "a_b", "a b", "a_b_2"]) == ["a_b_3", "a_b", "a_b_4", "a_b_2"]


@given(st.lists(st.text(max_size=6), max_size=12, unique=True))
def test_sanitize_names_gives_unique_valid_names(names: list[str]) -> None:
    result = sanitize_names(names)
    assert len(result) == len(names)
    assert len(set(result)) == len(result)
    assert all(is_valid_name(n) for n in result)
    assert all(r == n for r, n in zip(result, names, strict=True) if is_valid_name(n))
