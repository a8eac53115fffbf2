"""The schema registry: Confluent Schema Registry semantics in one DuckDB file or in memory.

See docs/registry.md for the rules (each with its source), the file layout and concurrency.
"""

from schemakit.registry.registry import (
    ExportReport,
    ImportReport,
    IntegrityReport,
    RegisteredSchema,
    Registry,
)

__all__ = ["ExportReport", "ImportReport", "IntegrityReport", "RegisteredSchema", "Registry"]
