"""Fixtures for the quality tests; the data builders live in quality_fixtures.py."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from quality_fixtures import LANDING_SQL, make_settings, write_landed

from supportlens.config import Settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
def landed(settings: Settings) -> Callable[..., Path]:
    """All landed tables written from good fixture data; returns the writer for overrides."""
    for source, table in LANDING_SQL:
        write_landed(settings, source, table)
    return lambda source, table, transform="select * from base", load_id="L1": write_landed(
        settings, source, table, transform, load_id
    )
