"""Completeness and consistency scores per source and load.

completeness: mean over the suite's completeness columns (those with a not-null check) of
the share of non-null values. consistency: share of rows where no consistency helper flag
is false (a NULL flag means "does not apply"). Landing data is grouped by `_load_id`;
marts by their `source` column (load_id NULL).
"""

from __future__ import annotations

import pandas as pd

from supportlens.quality.results import LoadScore
from supportlens.quality.spec import Dimension, SuiteSpec


def completeness_columns(spec: SuiteSpec) -> list[str]:
    return [
        check.column
        for check in spec.checks
        if check.dimension is Dimension.COMPLETENESS and check.column is not None
    ]


def consistency_columns(spec: SuiteSpec) -> list[str]:
    return [h.name for h in spec.helpers if h.consistency]


def _score_group(group: pd.DataFrame, spec: SuiteSpec) -> tuple[float | None, float | None]:
    rows = len(group)
    if rows == 0:
        return None, None
    # A column missing from the data counts as entirely empty.
    rates = [
        float(group[col].notna().mean()) if col in group.columns else 0.0
        for col in completeness_columns(spec)
    ]
    completeness = sum(rates) / len(rates) if rates else None
    flags = [col for col in consistency_columns(spec) if col in group.columns]
    consistency = None
    if flags:
        broken = pd.Series(False, index=group.index)
        for col in flags:
            broken |= group[col].eq(False).fillna(False).astype(bool)
        consistency = 1.0 - float(broken.mean())
    return completeness, consistency


def load_scores(frame: pd.DataFrame, spec: SuiteSpec) -> list[LoadScore]:
    if "_load_id" in frame.columns:
        key, source_of = "_load_id", lambda _value: spec.source
    elif "source" in frame.columns:
        key, source_of = "source", str
    else:
        completeness, consistency = _score_group(frame, spec)
        return [LoadScore(spec.source, None, len(frame), completeness, consistency)]
    scores = []
    for value, group in frame.groupby(key, dropna=False, sort=True):
        completeness, consistency = _score_group(group, spec)
        is_load = key == "_load_id"
        scores.append(
            LoadScore(
                source=source_of(value),
                load_id=None if not is_load or pd.isna(value) else str(value),
                row_count=len(group),
                completeness=completeness,
                consistency=consistency,
            )
        )
    return scores
