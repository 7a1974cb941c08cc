"""The text preprocessing a model version applies before its classifier sees a text.

Preprocessing is part of the model: a registered version names its rule set in
`supportlens_model.json` (`ModelMeta.preprocessing`) and `supportlens.ml.registry.Predictor` applies
it to every text, so training, `supportlens predict` (warehouse and file), the SQL
functions, the API and discovery all feed a model what its trainer fed it. Classifiers
(`ml/baseline.py`, `ml/transformer.py`, ...) never normalise by themselves.

Models are trained on `ml_training_examples.text`, which dbt's `normalize_text_sql`
macro produced: the same rule set as `supportlens.python_udfs.text.normalize_text` (checked by
`tests/udfs/test_text.py`). So the warehouse's text columns (`text_normalized`,
`ml_training_examples.text`, `ml_scoring_inputs.text`) are already preprocessed with
`WAREHOUSE_TEXT`, and readers of those columns say so (`already=WAREHOUSE_TEXT`) instead
of normalising twice. Normalising twice would give the same text (the rules are
idempotent); it only costs time.

A model folder written before the field existed has no `preprocessing`: it was trained on
the same warehouse column, so it is read as `WAREHOUSE_TEXT`. Its text came from the
previous dbt macro, which differed from today's rules only on rare inputs (times such as
"10:30", punctuation right after a URL, no-break and other Unicode spaces, vertical tab,
NUL); retrain to match exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from supportlens.text import RULE_SET, normalize_texts

#: The rule set of the warehouse's normalised text columns (dbt's `normalize_text_sql`).
WAREHOUSE_TEXT = RULE_SET

#: What a model trained from `ml_training_examples` records, and what a model folder
#: written before the field existed is read as (see the module docstring).
TRAINING_TEXT = WAREHOUSE_TEXT

PREPROCESSORS: dict[str, Callable[[list[str]], list[str]]] = {RULE_SET: normalize_texts}


class UnknownPreprocessingError(ValueError):
    """A model names a preprocessing this code does not implement."""


def check_known(name: str, where: str) -> None:
    if name not in PREPROCESSORS:
        raise UnknownPreprocessingError(
            f"{where}: unknown preprocessing {name!r}; this version of SupportLens "
            f"implements {sorted(PREPROCESSORS)}"
        )


def preprocess(name: str, texts: Sequence[str], already: str | None = None) -> list[str]:
    """`texts` as the model with preprocessing `name` expects them.

    `already`: the preprocessing the caller's texts have had (e.g. `WAREHOUSE_TEXT` for
    text read from the warehouse); when it is the model's own, nothing is redone.
    """
    check_known(name, "preprocess")
    if already == name:
        return list(texts)
    return PREPROCESSORS[name](list(texts))
