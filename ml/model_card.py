"""Model cards: what a model was trained on, how, how well, how long, on what machine."""

from __future__ import annotations

import platform
from typing import Any

import sklearn
import torch
import transformers

from supportlens.ml.device import DeviceSpec


def hardware(spec: DeviceSpec) -> dict[str, Any]:
    return {
        "device": spec.device_type,
        "device_name": spec.name,
        "mixed_precision": spec.use_amp,
        "threads": spec.num_threads,
        "machine": platform.machine(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "scikit_learn": sklearn.__version__,
    }


def render_markdown(card: dict[str, Any]) -> str:
    lines = [
        f"# Model card: {card['model_version']}",
        "",
        f"- label set: `{card['label_set']}`; model type: `{card['model_type']}`",
        f"- base model: `{card.get('base_model') or 'n/a'}`",
        f"- trained: {card['created_at']} in {card['training_seconds']:.1f} s on "
        f"{card['hardware']['device_name']}",
        "",
        "## Data",
        "",
        "| split | rows |",
        "|---|---|",
        *[f"| {name} | {rows} |" for name, rows in card["data"]["rows"].items()],
        f"\n{card['data']['n_labels']} labels.",
        "",
        "## Validation metrics",
        "",
        "| metric | value |",
        "|---|---|",
        *[f"| {name} | {value:.4f} |" for name, value in card["metrics"]["validation"].items()],
    ]
    lines += _how_chosen(card.get("training") or {})
    history = card.get("history") or []
    if history:
        lines += [
            "",
            "## Training history",
            "",
            "| epoch | train loss | val loss | val accuracy | val macro-F1 | seconds |",
            "|---|---|---|---|---|---|",
        ]
        lines += [
            f"| {h['epoch']} | {h['train_loss']:.4f} | {h['val_loss']:.4f} | "
            f"{h['val_accuracy']:.4f} | {h['val_macro_f1']:.4f} | {h['seconds']:.1f} |"
            for h in history
        ]
    lines += ["", "## Configuration", "", "```"]
    lines += [f"{key}: {value}" for key, value in sorted(card["config"].items())]
    lines += ["```", "", "## Hardware", ""]
    lines += [f"- {key}: {value}" for key, value in card["hardware"].items()]
    return "\n".join(lines) + "\n"


def _how_chosen(training: dict[str, Any]) -> list[str]:
    """Frozen-encoder models: the validation scores that chose the settings, and the refit."""
    scores = training.get("validation_accuracy")
    if not scores:
        return []
    lines = [
        "",
        "## How it was chosen",
        "",
        f"Encoder `{training.get('encoder_backend')}` (mean pooling, L2-normalised), "
        f"logistic regression C = {training.get('embedding_c')}. Validation accuracy of "
        "each candidate, models fitted on the train split only:",
        "",
        "| candidate | validation accuracy |",
        "|---|---|",
        *[f"| {name} | {value:.4f} |" for name, value in scores.items()],
    ]
    blend = training.get("blend")
    if blend:
        lines += [
            "",
            f"Ensemble: weight {blend['weight']} on the embedding model (best of "
            f"{len(blend['weight_scores'])} weights on validation, ties nearest 0.5), "
            f"cascade threshold {blend['threshold']}: texts the TF-IDF model answers with "
            f"at least that confidence skip the encoder ({blend['escalated']:.0%} of "
            f"validation texts reached it; lowest threshold within "
            f"{training.get('cascade_max_drop', 0):.1%} of the best validation accuracy).",
            "",
            "| weight | validation accuracy |",
            "|---|---|",
            *[f"| {w} | {a:.4f} |" for w, a in blend["weight_scores"].items()],
            "",
            "| threshold | validation accuracy | share encoded |",
            "|---|---|---|",
            *[f"| {t} | {a:.4f} | {e:.0%} |" for t, (a, e) in blend["threshold_scores"].items()],
        ]
    if training.get("refit_on"):
        lines += [
            "",
            f"The registered model was then refitted on {training['refit_on']} with these "
            "settings; the validation metrics above are from before the refit.",
        ]
    return lines
