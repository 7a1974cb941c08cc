"""BANKING77 held-out accuracy: TF-IDF baseline vs frozen-encoder LR vs their ensemble.

Real ../shared/data/banking77/train.csv (10,003 rows; the official test split is not in
the project): a stratified, seeded 10 % test holdout, 10 % of the rest as validation
(`benchmarks/ml_banking77.py:build_warehouse`). Every model trains through
`supportlens train`'s code path (`train_and_register`) into a scratch registry with an
empty embedding cache, so the ensemble's training time includes encoding every text.
The same ensemble artefact is then scored with the PyTorch fp32 encoder and no cascade
(the unaccelerated model) for the accuracy delta of ONNX int8 + cascade.

    nice python benchmarks/ml_ensemble.py [--workdir /tmp/supportlens-ml-ensemble]

Scratch files go to --workdir, never into the repo.
"""

from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _deduplicated(args: argparse.Namespace, target: Path) -> Path:
    """The CSV as `text,category` (the layout build_warehouse reads), one row per text."""
    import pandas as pd

    frame = pd.read_csv(args.csv)
    frame = frame.rename(columns={args.text_column: "text", args.label_column: "category"})
    frame = frame[["text", "category"]].drop_duplicates("text")
    target.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(target, index=False)
    logging.info("%s: %d distinct texts", args.csv, len(frame))
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/supportlens-ml-ensemble"))
    parser.add_argument("--config", default=str(REPO / "ml/configs/best.yaml"))
    parser.add_argument(
        "--csv",
        type=Path,
        help="another labelled CSV (e.g. the generated Bitext sample); duplicate texts are "
        "dropped first so no text is in two splits",
    )
    parser.add_argument("--text-column", default="instruction")
    parser.add_argument("--label-column", default="intent")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    import ml_banking77 as bench  # a sibling script: benchmarks/ is sys.path[0]

    if args.csv is not None:
        bench.DATA = _deduplicated(args, args.workdir.with_name(args.workdir.name + "-input.csv"))
    if not bench.DATA.is_file():
        raise SystemExit(f"{bench.DATA}: real BANKING77 data not found")
    bench.fresh_workdir(args.workdir)

    import duckdb
    import numpy as np

    from supportlens.config import load_settings
    from supportlens.ml.config import load_config
    from supportlens.ml.ensemble import EnsembleClassifier
    from supportlens.ml.evaluation import evaluation_from_proba
    from supportlens.ml.registry import load_version
    from supportlens.ml.training import train_and_register
    from supportlens.warehouse import writer

    settings = load_settings()
    bench.build_warehouse(settings.paths.warehouse, 0.10, 0.10, seed=42)
    with duckdb.connect(str(settings.paths.warehouse), read_only=True) as conn:
        test = conn.execute(
            "select text, label from ml_training_examples where split = 'test' order by example_id"
        ).df()
    texts, gold = test["text"].tolist(), test["label"].tolist()

    rows: list[tuple[str, float, float, str, str]] = []

    def score(name: str, proba: np.ndarray, labels: list[str], wall: str, note: str) -> float:
        metrics = evaluation_from_proba(proba, labels, gold, "test").metrics
        rows.append((name, metrics["accuracy"], metrics["macro_f1"], wall, note))
        return metrics["accuracy"]

    trained = {}
    runs = (
        ("tfidf", REPO / "ml/configs/baseline.yaml", "TF-IDF + calibrated linear SVM"),
        ("ensemble", Path(args.config), "ensemble (recommended, best.yaml)"),
        ("embedding", REPO / "ml/configs/embedding_linear.yaml", "frozen MiniLM + LR"),
    )
    for key, config_path, name in runs:
        started = time.perf_counter()
        config = load_config(config_path, {"label_set": "banking77"})
        with writer(settings) as conn:
            result = train_and_register(settings, conn, config)
        wall = time.perf_counter() - started
        trained[key] = result
        predictor = load_version(settings, result.model_version)
        proba = predictor.predict_proba(texts)
        note = "cold cache: encodes every text" if key == "ensemble" else ""
        if key == "embedding":
            note = "cache warm from the ensemble run (no text re-encoded)"
        if key == "ensemble":
            blend = result.card["training"]["blend"]
            note += (
                f"; weight {blend['weight']}, threshold {blend['threshold']} "
                f"(val acc {blend['accuracy']:.2%}, {blend['escalated']:.0%} escalated)"
            )
        score(name, proba, predictor.labels, f"{wall:.0f} s", note)

    reference = EnsembleClassifier.load(
        trained["ensemble"].directory, backend="torch_fp32", cache_root=None
    )
    reference.threshold = 2.0  # every text through the encoder: the unaccelerated model
    score(
        "ensemble, PyTorch fp32, no cascade (reference)",
        reference.predict_proba(texts),
        reference.labels,
        "",
        "same artefact, unaccelerated",
    )

    base = rows[0][1]
    source = args.csv or "BANKING77 real train.csv"
    print(
        f"\n{source}, {len(texts)} held-out texts (stratified 10 %, seed 42), "
        f"validation 10 % of the rest; train wall time includes encoding\n"
    )
    print("| model | accuracy | vs TF-IDF | macro-F1 | train wall time | note |")
    print("|---|---|---|---|---|---|")
    for name, acc, f1, wall, note in rows:
        print(f"| {name} | {acc:.2%} | {100 * (acc - base):+.2f} pt | {f1:.2%} | {wall} | {note} |")


if __name__ == "__main__":
    main()
