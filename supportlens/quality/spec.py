"""The vocabulary of a suite definition: checks with a severity and a dimension, SQL helpers.

Suites are defined as code (see `landing_suites.py`, `mart_suites.py`) and written into the
Great Expectations file context by `project.py`; the JSON under `gx/` is generated, not
hand-edited. Values only known at run time (the row count of the previous run, the intent
catalogue, "now") enter the stored suites as GX suite parameters (`{"$PARAMETER": name}`)
and are supplied per run by `parameters.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import great_expectations.expectations as gxe
from great_expectations.expectations.metadata_types import FailureSeverity


class Severity(StrEnum):
    """error stops the pipeline; warning is recorded and shown."""

    ERROR = "error"
    WARNING = "warning"

    @property
    def gx(self) -> FailureSeverity:
        return FailureSeverity.CRITICAL if self is Severity.ERROR else FailureSeverity.WARNING

    @classmethod
    def from_gx(cls, value: FailureSeverity | str | None) -> Severity:
        return cls.WARNING if str(getattr(value, "value", value)) == "warning" else cls.ERROR


class Dimension(StrEnum):
    SCHEMA = "schema"
    COMPLETENESS = "completeness"
    VALIDITY = "validity"
    CONSISTENCY = "consistency"
    VOLUME = "volume"
    DISTRIBUTION = "distribution"


class Stage(StrEnum):
    LANDING = "landing"
    MARTS = "marts"


def param(name: str) -> dict[str, str]:
    """A GX suite parameter reference, resolved from the run's expectation parameters."""
    return {"$PARAMETER": name}


@dataclass(frozen=True)
class Check:
    """One expectation with its severity and the quality dimension it measures."""

    expectation: type[gxe.Expectation]
    kwargs: dict[str, Any]
    severity: Severity
    dimension: Dimension
    notes: str = ""

    def build(self) -> gxe.Expectation:
        meta: dict[str, Any] = {"dimension": self.dimension.value, "severity": self.severity.value}
        if self.notes:
            meta["notes"] = self.notes
        return self.expectation(**self.kwargs, severity=self.severity.gx, meta=meta)

    @property
    def column(self) -> str | None:
        return self.kwargs.get("column")


@dataclass(frozen=True)
class Helper:
    """A derived column computed in SQL before validation (consistency flags, lengths, shares).

    `sql` is an expression over the relation `src` (and any `joins`); when a column it
    `needs` is missing from the data, the helper becomes NULL so that the schema checks
    report the missing column instead of the query failing.
    """

    name: str
    sql: str
    needs: tuple[str, ...]
    sql_type: str = "boolean"
    ctes: str = ""
    joins: str = ""
    consistency: bool = False


@dataclass(frozen=True)
class SuiteSpec:
    """Everything needed to validate one table: where it lives, what it must look like."""

    name: str
    stage: Stage
    source: str
    table: str
    #: contract columns → DuckDB type family (varchar, int, bigint, boolean, timestamptz, list)
    columns: dict[str, str]
    checks: tuple[Check, ...]
    helpers: tuple[Helper, ...] = ()
    #: landed tables carry the lineage columns of docs/contracts.md
    lineage: bool = False

    @property
    def relation_label(self) -> str:
        return f"{self.source}/{self.table}" if self.stage is Stage.LANDING else self.table

    def column_types(self) -> dict[str, str]:
        """Contract columns (and lineage columns for landed tables) → type family."""
        return {**self.columns, **(LINEAGE_COLUMNS if self.lineage else {})}


LINEAGE_COLUMNS: dict[str, str] = {
    "_load_id": "varchar",
    "_source_file": "varchar",
    "_record": "bigint",
    "_loaded_at": "timestamptz",
}
