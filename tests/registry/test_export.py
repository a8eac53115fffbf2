"""``export_jsonl`` / ``import_jsonl``: a registry as JSON lines and back, ids and versions kept.

The round trip is a property over random registries (a few subjects, versions, soft and
permanent deletes, levels and modes), on ``":memory:"`` and on a DuckDB file, and once through a
served registry; bad files are a rules table, each refused with the error that names the line,
and with nothing written.
"""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from schemakit.errors import (
    InvalidCompatibilityLevelError,
    InvalidModeError,
    InvalidSubjectError,
    InvalidVersionError,
    OperationNotPermittedError,
    SchemaIdConflictError,
    SchemakitError,
    SchemaParseError,
)
from schemakit.registry import ExportReport, Registry
from tests.registry.conftest import served_in_thread
from tests.registry.test_verify import snapshot

SUBJECTS = ["a-value", "b-value", "c'; DROP TABLE schemas; --", "ünï"]
SCHEMAS: list[tuple[Any, str]] = [
    ({"type": "record", "name": "R", "fields": [{"name": "x", "type": "long"}]}, "AVRO"),
    (
        {"type": "record", "name": "R", "doc": "d", "fields": [{"name": "x", "type": "long"}]},
        "AVRO",
    ),
    ({"type": "record", "name": "R", "fields": [{"name": "y", "type": "string"}]}, "AVRO"),
    ('"string"', "AVRO"),
    ({"type": "object", "properties": {"x": {"type": "integer"}}}, "JSON"),
]
LEVELS = ["NONE", "BACKWARD", "FULL_TRANSITIVE"]
MODES = ["READWRITE", "READONLY", "IMPORT"]

scopes = st.sampled_from([*SUBJECTS, None])
operations = st.lists(
    st.one_of(
        st.tuples(st.just("register"), st.sampled_from(SUBJECTS), st.integers(0, len(SCHEMAS) - 1)),
        st.tuples(st.just("delete"), st.sampled_from(SUBJECTS), st.integers(1, 4)),
        st.tuples(st.just("purge"), st.sampled_from(SUBJECTS), st.integers(1, 4)),
        st.tuples(st.just("level"), scopes, st.sampled_from(LEVELS)),
        st.tuples(st.just("mode"), scopes, st.sampled_from(MODES)),
    ),
    max_size=12,
)


def build(reg: Registry, ops: list[tuple[str, Any, Any]]) -> None:
    """Apply ``ops``; one the registry refuses (a delete of nothing, a write in READONLY mode)
    is skipped, as a user's would fail."""
    reg.set_compatibility("NONE")
    for op, target, arg in ops:
        with contextlib.suppress(SchemakitError):
            if op == "register":
                schema, schema_type = SCHEMAS[arg]
                reg.register(target, schema, schema_type=schema_type)
            elif op == "delete":
                reg.delete_version(target, arg)
            elif op == "purge":
                with contextlib.suppress(SchemakitError):
                    reg.delete_version(target, arg)
                reg.delete_version(target, arg, permanent=True)
            elif op == "level":
                reg.set_compatibility(arg, target)
            else:
                reg.set_mode(arg, target, force=True)


@contextlib.contextmanager
def registries(kind: str) -> Iterator[tuple[Registry, Registry]]:
    """A source and an empty target registry of one kind."""
    with tempfile.TemporaryDirectory() as folder:
        where = [":memory:"] * 2 if kind == "memory" else [f"{folder}/{n}.duckdb" for n in "st"]
        with Registry(where[0]) as source, Registry(where[1]) as target:
            yield source, target


def export_text(reg: Registry) -> str:
    out = io.StringIO()
    report = reg.export_jsonl(out)
    assert report.ok, report.problems
    return out.getvalue()


OPS = [
    ("register", "a-value", 0),
    ("register", "a-value", 1),
    ("delete", "a-value", 1),
    ("register", "a-value", 0),
    ("register", "b-value", 4),
    ("register", "b-value", 2),
    ("purge", "b-value", 1),
    ("level", "b-value", "FULL_TRANSITIVE"),
    ("mode", "a-value", "READONLY"),
]


