"""Bulk scoring: the recommended ensemble (int8 ONNX encoder + cascade) vs the same model
with plain PyTorch fp32 encoding of every text, on the same texts in the same run.

Texts: support-style variants of the BANKING77 held-out split of `benchmarks/ml_ensemble.py`
(openers, closers, dropped or swapped words, typos, case), so every text is new to the
model and labelled. The embedding cache is off for every row: the rates are encoder
throughput, not cache hits. Run `benchmarks/ml_ensemble.py` first (it registers the model).

    nice python benchmarks/ml_bulk_scoring.py [--texts 20000] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import time
from pathlib import Path

import numpy as np

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/supportlens-ml-ensemble"))
    parser.add_argument("--texts", type=int, default=20000)
    parser.add_argument("--chunk", type=int, default=5000, help="texts per predict_proba call")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    os.environ["SUPPORTLENS_PATHS_WAREHOUSE"] = str(args.workdir / "warehouse.duckdb")
    os.environ["SUPPORTLENS_PATHS_REGISTRY_DIR"] = str(args.workdir / "models")

    import duckdb
    import torch
    from supportlens.ml.ensemble import EnsembleClassifier
    from supportlens.ml.registry import ModelMeta, list_versions, version_dir

    from supportlens.config import load_settings
    from supportlens.text import normalize_texts

    settings = load_settings()
    versions = [
        v
        for v in list_versions(settings)
        if ModelMeta.read(version_dir(settings, v)).model_type == "ensemble"
    ]
    if not versions:
        raise SystemExit(f"no ensemble in {settings.paths.registry_dir}: run ml_ensemble.py")
    directory = version_dir(settings, versions[-1])
    with duckdb.connect(str(settings.paths.warehouse), read_only=True) as conn:
        test = conn.execute(
            "select text, label from ml_training_examples where split = 'test' order by example_id"
        ).df()
    texts, gold = support_texts(test["text"].tolist(), test["label"].tolist(), args.texts)
    # The registered model's own preprocessing (what Predictor applies before the model).
    texts = normalize_texts(texts)
    gold_array = np.array(gold)

    def run(model: EnsembleClassifier) -> tuple[np.ndarray, float, float, float]:
        model.predict_proba(texts[:64])  # warm-up: sessions, allocators
        started, cpu_started = time.perf_counter(), time.process_time()
        parts, escalated = [], 0
        for start in range(0, len(texts), args.chunk):
            parts.append(model.predict_proba(texts[start : start + args.chunk]))
            escalated += model.last_escalated
        seconds = time.perf_counter() - started
        # CPU seconds (all threads of this process): on a shared, loaded machine the wall
        # rate of each row depends on what else ran meanwhile; CPU time much less.
        cpu = time.process_time() - cpu_started
        return np.vstack(parts), len(texts) / seconds, len(texts) / cpu, escalated / len(texts)

    reference = EnsembleClassifier.load(directory, backend="torch_fp32", cache_root=None)
    reference.threshold = 2.0  # every text through the fp32 encoder: the unaccelerated model
    fast = EnsembleClassifier.load(directory, cache_root=None)  # as registered
    no_cascade = EnsembleClassifier.load(directory, cache_root=None)
    no_cascade.threshold = 2.0
    rows = []
    results = {}
    for name, model in (
        ("PyTorch fp32 encoder, every text (reference)", reference),
        ("int8 ONNX encoder, every text", no_cascade),
        (f"int8 ONNX + cascade < {fast.threshold} (registered)", fast),
    ):
        proba, rate, cpu_rate, share = run(model)
        labels = np.array(model.labels)[proba.argmax(axis=1)]
        results[name] = (proba, labels)
        rows.append((name, float((labels == gold_array).mean()), rate, cpu_rate, share))
        logging.warning("measured %s: %.0f texts/s", name, rate)
    ref_proba, ref_labels = next(iter(results.values()))
    base_rate, base_cpu = rows[0][2], rows[0][3]
    print(
        f"\nbulk scoring: {len(texts):,} support-style texts (variants of the BANKING77 "
        f"held-out split), {torch.get_num_threads()} torch threads, cache off, "
        f"chunks of {args.chunk}\n"
    )
    print(
        "| model | accuracy | texts/s (wall) | speed-up | texts per CPU-s | speed-up (CPU) "
        "| share encoded | agreement with reference |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for (name, acc, rate, cpu_rate, share), (proba, labels) in zip(
        rows, results.values(), strict=True
    ):
        agree = float((labels == ref_labels).mean())
        diff = float(np.abs(proba - ref_proba).max())
        print(
            f"| {name} | {acc:.2%} | {rate:,.0f} | {rate / base_rate:.1f}x | {cpu_rate:,.0f} | "
            f"{cpu_rate / base_cpu:.1f}x | {share:.0%} | {agree:.2%} labels, max Δp {diff:.3f} |"
        )


if __name__ == "__main__":
    main()
