"""The exception tree: builtin bases, Confluent codes, pickling."""

from __future__ import annotations

import pickle

import pytest

import schemakit as sk
from schemakit.errors import ERROR_CODES

ERROR_CLASSES = sorted(
    (
        obj
        for obj in vars(sk).values()
        if isinstance(obj, type) and issubclass(obj, sk.SchemakitError)
    ),
    key=lambda cls: cls.__name__,
)


def _instance(cls: type[sk.SchemakitError]) -> sk.SchemakitError:
    kwargs = {
        sk.SchemaParseError: {"path": "/fields/3/type"},
        sk.InferenceError: {"column": "dep time", "row": 7},
    }.get(cls, {})
    return cls("what went wrong, and where", **kwargs)


@pytest.mark.parametrize("cls", ERROR_CLASSES, ids=lambda c: c.__name__)
def test_every_error_pickles_with_its_data(cls: type[sk.SchemakitError]) -> None:
    error = _instance(cls)
    clone = pickle.loads(pickle.dumps(error))
    assert type(clone) is cls
    assert str(clone) == str(error)
    assert clone.__dict__ == error.__dict__


@pytest.mark.parametrize("cls", ERROR_CLASSES, ids=lambda c: c.__name__)
def test_every_error_has_a_confluent_code(cls: type[sk.SchemakitError]) -> None:
    error = _instance(cls)
    assert error.error_code in ERROR_CODES
    assert error.http_status == ERROR_CODES[error.error_code][0]


@pytest.mark.parametrize(
    ("cls", "builtin"),
    [(sk.SchemaParseError, ValueError), (sk.InferenceError, ValueError)],
)
def test_errors_subclass_the_closest_builtin(cls: type[Exception], builtin: type) -> None:
    assert issubclass(cls, builtin)
    assert issubclass(cls, sk.SchemakitError)