@pytest.mark.parametrize(("kind", "examples"), [("memory", 40), ("file", 6)])
def test_export_then_import_restores_the_registry(kind: str, examples: int) -> None:
    @settings(max_examples=examples, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(ops=operations)
    @example(ops=OPS)  # a schema soft-deleted, then registered again: the same id, live
    def round_trip(ops: list[tuple[str, Any, Any]]) -> None:
        with registries(kind) as (source, target):
            build(source, ops)
            text = export_text(source)
            report = target.import_jsonl(io.StringIO(text))
            assert snapshot(target, SUBJECTS) == snapshot(source, SUBJECTS)
            kinds = [json.loads(line)["kind"] for line in text.splitlines()]
            assert report.versions == kinds.count("version")
            assert target.verify().ok
            # The copy exports the same bytes, and importing again changes nothing.
            assert export_text(target) == text
            again = target.import_jsonl(io.StringIO(text))
            assert (again.written, again.deleted, again.settings) == (0, 0, 0)
            assert again.present == report.versions
            assert export_text(target) == text

    round_trip()


def test_a_served_registry_exports_and_imports(tmp_path: Path) -> None:
    with Registry(":memory:") as source:
        build(source, OPS)
        text = export_text(source)
        with served_in_thread(tmp_path / "served.duckdb") as url, Registry(url) as remote:
            remote.import_jsonl(io.StringIO(text))  # over REST, in IMPORT mode
            assert snapshot(remote, SUBJECTS) == snapshot(source, SUBJECTS)
            assert export_text(remote) == text
            with Registry(":memory:") as back:
                back.import_jsonl(io.StringIO(export_text(remote)))
                assert snapshot(back, SUBJECTS) == snapshot(source, SUBJECTS)


def test_a_path_is_written_whole_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "backup.jsonl"
    path.write_text("an older backup\n")
    with Registry(":memory:") as source, Registry(tmp_path / "new.duckdb") as target:
        build(source, OPS)
        report = source.export_jsonl(path)
        assert (report.versions, report.schemas) == (4, 3)
        assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".export-")] == []
        target.import_jsonl(path)
        assert snapshot(target, SUBJECTS) == snapshot(source, SUBJECTS)
        with path.open("rb") as binary:
            target.import_jsonl(binary)  # a binary file is read as UTF-8 too
        assert snapshot(target, SUBJECTS) == snapshot(source, SUBJECTS)


# -- bad files ---------------------------------------------------------------------------------

HEADER = {"kind": "schemakit-registry", "format": 1}
GOOD = {
    "kind": "version",
    "subject": "s",
    "version": 1,
    "id": 1,
    "schemaType": "AVRO",
    "schema": '"long"',
    "references": [],
    "deleted": False,
}


def line(**changes: Any) -> str:
    return json.dumps({k: v for k, v in {**GOOD, **changes}.items() if v is not ...})


