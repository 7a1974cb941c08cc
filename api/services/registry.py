"""The real model provider: `supportlens.ml.registry` (folders under `paths.registry_dir`).

Maps the registry's errors to the API's (with messages that name no server folder: the
registry's own messages name its directory) and its model cards to the summary fields
the routes return. Activation moves the registry's active pointer only: the API never opens
the working warehouse (dbt or training may hold it), so `ml_models.is_active` is updated
by the next `supportlens` run that writes it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from supportlens.api.errors import ModelNotFound, NoActiveModel
from supportlens.api.services.models import Predictor
from supportlens.config import Settings


def _card(directory: Path) -> dict[str, Any]:
    path = directory / "model_card.json"
    try:
        card = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}
    return card if isinstance(card, dict) else {}


def _nested(card: dict[str, Any], *keys: str) -> Any:
    value: Any = card
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


class RegistryProvider:
    def __init__(self, settings: Settings) -> None:
        from supportlens.ml import registry

        self._settings = settings
        self._registry = registry

    def load_active(self, label_set: str) -> Predictor:
        registry = self._registry
        try:
            return registry.load_active(self._settings, label_set)
        except (registry.NoActiveModelError, registry.UnknownModelVersionError) as exc:
            raise NoActiveModel(
                f"no active model for label set {label_set!r}; "
                f"run `supportlens train --label-set {label_set}` first"
            ) from exc

    def _active_versions(self) -> set[str]:
        active = set()
        for label_set in self._registry.active_label_sets(self._settings):
            try:
                active.add(self._registry.active_version(self._settings, label_set))
            except self._registry.NoActiveModelError:
                continue
        return active

    def _record(self, version: str, active: set[str], with_card: bool) -> dict[str, Any]:
        directory = self._registry.version_dir(self._settings, version)
        meta = self._registry.ModelMeta.read(directory)
        card = _card(directory)
        created = card.get("created_at") or datetime.fromtimestamp(
            directory.stat().st_mtime, UTC
        ).isoformat(timespec="seconds")
        record: dict[str, Any] = {
            "model_version": meta.model_version,
            "label_set": meta.label_set,
            "model_type": meta.model_type,
            "base_model": card.get("base_model"),
            "created_at": str(created),
            "is_active": version in active,
            "train_rows": _nested(card, "data", "rows", "train"),
            "val_accuracy": _nested(card, "metrics", "validation", "accuracy"),
        }
        if with_card:
            record["card"] = card
        return record

    def list_models(self) -> list[dict[str, Any]]:
        active = self._active_versions()
        return [
            self._record(v, active, with_card=False)
            for v in self._registry.list_versions(self._settings)
        ]

    def describe(self, model_version: str) -> dict[str, Any]:
        self._require(model_version)
        return self._record(model_version, self._active_versions(), with_card=True)

    def _require(self, model_version: str) -> None:
        try:
            self._registry.require_version(self._settings, model_version)
        except self._registry.UnknownModelVersionError as exc:
            raise ModelNotFound(
                f"no model version {model_version!r}; GET /v1/models lists the versions"
            ) from exc

    def activate(self, model_version: str) -> str:
        self._require(model_version)
        self._registry.activate(self._settings, model_version)
        directory = self._registry.version_dir(self._settings, model_version)
        return self._registry.ModelMeta.read(directory).label_set
