"""Seeded synthetic raw data in all five SupportLens source formats.

`generate_all(out_dir, seed, scale)` writes, under `out_dir` (the raw folder), exactly the
raw layout of docs/contracts.md in the public datasets' shapes:

- `banking77/train.csv`, `banking77/test.csv`, `banking77/categories.json`
- `bitext/bitext_customer_support.csv`
- `sgd/train/dialogues_NNN.json` (128 dialogues per shard) and `sgd/train/schema.json`
- `twcs/twcs.csv` (Kaggle's columns exactly)
- `synthetic/conversations.csv`

plus ground truth for tests under `_truth/` (never landed: `land` only discovers the five
source folders):

- `sgd_dialogues.csv`: per dialogue outcome, intents, switches, first NOTIFY_FAILURE turn
- `twcs_threads.csv`: per thread root id, company, customer, tweet counts, first-response
  seconds, unanswered flag; `twcs_tweets.csv`: per tweet root id, turn index, reply delay
- `synthetic_conversations.csv`: per conversation intent, planted-intent flag, outcome,
  first-response seconds, first/last customer sentiment
- `manifest.csv`: sha256 and size of every file written, for determinism checks

Scales (see `supportlens.ingest.generate.scales`):

| scale  | BANKING77 train/test | Bitext | SGD dialogues | TWCS tweets | synthetic conversations |
|--------|---------------------:|-------:|--------------:|------------:|------------------------:|
| sample | 770 / 231            | 540    | 256           | 600         | 200                     |
| small  | 7,700 / 2,310        | 5,400  | 2,560         | 6,000       | 2,000                   |
| full   | 10,003 / 3,080       | 26,872 | 20,000        | 2,811,774   | 20,000                  |

Same seed and scale give byte-identical files: every source draws from its own stream
derived from (seed, source) and timestamps count from fixed bases, never the clock.
`corrupt(raw_dir, out_dir, seed)` writes copies with known malformed records.
"""

from __future__ import annotations

from supportlens.ingest.generate.corrupt import Corruption, corrupt
from supportlens.ingest.generate.runner import SOURCES, generate_all

__all__ = ["SOURCES", "Corruption", "corrupt", "generate_all"]
