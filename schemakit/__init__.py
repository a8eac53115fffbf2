"""schemakit: schemas, a schema registry and Kafka wire-format records from a notebook."""

from schemakit.errors import InferenceError, SchemakitError, SchemaParseError

__all__ = [
    "InferenceError",
    "SchemaParseError",
    "SchemakitError",
]

__version__ = "0.1.0"
