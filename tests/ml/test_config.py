from __future__ import annotations

from pathlib import Path

import pytest

from supportlens.ml.config import (
    MODEL_TYPES,
    ConfigValidationError,
    load_config,
    resolve_base_model,
)
from tests.ml.conftest import BASELINE_CONFIG, TINY_CONFIG


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text)
    return path


def test_shipped_configs_load() -> None:
    repo_configs = sorted(BASELINE_CONFIG.parent.glob("*.yaml"))
    assert len(repo_configs) >= 3
    for path in repo_configs:
        config = load_config(path)
        assert config.model_type in MODEL_TYPES
    assert load_config(TINY_CONFIG).epochs == 1


def test_unknown_key_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, "model_type: transformer\nlearning_rte: 0.1\n")
    with pytest.raises(ConfigValidationError, match="learning_rte") as info:
        load_config(path)
    assert str(path) in str(info.value)


def test_wrong_type_and_range_are_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigValidationError, match="'epochs' must be int"):
        load_config(write(tmp_path, "epochs: three\n"))
    with pytest.raises(ConfigValidationError, match="model_type must be one of"):
        load_config(write(tmp_path, "model_type: forest\n"))
    with pytest.raises(ConfigValidationError, match="learning_rate"):
        load_config(write(tmp_path, "learning_rate: 5\n"))


def test_scientific_notation_and_overrides(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "learning_rate: 5e-5\n"), {"label_set": "bitext"})
    assert config.learning_rate == pytest.approx(5e-5)
    assert config.label_set == "bitext"


def test_missing_file_and_not_a_mapping(tmp_path: Path) -> None:
    with pytest.raises(ConfigValidationError, match="not found"):
        load_config(tmp_path / "nope.yaml")
    with pytest.raises(ConfigValidationError, match="mapping"):
        load_config(write(tmp_path, "- a\n- b\n"))


def test_base_model_default_is_packaged_minilm(tmp_path: Path) -> None:
    path = resolve_base_model("")
    assert (path / "config.json").is_file() and path.name == "model"
    with pytest.raises(ConfigValidationError, match="not a local model directory"):
        resolve_base_model(str(tmp_path))


def test_fingerprint_changes_with_settings(tmp_path: Path) -> None:
    a = load_config(write(tmp_path, "epochs: 1\n"))
    b = load_config(write(tmp_path, "epochs: 2\n"))
    assert a.fingerprint() != b.fingerprint()
