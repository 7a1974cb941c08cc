"""BANKING77-shaped data: `train.csv` / `test.csv` (`text,category`) and `categories.json`.

Files mirror the public release byte for byte in form: minimal CSV quoting, CRLF line
ends, rows grouped by intent in label order, and `categories.json` as a 2-space indented
list without a trailing newline.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

from supportlens.ingest.generate.banking77_labels import BANKING77_LABELS
from supportlens.ingest.generate.banking77_templates import (
    PREFIXES,
    SLOT_FILLERS,
    SUFFIXES,
    TEMPLATES,
)
from supportlens.ingest.generate.common import (
    atomic_text_writer,
    casual_noise,
    pick,
    rng_for,
    write_csv,
)
from supportlens.ingest.generate.scales import Scale

_SLOT = re.compile(r"\{(\w+)\}")


def fill_slots(rng: np.random.Generator, template: str) -> str:
    return _SLOT.sub(lambda m: pick(rng, SLOT_FILLERS[m.group(1)]), template)


def core_request(rng: np.random.Generator, intent: str) -> str:
    """The intent's request itself, slots filled, without greeting or sign-off."""
    return fill_slots(rng, pick(rng, TEMPLATES[intent]))


# A vague message names only the topic, so several intents share it: it caps accuracy
# the way real under-specified requests do.
_TOPICS: tuple[tuple[str, str], ...] = (
    ("top_up", "top up"), ("transfer", "transfer"), ("cash", "cash withdrawal"),
    ("exchange", "exchange"), ("refund", "refund"), ("pin", "PIN"), ("identity", "identity check"),
    ("card", "card"), ("payment", "payment"), ("debit", "direct debit"),
)  # fmt: skip
_VAGUE = (
    "I have a question about my {topic}.", "Problem with my {topic}", "{topic} help please",
    "Something is wrong with my {topic}.", "Can you help me with a {topic} issue?",
)  # fmt: skip
VAGUE_SHARE = 0.08
SIBLING_SHARE = 0.04


def _topic(intent: str) -> str:
    return next((word for key, word in _TOPICS if key in intent.lower()), "account")


def _siblings(intent: str) -> list[str]:
    """Intents on the same topic, in label order (a stable order, never set order)."""
    topic = _topic(intent)
    return [label for label in BANKING77_LABELS if label != intent and _topic(label) == topic]


def utterance(rng: np.random.Generator, intent: str) -> str:
    """One customer utterance for a BANKING77 intent, with realistic wrapping and noise.

    A few are vague (only the topic) or phrased like a neighbouring intent, as in real
    traffic, so a classifier cannot reach 100 %.
    """
    draw = float(rng.random())
    if draw < VAGUE_SHARE:
        return casual_noise(rng, pick(rng, _VAGUE).format(topic=_topic(intent)))
    siblings = _siblings(intent)
    if draw < VAGUE_SHARE + SIBLING_SHARE and siblings:
        intent_for_wording = pick(rng, siblings)
    else:
        intent_for_wording = intent
    core = core_request(rng, intent_for_wording)
    prefix = pick(rng, PREFIXES)
    if prefix and not prefix.endswith(". ") and not prefix.endswith("! "):
        core = core[:1].lower() + core[1:] if not core.startswith("I ") else core
    text = prefix + core + pick(rng, SUFFIXES)
    return casual_noise(rng, text)


def _counts_per_intent(rng: np.random.Generator, total: int) -> list[int]:
    """Imbalanced counts like the real data (35–187 per intent), each intent at least 2."""
    labels = len(BANKING77_LABELS)
    base = min(2, total // labels)
    weights = rng.gamma(shape=6.0, scale=1.0, size=labels)
    extra = rng.multinomial(total - base * labels, weights / weights.sum())
    return [base + int(n) for n in extra]


def _rows(rng: np.random.Generator, total: int) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    for intent, count in zip(BANKING77_LABELS, _counts_per_intent(rng, total), strict=True):
        rows.extend((utterance(rng, intent), intent) for _ in range(count))
    return rows


def write_banking77(out_dir: Path, seed: int, scale: Scale) -> dict[str, int]:
    folder = out_dir / "banking77"
    counts: dict[str, int] = {}
    for index, (split, total) in enumerate(
        (("train", scale.banking77_train), ("test", scale.banking77_test))
    ):
        rng = rng_for(seed, "banking77", index)
        counts[f"banking77/{split}.csv"] = write_csv(
            folder / f"{split}.csv", ("text", "category"), _rows(rng, total), lineterminator="\r\n"
        )
    with atomic_text_writer(folder / "categories.json") as handle:
        handle.write(json.dumps(list(BANKING77_LABELS), indent=2))
    counts["banking77/categories.json"] = len(BANKING77_LABELS)
    return counts
