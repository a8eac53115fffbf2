"""Subject names as text: what validation calls a bad character, and how reprs show bidi controls.

A subject may hold any character but control characters and lone surrogates, bidi controls
included (Confluent accepts them); what a person reads (reprs, HTML tables) shows them escaped so
a subject cannot display as another.
"""

from __future__ import annotations

import unicodedata

import hypothesis.strategies as st
import pytest
from hypothesis import given, settings

from schemakit import _html
from schemakit._bidi import BIDI_CONTROLS, escape_bidi
from schemakit.errors import InvalidSubjectError
from schemakit.registry import Registry
from schemakit.registry._backend import subject_problem

SCHEMA = {"type": "record", "name": "R", "fields": [{"name": "a", "type": "long"}]}

# (subject, fragment of the message, fragment it must not have)
INVALID = [
    ("a\x00b", "the control character U+0000 (at 1)", "surrogate"),
    ("\x1b[31m", "the control character U+001B (at 0)", "surrogate"),
    ("a\x85", "the control character U+0085 (at 1)", "surrogate"),
    ("a\ud800", "the lone surrogate U+D800 (at 1)", "control"),
    ("\udc80x", "the lone surrogate U+DC80 (at 0)", "control"),
    ("ok\udfff", "the lone surrogate U+DFFF (at 2)", "control"),
]


@pytest.mark.parametrize(("subject", "says", "never"), INVALID)
def test_invalid_subjects_name_the_character_by_its_kind(
    subject: str, says: str, never: str
) -> None:
    with Registry(":memory:") as registry:
        with pytest.raises(InvalidSubjectError) as info:
            registry.register(subject, SCHEMA)
        assert says in str(info.value)
        assert never not in str(info.value)
        assert registry.subjects() == []


def sneaky(control: str) -> str:
    return f"invoice{control}eulav-"


@pytest.mark.parametrize("control", sorted(BIDI_CONTROLS), ids=lambda c: f"U+{ord(c):04X}")
def test_bidi_controls_are_valid_and_shown_escaped(control: str) -> None:
    subject = sneaky(control)
    escaped = f"invoice\\u{ord(control):04x}eulav-"
    assert escape_bidi(subject) == escaped
    with Registry(":memory:") as registry:
        done = registry.register(subject, SCHEMA)
        assert registry.subjects() == [subject]  # stored as given
        for shown in (repr(done), done._repr_html_(), registry._repr_html_()):
            assert control not in shown
            assert escaped in shown


def test_escape_leaves_other_text_alone() -> None:
    text = "flights-value \N{GRINNING FACE} \u200d \u00e9 \\u202e"
    assert escape_bidi(text) == text


# Every character, surrogates included (st.text leaves them out by default), bidi controls often.
CHARACTERS = st.characters(exclude_categories=()) | st.sampled_from(sorted(BIDI_CONTROLS))


@settings(max_examples=300, deadline=None)
@given(subject=st.text(CHARACTERS, max_size=12))
def test_any_text_is_a_subject_or_refused_by_the_kind_of_its_first_bad_character(
    subject: str,
) -> None:
    problem = subject_problem(subject)
    kinds = [unicodedata.category(c) for c in subject]
    if not subject:
        assert problem == "a subject may not be empty"
    elif "Cc" in kinds or "Cs" in kinds:
        at = next(i for i, kind in enumerate(kinds) if kind in ("Cc", "Cs"))
        kind = "the lone surrogate" if kinds[at] == "Cs" else "the control character"
        assert problem == f"a subject may not contain {kind} U+{ord(subject[at]):04X} (at {at})"
    else:
        assert problem is None
        shown = _html.escape(subject)
        assert not BIDI_CONTROLS & set(shown)
        assert not BIDI_CONTROLS & set(escape_bidi(subject))
