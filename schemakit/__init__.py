"""schemakit: schemas, a schema registry and Kafka wire-format records from a notebook."""

import schemakit.accessors  # noqa: F401  (registers df.schemakit and s.schemakit)
from schemakit.compat import CompatibilityResult, check_compatibility
from schemakit.diff import FieldChange, SchemaDiff, diff
from schemakit.errors import (
    DecodeError,
    DefaultRegistryWarning,
    EncodeError,
    IncompatibleSchemaError,
    InferenceError,
    InvalidCompatibilityLevelError,
    InvalidSubjectError,
    InvalidVersionError,
    OperationNotPermittedError,
    PerformanceWarning,
    RegistryBusyError,
    RegistryConnectionError,
    SchemakitError,
    SchemakitWarning,
    SchemaNotFoundError,
    SchemaParseError,
    SubjectNotFoundError,
    VersionNotFoundError,
)
from schemakit.infer import infer
from schemakit.registry import (
    ExportReport,
    ImportReport,
    IntegrityReport,
    RegisteredSchema,
    Registry,
)
from schemakit.schema import Schema
from schemakit.serde import Deserializer, Serializer, decode, encode

__all__ = [
    "CompatibilityResult",
    "DecodeError",
    "DefaultRegistryWarning",
    "Deserializer",
    "EncodeError",
    "ExportReport",
    "FieldChange",
    "ImportReport",
    "IncompatibleSchemaError",
    "InferenceError",
    "IntegrityReport",
    "InvalidCompatibilityLevelError",
    "InvalidSubjectError",
    "InvalidVersionError",
    "OperationNotPermittedError",
    "PerformanceWarning",
    "RegisteredSchema",
    "Registry",
    "RegistryBusyError",
    "RegistryConnectionError",
    "Schema",
    "SchemaDiff",
    "SchemaNotFoundError",
    "SchemaParseError",
    "SchemakitError",
    "SchemakitWarning",
    "Serializer",
    "SubjectNotFoundError",
    "VersionNotFoundError",
    "check_compatibility",
    "decode",
    "diff",
    "encode",
    "infer",
]

__version__ = "0.1.0"
