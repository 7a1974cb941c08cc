"""Bulk scoring: the recommended ensemble (int8 ONNX encoder + cascade) vs the same model
with plain PyTorch fp32 encoding of every text, on the same texts in the same run.

Texts: support-style variants of the BANKING77 held-out split of `benchmarks/ml_ensemble.py`
(openers, closers, dropped or swapped words, typos, case), so every text is new to the
model and labelled. The embedding cache is off for every row: the rates are encoder
throughput, not cache hits. Run `benchmarks/ml_ensemble.py` first (it registers the model).

`--reference-texts N` scores only the first N texts with the fp32 reference (it is the slow
row: ~60 texts per CPU-second); the other rows score all texts, and the comparison columns
(accuracy on the reference's texts, agreement) use those same first N texts. Speed-ups are
rates, so they stay comparable across different text counts.

    nice python benchmarks/ml_bulk_scoring.py [--texts 100000] [--reference-texts 20000]
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

    from supportlens.config import Settings

OPENERS = ["", "", "hi, ", "hello ", "hey - ", "good morning. ", "urgent: ", "quick question: "]
CLOSERS = ["", "", "?", " please", " thanks", " asap", "!!", " thank you so much"]


def perturb(text: str, rng: random.Random) -> str:
    words = text.split()
    if len(words) > 3 and rng.random() < 0.3:
        words.pop(rng.randrange(len(words)))
    if len(words) > 3 and rng.random() < 0.3:
        i = rng.randrange(len(words) - 1)
        words[i], words[i + 1] = words[i + 1], words[i]
    if rng.random() < 0.3:
        i = rng.randrange(len(words))
        word = words[i]
        if len(word) > 3:
            j = rng.randrange(len(word) - 1)
            words[i] = word[:j] + word[j + 1] + word[j] + word[j + 2 :]
    body = " ".join(words)
    if rng.random() < 0.3:
        body = body.lower()
    return rng.choice(OPENERS) + body + rng.choice(CLOSERS)


def support_texts(texts: list[str], labels: list[str], n: int, seed: int = 7):
    rng = random.Random(seed)
    seen: set[str] = set()
    out_texts: list[str] = []
    out_labels: list[str] = []
    while len(out_texts) < n:
        i = rng.randrange(len(texts))
        candidate = perturb(texts[i], rng)
        if candidate not in seen:
            seen.add(candidate)
            out_texts.append(candidate)
            out_labels.append(labels[i])
    return out_texts, out_labels


def latest_ensemble(settings: Settings) -> Path:
    """The folder of the newest registered `ensemble` (ml_ensemble.py registers one)."""
    from supportlens.ml.registry import ModelMeta, list_versions, version_dir

    versions = [
        v
        for v in list_versions(settings)
        if ModelMeta.read(version_dir(settings, v)).model_type == "ensemble"
    ]
    if not versions:
        raise SystemExit(f"no ensemble in {settings.paths.registry_dir}: run ml_ensemble.py")
    return version_dir(settings, versions[-1])


def test_split(settings: Settings) -> pd.DataFrame:
    """The held-out split (text, label) of the benchmark warehouse, in example order."""
    import duckdb

    with duckdb.connect(str(settings.paths.warehouse), read_only=True) as conn:
        return conn.execute(
            "select text, label from ml_training_examples where split = 'test' order by example_id"
        ).df()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/supportlens-ml-ensemble"))
    parser.add_argument("--texts", type=int, default=20000)
    parser.add_argument("--chunk", type=int, default=5000, help="texts per predict_proba call")
    parser.add_argument(
        "--reference-texts",
        type=int,
        default=None,
        help="score only the first N texts with the fp32 reference (default: all)",
    )
    args = parser.parse_args()
    load_start = os.getloadavg()
    started_at = time.strftime("%Y-%m-%d %H:%M:%S")
    logging.basicConfig(level=logging.WARNING)
    os.environ["SUPPORTLENS_PATHS_WAREHOUSE"] = str(args.workdir / "warehouse.duckdb")
    os.environ["SUPPORTLENS_PATHS_REGISTRY_DIR"] = str(args.workdir / "models")

    import torch

    from supportlens.config import load_settings
    from supportlens.ml.ensemble import EnsembleClassifier
    from supportlens.text import normalize_texts

    settings = load_settings()
    directory = latest_ensemble(settings)
    test = test_split(settings)
    texts, gold = support_texts(test["text"].tolist(), test["label"].tolist(), args.texts)
    # The registered model's own preprocessing (what Predictor applies before the model).
    texts = normalize_texts(texts)
    gold_array = np.array(gold)
    n_ref = min(args.reference_texts or len(texts), len(texts))

    def run(model: EnsembleClassifier, batch: list[str]) -> tuple[np.ndarray, float, float, float]:
        model.predict_proba(batch[:64])  # warm-up: sessions, allocators
        started, cpu_started = time.perf_counter(), time.process_time()
        parts, escalated = [], 0
        for start in range(0, len(batch), args.chunk):
            parts.append(model.predict_proba(batch[start : start + args.chunk]))
            escalated += model.last_escalated
        seconds = time.perf_counter() - started
        # CPU seconds (all threads of this process): on a shared, loaded machine the wall
        # rate of each row depends on what else ran meanwhile; CPU time much less.
        cpu = time.process_time() - cpu_started
        return np.vstack(parts), len(batch) / seconds, len(batch) / cpu, escalated / len(batch)

    reference = EnsembleClassifier.load(directory, backend="torch_fp32", cache_root=None)
    reference.threshold = 2.0  # every text through the fp32 encoder: the unaccelerated model
    fast = EnsembleClassifier.load(directory, cache_root=None)  # as registered
    no_cascade = EnsembleClassifier.load(directory, cache_root=None)
    no_cascade.threshold = 2.0
    rows = []
    results = {}
    for name, model, batch in (
        ("PyTorch fp32 encoder, every text (reference)", reference, texts[:n_ref]),
        ("int8 ONNX encoder, every text", no_cascade, texts),
        (f"int8 ONNX + cascade < {fast.threshold} (registered)", fast, texts),
    ):
        proba, rate, cpu_rate, share = run(model, batch)
        labels = np.array(model.labels)[proba.argmax(axis=1)]
        results[name] = (proba, labels)
        rows.append(
            (
                name,
                len(batch),
                float((labels == gold_array[: len(batch)]).mean()),
                rate,
                cpu_rate,
                share,
            )
        )
        logging.warning("measured %s: %.0f texts/s", name, rate)
    ref_proba, ref_labels = next(iter(results.values()))
    base_rate, base_cpu = rows[0][3], rows[0][4]
    load_end = os.getloadavg()
    print(
        f"\nbulk scoring: {len(texts):,} support-style texts (variants of the BANKING77 "
        f"held-out split), reference on the first {n_ref:,}, "
        f"{torch.get_num_threads()} torch threads, cache off, chunks of {args.chunk}; "
        f"started {started_at}, load average (1/5/15 min) at start "
        f"{'/'.join(f'{x:.2f}' for x in load_start)}, at end "
        f"{'/'.join(f'{x:.2f}' for x in load_end)}\n"
    )
    print(
        f"| model | texts | accuracy | accuracy on first {n_ref:,} | texts/s (wall) | speed-up "
        "| texts per CPU-s | speed-up (CPU) | share encoded | agreement with reference |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for (name, n, acc, rate, cpu_rate, share), (proba, labels) in zip(
        rows, results.values(), strict=True
    ):
        acc_ref = float((labels[:n_ref] == gold_array[:n_ref]).mean())
        agree = float((labels[:n_ref] == ref_labels).mean())
        diff = float(np.abs(proba[:n_ref] - ref_proba).max())
        print(
            f"| {name} | {n:,} | {acc:.2%} | {acc_ref:.2%} | {rate:,.0f} | "
            f"{rate / base_rate:.1f}x | {cpu_rate:,.0f} | {cpu_rate / base_cpu:.1f}x | "
            f"{share:.0%} | {agree:.2%} labels, max Δp {diff:.3f} |"
        )


if __name__ == "__main__":
    main()
