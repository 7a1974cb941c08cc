"""One generated pipeline for the analytics tests: generate -> land -> build -> train ->
predict -> discover -> rebuild the prediction marts, all through the `supportlens` CLI with
path overrides into a temporary folder (run once per session)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from analytics_pipeline import ANALYTICS, Pipeline, build, supportlens


@pytest.fixture(scope="session")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Pipeline:
    root = tmp_path_factory.mktemp("analytics")
    paths = {
        "raw_dir": root / "raw",
        "landing_dir": root / "landing",
        "warehouse": root / "warehouse" / "supportlens.duckdb",
        "registry_dir": root / "models",
        "published": root / "published" / "supportlens.duckdb",
    }
    supportlens(["generate", "--out", str(paths["raw_dir"]), "--scale", "sample"], paths)
    supportlens(["land"], paths)
    # upstream models only (their tests belong to tests/dbt), incl. every prediction mart's
    build(paths, root / "target", [f"+{ANALYTICS}", "+tag:uses_predictions"], skip_tests=True)
    supportlens(
        ["train", "--config", "ml/configs/baseline.yaml", "--label-set", "banking77"], paths
    )
    supportlens(["predict", "--label-set", "banking77"], paths)
    supportlens(["discover", "--label-set", "banking77"], paths)
    # the main job's post-predict rebuild, plus the analytics marts that read no predictions,
    # with every analytics test and contract
    build(paths, root / "target", ["tag:uses_predictions+", ANALYTICS], skip_tests=False)
    return Pipeline(root, paths)


@pytest.fixture
def query(pipeline: Pipeline) -> Callable[[str], list[tuple]]:
    return pipeline.query
