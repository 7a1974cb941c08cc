from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from api_fakes import (
    API_KEY,
    FakeRegistry,
    FakeSentiment,
    build_fixture_warehouse,
    fake_registry,
    with_api,
)
from litestar import Litestar
from litestar.testing import TestClient

from supportlens.api.app import create_app
from supportlens.config import Settings, load_settings

FAKE_CLI = Path(__file__).with_name("api_fake_cli.py")


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    for key, value in {
        "WAREHOUSE": tmp_path / "warehouse" / "work.duckdb",
        "PUBLISHED": tmp_path / "published" / "supportlens.duckdb",
        "RAW_DIR": tmp_path / "raw",
        "LANDING_DIR": tmp_path / "landing",
        "REGISTRY_DIR": tmp_path / "models",
    }.items():
        monkeypatch.setenv(f"SUPPORTLENS_PATHS_{key}", str(value))
    monkeypatch.setenv("SUPPORTLENS_API_API_KEY", API_KEY)
    return load_settings()


@pytest.fixture
def published(settings: Settings) -> Path:
    return build_fixture_warehouse(settings)


@pytest.fixture
def registry() -> FakeRegistry:
    return fake_registry()


AppFactory = Callable[..., Litestar]


@pytest.fixture
def make_app(settings: Settings, registry: FakeRegistry) -> AppFactory:
    def factory(custom: Settings | None = None, **kwargs: Any) -> Litestar:
        kwargs.setdefault("models", registry)
        kwargs.setdefault("sentiment", FakeSentiment())
        kwargs.setdefault("cli_command", [sys.executable, str(FAKE_CLI)])
        return create_app(custom or settings, **kwargs)

    return factory


@pytest.fixture
def client(make_app: AppFactory, published: Path) -> Iterator[TestClient]:
    with TestClient(make_app()) as test_client:
        yield test_client


@pytest.fixture
def jobs_client(
    make_app: AppFactory, settings: Settings, published: Path, tmp_path: Path
) -> Iterator[TestClient]:
    """A client whose training configs are tiny TF-IDF files (`baseline.yaml`, the default,
    and `slow.yaml`) under tmp_path."""
    configs = tmp_path / "configs"
    configs.mkdir()
    for name in ("baseline.yaml", "slow.yaml"):
        (configs / name).write_text("model_type: tfidf_linear\n")
    custom = with_api(settings, train_config=str(configs / "baseline.yaml"))
    with TestClient(make_app(custom)) as client:
        yield client
