"""Experiment: frozen MiniLM sentence embeddings + logistic regression, alone and combined
with the TF-IDF baseline (ensemble / confidence cascade), on the BANKING77 benchmark split.

Needs the scratch warehouse and baseline of `benchmarks/ml_banking77.py` (run it first,
e.g. with --skip-transformer). One forward pass over the texts, no back-propagation: the
cheapest way to bring the transformer's semantics in on a CPU that cannot afford a
fine-tune.

    python benchmarks/ml_frozen_encoder.py [--workdir /tmp/supportlens-ml-bench]
"""

from __future__ import annotations

import argparse
import logging
import os
import time
from pathlib import Path

import duckdb
import numpy as np
import torch


def embed(model, tokenizer, texts: list[str], batch_size: int = 128) -> np.ndarray:
    from supportlens.ml.transformer import collate, encode, length_bucketed_batches

    ids = encode(tokenizer, texts, 64).input_ids
    out = np.zeros((len(texts), model.config.hidden_size), dtype=np.float32)
    with torch.inference_mode():
        for batch in length_bucketed_batches([len(s) for s in ids], batch_size, rng=None):
            inputs = collate([ids[i] for i in batch], tokenizer.pad_token_id or 0)
            hidden = model(**inputs).last_hidden_state
            mask = inputs["attention_mask"].unsqueeze(-1).float()
            pooled = (hidden * mask).sum(1) / mask.sum(1)  # mean pooling, as the model was trained
            out[batch] = torch.nn.functional.normalize(pooled, dim=-1).numpy()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/supportlens-ml-bench"))
    parser.add_argument("--threads", type=int, default=0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["SUPPORTLENS_PATHS_WAREHOUSE"] = str(args.workdir / "warehouse.duckdb")
    os.environ["SUPPORTLENS_PATHS_REGISTRY_DIR"] = str(args.workdir / "models")
    from sklearn.linear_model import LogisticRegression
    from torch.ao.quantization import quantize_dynamic
    from transformers import AutoModel, AutoTokenizer

    from supportlens.config import load_settings
    from supportlens.ml.baseline import TfidfLinearClassifier
    from supportlens.ml.config import resolve_base_model
    from supportlens.ml.device import available_cpus
    from supportlens.ml.evaluation import evaluation_from_proba
    from supportlens.ml.registry import ModelMeta, list_versions, version_dir

    settings = load_settings()
    torch.set_num_threads(args.threads or available_cpus())
    with duckdb.connect(str(settings.paths.warehouse), read_only=True) as conn:
        frame = conn.execute(
            "select text, label, split from ml_training_examples order by example_id"
        ).df()
    train = frame[frame["split"] != "test"]  # the baseline's validation rows are unused here
    test = frame[frame["split"] == "test"]
    texts, gold = test["text"].tolist(), test["label"].tolist()
    baseline_dir = next(
        version_dir(settings, v)
        for v in reversed(list_versions(settings))
        if ModelMeta.read(version_dir(settings, v)).model_type == "tfidf_linear"
    )
    baseline = TfidfLinearClassifier.load(baseline_dir)
    labels = baseline.labels

    base = resolve_base_model("")
    tokenizer = AutoTokenizer.from_pretrained(str(base), local_files_only=True)
    model = AutoModel.from_pretrained(str(base), local_files_only=True).eval()
    model = quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)

    started = time.perf_counter()
    train_vectors = embed(model, tokenizer, train["text"].tolist())
    head = LogisticRegression(C=20.0, max_iter=3000).fit(train_vectors, train["label"])
    train_seconds = time.perf_counter() - started
    columns = np.array([list(head.classes_).index(label) for label in labels])

    started = time.perf_counter()
    frozen = head.predict_proba(embed(model, tokenizer, texts))[:, columns]
    frozen_speed = len(texts) / (time.perf_counter() - started)
    started = time.perf_counter()
    tfidf = baseline.predict_proba(texts)
    tfidf_speed = len(texts) / (time.perf_counter() - started)

    rows = []

    def add(name: str, proba: np.ndarray, speed: float, note: str = "") -> None:
        m = evaluation_from_proba(proba, labels, gold, "test").metrics
        rows.append((name, m["accuracy"], m["macro_f1"], speed, note))

    add("TF-IDF + linear SVM", tfidf, tfidf_speed)
    add("frozen MiniLM (int8) + LR", frozen, frozen_speed)
    both_speed = 1 / (1 / tfidf_speed + 1 / frozen_speed)
    for weight in (0.3, 0.5, 0.7):
        add(f"ensemble w={weight}", weight * frozen + (1 - weight) * tfidf, both_speed)
    for threshold in (0.5, 0.7, 0.9):
        unsure = tfidf.max(axis=1) < threshold
        blended = np.where(unsure[:, None], 0.5 * frozen + 0.5 * tfidf, tfidf)
        share = unsure.mean()
        # Cost model from the two measured speeds: every text pays TF-IDF, unsure ones MiniLM.
        speed = 1 / (1 / tfidf_speed + share / frozen_speed)
        add(f"cascade < {threshold} -> ensemble w=0.5", blended, speed, f"{share:.0%} escalated")

    print(
        f"\nfrozen-encoder experiment: {len(texts)} test texts, {len(train)} training texts, "
        f"embedding + head fit {train_seconds:.0f} s, {torch.get_num_threads()} threads\n"
    )
    print("| model | accuracy | macro-F1 | inference texts/s | note |")
    print("|---|---|---|---|---|")
    for name, acc, f1, speed, note in rows:
        print(f"| {name} | {acc:.2%} | {f1:.2%} | {speed:,.0f} | {note} |")


if __name__ == "__main__":
    main()
