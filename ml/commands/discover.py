"""`supportlens discover`: cluster low-confidence utterances into candidate new intents."""

from __future__ import annotations

import argparse

from supportlens.config import Settings
from supportlens.ml.commands._common import fail


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--label-set", help="label set whose predictions to mine (default: [ml] label_set)"
    )
    parser.add_argument(
        "--confidence-threshold",
        type=float,
        default=0.5,
        help="below this confidence a prediction is 'missed' (default 0.5)",
    )
    parser.add_argument(
        "--distance-threshold",
        type=float,
        default=0.6,
        help="cosine distance where clusters stop merging (default 0.6)",
    )
    parser.add_argument(
        "--min-cluster-size", type=int, default=5, help="smaller clusters are noise (default 5)"
    )
    parser.add_argument(
        "--max-utterances", type=int, default=5_000, help="sample at most this many (default 5000)"
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    from supportlens.ml.discovery import DiscoveryInputError, DiscoveryParams, discover
    from supportlens.warehouse import writer

    if not 0 < args.confidence_threshold <= 1:
        return fail("discover", "--confidence-threshold must be in (0, 1]")
    if not 0 < args.distance_threshold <= 2:
        return fail("discover", "--distance-threshold must be in (0, 2] (cosine distance)")
    if args.min_cluster_size < 2 or args.max_utterances < 2:
        return fail("discover", "--min-cluster-size and --max-utterances must be at least 2")
    params = DiscoveryParams(
        label_set=args.label_set or settings.ml.label_set,
        confidence_threshold=args.confidence_threshold,
        distance_threshold=args.distance_threshold,
        min_cluster_size=args.min_cluster_size,
        max_utterances=args.max_utterances,
    )
    try:
        with writer(settings) as conn:
            summary = discover(settings, conn, params)
    except DiscoveryInputError as exc:
        return fail("discover", exc)
    if summary.utterances == 0:
        # Not an error: a pipeline on labelled data only (no unlabelled traffic) goes on.
        print(
            f"{params.label_set}: nothing to discover ({summary.nothing_reason}); "
            "ml_intent_clusters holds no rows for this label set"
        )
        return 0
    print(
        f"{params.label_set}: clustered {summary.utterances} low-confidence utterances into "
        f"{summary.clusters} clusters ({summary.noise} noise) with {summary.embedding_model} "
        f"-> ml_intent_clusters (run {summary.run_id})"
    )
    return 0
