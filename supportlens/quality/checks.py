"""Small builders for the checks the suites repeat, so suite modules read like a data contract."""

from __future__ import annotations

from typing import Any

import great_expectations.expectations as gxe

from supportlens.quality.spec import Check, Dimension, Helper, Severity, param

#: DuckDB type per type family of the contracts (lists: any `…[]`).
DUCKDB_TYPES: dict[str, str] = {
    "varchar": "VARCHAR",
    "int": "INTEGER",
    "bigint": "BIGINT",
    "double": "DOUBLE",
    "boolean": "BOOLEAN",
    "timestamptz": "TIMESTAMP WITH TIME ZONE",
    "list": "[]",
}
#: Column added to every frame: "" when each column has its contract type, else a
#: description of each mismatch ("turn_index is BIGINT, expected INTEGER").
TYPE_MISMATCHES = "dq_type_mismatches"

#: Row counts may not fall below this share of the previous successful run (error) …
VOLUME_MIN_RATIO = 0.7
#: … and a rise above this multiple is worth a look (warning).
VOLUME_MAX_RATIO = 2.0

E = Severity.ERROR
W = Severity.WARNING


def schema(columns: list[str]) -> list[Check]:
    """Exact column set (error; its result names missing and extra columns) and the DuckDB
    type of every contract column (error).

    Types are compared in DuckDB terms (exact: INTEGER vs BIGINT, timestamptz, lists) by
    `data.type_mismatches` and checked through one helper column: GX's pandas type checks
    see only pandas dtypes and cost one expectation per column on every run.
    """
    return [
        Check(
            gxe.ExpectTableColumnsToMatchSet,
            {"column_set": [*columns, TYPE_MISMATCHES], "exact_match": True},
            E,
            Dimension.SCHEMA,
        ),
        Check(
            gxe.ExpectColumnValuesToBeInSet,
            {"column": TYPE_MISMATCHES, "value_set": [""]},
            E,
            Dimension.SCHEMA,
            notes="every column has its contract type",
        ),
    ]


def volume() -> list[Check]:
    """Row count within a band of the previous successful run (parameters per run)."""
    return [
        Check(
            gxe.ExpectTableRowCountToBeBetween,
            {"min_value": param("min_rows"), "max_value": None},
            E,
            Dimension.VOLUME,
            notes=f"at least {VOLUME_MIN_RATIO:.0%} of the previous run's rows (1 on the first)",
        ),
        Check(
            gxe.ExpectTableRowCountToBeBetween,
            {"min_value": None, "max_value": param("max_rows")},
            W,
            Dimension.VOLUME,
            notes=f"at most {VOLUME_MAX_RATIO:g}x the previous run's rows",
        ),
    ]


def not_null(column: str, severity: Severity = E, mostly: float = 1.0) -> Check:
    kwargs: dict[str, Any] = {"column": column}
    if mostly < 1.0:
        kwargs["mostly"] = mostly
    return Check(gxe.ExpectColumnValuesToNotBeNull, kwargs, severity, Dimension.COMPLETENESS)


def unique(column: str, severity: Severity = E) -> Check:
    return Check(
        gxe.ExpectColumnValuesToBeUnique, {"column": column}, severity, Dimension.CONSISTENCY
    )


def in_set(
    column: str, values: list[Any] | dict[str, str], severity: Severity = E, mostly: float = 1.0
) -> Check:
    kwargs: dict[str, Any] = {"column": column, "value_set": values}
    if mostly < 1.0:
        kwargs["mostly"] = mostly
    return Check(gxe.ExpectColumnValuesToBeInSet, kwargs, severity, Dimension.VALIDITY)


def regex(column: str, pattern: str, severity: Severity = E) -> Check:
    return Check(
        gxe.ExpectColumnValuesToMatchRegex,
        {"column": column, "regex": pattern},
        severity,
        Dimension.VALIDITY,
    )


def between(
    column: str,
    low: Any,
    high: Any,
    severity: Severity = E,
    dimension: Dimension = Dimension.VALIDITY,
    mostly: float = 1.0,
) -> Check:
    kwargs: dict[str, Any] = {"column": column, "min_value": low, "max_value": high}
    if mostly < 1.0:
        kwargs["mostly"] = mostly
    return Check(gxe.ExpectColumnValuesToBeBetween, kwargs, severity, dimension)


def timestamp_in_range(column: str, earliest_param: str) -> Check:
    """Timestamps between a source-specific earliest date and one day after the run."""
    return between(column, param(earliest_param), param("latest_timestamp"), E)


def flag_true(helper: str, severity: Severity = E, mostly: float = 1.0) -> Check:
    """A consistency helper column must be true wherever it applies (NULL = not applicable)."""
    kwargs: dict[str, Any] = {"column": helper, "value_set": [True]}
    if mostly < 1.0:
        kwargs["mostly"] = mostly
    return Check(gxe.ExpectColumnValuesToBeInSet, kwargs, severity, Dimension.CONSISTENCY)


def text_length_quantiles(helper: str, median_range: tuple[int, int], p95_max: int) -> list[Check]:
    """Text length distribution (warnings): the median within a range, and at least 95 % of
    texts between 1 and `p95_max` characters (i.e. the 5 % and 95 % quantiles in range).

    Not `expect_column_quantile_values_to_be_between`: in GX 1.24.1 its pandas result
    holds numpy booleans that the validation-results store cannot serialise.
    """
    low, high = median_range
    return [
        Check(
            gxe.ExpectColumnMedianToBeBetween,
            {"column": helper, "min_value": low, "max_value": high},
            W,
            Dimension.DISTRIBUTION,
            notes="median text length",
        ),
        between(helper, 1, p95_max, W, Dimension.DISTRIBUTION, mostly=0.95),
    ]


def share_within(helper: str, low: float, high: float) -> Check:
    """Each value's share of rows (computed per row by a helper) within bounds (warning)."""
    return between(helper, low, high, W, Dimension.DISTRIBUTION)


# --- helpers -----------------------------------------------------------------------------


def length_helper(column: str) -> Helper:
    return Helper(f"dq_{column}_length", f"length(src.{column})", (column,), "bigint")


def share_helper(column: str) -> Helper:
    """Share of all rows that carry this row's value (NULL for NULL values)."""
    return Helper(
        f"dq_{column}_share",
        f"case when src.{column} is not null then "
        f"count(*) over (partition by src.{column}) / count(*) over () end",
        (column,),
        "double",
    )


def gap_free_helper(group: str, index: str) -> Helper:
    """True when a row's index is its predecessor's + 1 within the group (NULL for the first)."""
    return Helper(
        f"dq_{index}_follows_previous",
        f"src.{index} - lag(src.{index}) over (partition by src.{group} order by src.{index}) = 1",
        (group, index),
        consistency=True,
    )


def first_index_helper(group: str, index: str) -> Helper:
    """True when a group's smallest index is 0 or 1 (set on each group's first row only)."""
    return Helper(
        f"dq_{index}_starts_at_0_or_1",
        f"case when row_number() over (partition by src.{group} order by src.{index}) = 1 "
        f"then src.{index} in (0, 1) end",
        (group, index),
        consistency=True,
    )


def not_before_previous_helper(group: str, index: str, stamp: str) -> Helper:
    """True when a row's timestamp is not before the previous row's in the same group."""
    return Helper(
        f"dq_{stamp}_not_before_previous",
        f"src.{stamp} >= lag(src.{stamp}) over (partition by src.{group} order by src.{index})",
        (group, index, stamp),
        consistency=True,
    )
