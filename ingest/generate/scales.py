"""How much each `--scale` generates, per source.

| scale  | BANKING77 train/test | Bitext | SGD dialogues | TWCS tweets | synthetic convs |
|--------|---------------------:|-------:|--------------:|------------:|----------------:|
| sample | 770 / 231            | 540    | 256 (2 shards)| 600         | 200             |
| small  | 7,700 / 2,310        | 5,400  | 2,560         | 6,000       | 2,000           |
| full   | 10,003 / 3,080       | 26,872 | 20,000        | 2,811,774   | 20,000          |

`full` matches the public datasets' sizes (BANKING77 train+test, Bitext v11, the TWCS
Kaggle file) and the 20 k dialogues of the warehouse benchmark.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    name: str
    banking77_train: int
    banking77_test: int
    bitext_rows: int
    sgd_dialogues: int
    twcs_tweets: int
    synthetic_conversations: int


SCALES: dict[str, Scale] = {
    "sample": Scale("sample", 770, 231, 540, 256, 600, 200),
    "small": Scale("small", 7_700, 2_310, 5_400, 2_560, 6_000, 2_000),
    "full": Scale("full", 10_003, 3_080, 26_872, 20_000, 2_811_774, 20_000),
}


def scale_named(name: str) -> Scale:
    try:
        return SCALES[name]
    except KeyError:
        raise ValueError(f"unknown scale {name!r}: expected one of {', '.join(SCALES)}") from None
