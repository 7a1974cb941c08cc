"""Shared fixtures for the dbt warehouse tests: a landing folder and a built warehouse."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from landing_fixture import write_landing
from warehouse_build import assert_built, build, open_warehouse


@pytest.fixture(scope="session")
def fixture_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-made landing fixture (all five sources), built once for the session."""
    tmp = tmp_path_factory.mktemp("dbt_fixture")
    write_landing(tmp / "landing")
    assert_built(build(tmp, tmp / "landing"))
    return tmp


@pytest.fixture
def query(fixture_build: Path) -> Callable[[str], list[tuple]]:
    def run(sql: str) -> list[tuple]:
        with open_warehouse(fixture_build) as conn:
            return conn.execute(sql).fetchall()

    return run
