"""schemakit: schemas, a schema registry and Kafka wire-format records from a notebook."""

from schemakit.errors import InferenceError, SchemakitError, SchemaParseError
from schemakit.infer import infer
from schemakit.schema import Schema

__all__ = [
    "InferenceError",
    "Schema",
    "SchemaParseError",
    "SchemakitError",
    "infer",
]

__version__ = "0.1.0"
