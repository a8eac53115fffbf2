"""schemakit: schemas, a schema registry and Kafka wire-format records from a notebook."""

from schemakit.errors import (
    IncompatibleSchemaError,
    InferenceError,
    InvalidCompatibilityLevelError,
    RegistryBusyError,
    SchemakitError,
    SchemaNotFoundError,
    SchemaParseError,
    SubjectNotFoundError,
    VersionNotFoundError,
)
from schemakit.infer import infer
from schemakit.schema import Schema

__all__ = [
    "IncompatibleSchemaError",
    "InferenceError",
    "InvalidCompatibilityLevelError",
    "RegistryBusyError",
    "Schema",
    "SchemaNotFoundError",
    "SchemaParseError",
    "SchemakitError",
    "SubjectNotFoundError",
    "VersionNotFoundError",
    "infer",
]

__version__ = "0.1.0"