BAD: list[tuple[str, list[str], type[Exception], str]] = [
    ("not JSON", ["{"], SchemaParseError, "line 2 is not JSON"),
    ("not an object", ["[1]"], SchemaParseError, "line 2 is not a JSON object"),
    ("unknown kind", ['{"kind": "subject"}'], SchemaParseError, "line 2: unknown kind 'subject'"),
    ("no kind", ['{"subject": "s"}'], SchemaParseError, "unknown kind None"),
    ("missing id", [line(id=...)], SchemaParseError, "line 2: a 'version' line needs 'id'"),
    ("version a string", [line(version="1")], SchemaParseError, "'version' must be an integer"),
    ("version a bool", [line(version=True)], SchemaParseError, "'version' must be an integer"),
    ("deleted a string", [line(deleted="no")], SchemaParseError, "'deleted' must be true or false"),
    ("schema not text", [line(schema={"type": "long"})], SchemaParseError, "'schema' must be"),
    ("id 0", [line(id=0)], SchemaIdConflictError, "line 2: invalid schema id 0"),
    ("id past int32", [line(id=2**31)], SchemaIdConflictError, "line 2: invalid schema id"),
    ("version 0", [line(version=0)], InvalidVersionError, "line 2: invalid version 0"),
    ("empty subject", [line(subject="")], InvalidSubjectError, "line 2: invalid subject ''"),
    ("control character", [line(subject="a\x00b")], InvalidSubjectError, "U+0000"),
    ("bad schema", [line(schema='{"type": "nope"}')], SchemaParseError, "line 2: "),
    ("unknown schema type", [line(schemaType="XYZ")], SchemaParseError, "line 2: schema_type"),
    (
        "references",
        [line(references=[{"name": "n", "subject": "t", "version": 1}])],
        SchemaParseError,
        "line 2: schema references are not supported",
    ),
    ("unknown field", [line(metadata={})], SchemaParseError, "unknown fields ['metadata']"),
    (
        "bad level",
        ['{"kind": "config", "subject": null, "compatibility": "STRICT"}'],
        InvalidCompatibilityLevelError,
        "line 2: ",
    ),
    (
        "bad mode",
        ['{"kind": "mode", "subject": "s", "mode": "WRITE"}'],
        InvalidModeError,
        "line 2: ",
    ),
    (
        "scope not text",
        ['{"kind": "mode", "subject": 5, "mode": "IMPORT"}'],
        SchemaParseError,
        "'subject' must be a string or null",
    ),
    (
        "a version twice",
        [line(), line(schema='"int"', id=2)],
        SchemaIdConflictError,
        "line 3: line 2 gives subject 's' version 1 too",
    ),
    (
        "an id for two schemas",
        [line(), line(subject="t", schema='"int"')],
        SchemaIdConflictError,
        "line 3: line 2 gives schema id 1 to another schema",
    ),
    (
        "a schema with two ids",
        [line(), line(subject="t", id=2)],
        SchemaIdConflictError,
        "line 3: line 2 gives this schema id 1, not 2",
    ),
    (
        "a schema live twice",
        [line(), line(version=2)],
        SchemaIdConflictError,
        "subject 's' has this schema live as version 1 already",
    ),
    ("nested 100,000 deep", ["[" * 100_000 + "]" * 100_000], SchemaParseError, "not JSON"),
    (
        "a 5,000-digit number",
        [line(version=...)[:-1] + ', "version": ' + "1" * 5000 + "}"],
        SchemaParseError,
        "line 2 is not JSON",
    ),
    ("a second header", [json.dumps(HEADER)], SchemaParseError, "line 2: a second"),
]
HEADLESS: list[tuple[str, str, str]] = [
    ("no header", line() + "\n", "line 1: not a schemakit registry export"),
    ("another format", json.dumps({**HEADER, "format": 2}) + "\n", "format 2 is not known"),
    ("empty", "\n\n", "is empty: not a schemakit registry export"),
]


@pytest.fixture
def target() -> Iterator[Registry]:
    with Registry(":memory:") as reg:
        yield reg


def _refused(reg: Registry, source: Any, error: type[Exception], fragment: str) -> None:
    before = reg._backend.dump()  # type: ignore[attr-defined]
    with pytest.raises(error) as info:
        reg.import_jsonl(source)
    assert fragment in str(info.value)
    assert isinstance(info.value, SchemakitError)
    assert reg._backend.dump() == before  # type: ignore[attr-defined]


@pytest.mark.parametrize(("case", "lines", "error", "fragment"), BAD, ids=[c[0] for c in BAD])
def test_a_bad_line_is_refused_naming_it(
    target: Registry, case: str, lines: list[str], error: type[Exception], fragment: str
) -> None:
    text = "\n".join([json.dumps(HEADER), *lines]) + "\n"
    _refused(target, io.StringIO(text), error, fragment)


@pytest.mark.parametrize(("case", "text", "fragment"), HEADLESS, ids=[c[0] for c in HEADLESS])
def test_a_file_that_is_not_an_export_is_refused(
    target: Registry, case: str, text: str, fragment: str
) -> None:
    _refused(target, io.StringIO(text), SchemaParseError, fragment)


def test_bytes_that_are_not_utf8_are_refused(target: Registry) -> None:
    data = (json.dumps(HEADER) + "\n").encode() + line().encode()[:-2] + b'\xff"}\n'
    _refused(target, io.BytesIO(data), SchemaParseError, "line 2 is not UTF-8")


