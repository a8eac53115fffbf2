"""schemakit: schemas, a schema registry and Kafka wire-format records from a notebook."""

from schemakit.compat import CompatibilityResult, check_compatibility
from schemakit.diff import FieldChange, SchemaDiff, diff
from schemakit.errors import (
    IncompatibleSchemaError,
    InferenceError,
    InvalidCompatibilityLevelError,
    InvalidSubjectError,
    InvalidVersionError,
    RegistryBusyError,
    SchemakitError,
    SchemaNotFoundError,
    SchemaParseError,
    SubjectNotFoundError,
    VersionNotFoundError,
)
from schemakit.infer import infer
from schemakit.registry import IntegrityReport, RegisteredSchema, Registry
from schemakit.schema import Schema

__all__ = [
    "CompatibilityResult",
    "FieldChange",
    "IncompatibleSchemaError",
    "InferenceError",
    "IntegrityReport",
    "InvalidCompatibilityLevelError",
    "InvalidSubjectError",
    "InvalidVersionError",
    "RegisteredSchema",
    "Registry",
    "RegistryBusyError",
    "Schema",
    "SchemaDiff",
    "SchemaNotFoundError",
    "SchemaParseError",
    "SchemakitError",
    "SubjectNotFoundError",
    "VersionNotFoundError",
    "check_compatibility",
    "diff",
    "infer",
]

__version__ = "0.1.0"