def test_an_endless_line_is_refused_after_the_limit(target: Registry) -> None:
    _refused(target, "/dev/zero", SchemaParseError, "/dev/zero, line 1 is longer than")


def test_a_missing_file_is_refused(target: Registry, tmp_path: Path) -> None:
    _refused(target, tmp_path / "nothing.jsonl", SchemaParseError, "cannot read")


# -- the registry imported into ----------------------------------------------------------------


def _file(*lines: str) -> io.StringIO:
    return io.StringIO("\n".join([json.dumps(HEADER), *lines]) + "\n")


def test_a_registry_with_live_versions_must_be_in_import_mode_or_forced(target: Registry) -> None:
    target.register("other", '"string"')  # id 1
    backup = _file(line(id=5))
    _refused(target, backup, OperationNotPermittedError, "must be empty or in IMPORT mode")
    report = target.import_jsonl(_file(line(id=5)), force=True)
    assert report.written == 1
    assert target.get_version("s", 1).id == 5
    assert target.mode() == "READWRITE"  # switched to IMPORT for the import, then back


def test_an_import_mode_registry_takes_an_import_and_stays_in_import_mode(target: Registry) -> None:
    target.set_mode("IMPORT")
    target.register("other", '"string"', schema_id=7)
    assert target.import_jsonl(_file(line())).written == 1
    assert target.mode() == "IMPORT"


@pytest.mark.parametrize(
    ("held", "fragment"),
    [
        (
            {"subject": "s", "schema": '"int"', "schema_id": 1},
            "subject 's' version 1 is schema id 1",
        ),
        (
            {"subject": "s", "schema": '"long"', "schema_id": 9},
            "subject 's' version 1 is schema id 9",
        ),
        ({"subject": "t", "schema": '"int"', "schema_id": 1}, "schema id 1 is another schema"),
    ],
)
def test_a_version_or_id_held_otherwise_is_a_conflict(
    target: Registry, held: dict[str, Any], fragment: str
) -> None:
    target.set_mode("IMPORT")
    target.register(held["subject"], held["schema"], schema_id=held["schema_id"], version=1)
    _refused(target, _file(line()), SchemaIdConflictError, fragment)


def test_a_soft_delete_is_not_undone(target: Registry) -> None:
    target.import_jsonl(_file(line(deleted=True)))
    assert target.versions("s", deleted=True) == [1]
    _refused(target, _file(line()), SchemaIdConflictError, "a soft delete cannot be undone")


def test_a_present_version_is_soft_deleted_as_the_file_says(target: Registry) -> None:
    target.import_jsonl(_file(line()))
    report = target.import_jsonl(_file(line(deleted=True), line(version=2)), force=True)
    assert (report.present, report.deleted, report.written) == (1, 1, 1)
    assert target.versions("s") == [2]
    assert target.versions("s", deleted=True) == [1, 2]


@settings(max_examples=60, deadline=None)
@given(subjects=st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=4, unique=True))
def test_any_valid_subject_survives_the_round_trip(subjects: list[str]) -> None:
    from schemakit.registry._backend import subject_problem

    valid = [s for s in subjects if subject_problem(s) is None]
    with Registry(":memory:") as source, Registry(":memory:") as target:
        for i, subject in enumerate(valid):
            source.register(subject, {"type": "enum", "name": "E", "symbols": [f"S{i}"]})
            source.set_compatibility("FULL", subject)
        target.import_jsonl(io.StringIO(export_text(source)))
        assert snapshot(target, valid) == snapshot(source, valid)


def test_reports_render_escaped() -> None:
    with Registry(":memory:") as reg, Registry(":memory:") as new:
        reg.register("<b>x</b>", '"long"')
        assert "everything was exported" in reg.export_jsonl(io.StringIO())._repr_html_()
        imported = new.import_jsonl(io.StringIO(export_text(reg)))
    assert repr(imported).startswith("ImportReport(1 versions into :memory:: 1 written")
    assert "Import into :memory:" in imported._repr_html_()
    lossy = ExportReport("r.duckdb", 0, 0, 0, ("subject '<b>x</b>' version 1: lost",))
    assert not lossy
    assert "&lt;b&gt;x&lt;/b&gt;" in lossy._repr_html_()
    assert "<b>" not in lossy._repr_html_()
