import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from supportlens.config import load_settings
from supportlens.warehouse import (
    SnapshotReader,
    WarehouseNotPublishedError,
    publish,
    reader,
    writer,
)


@pytest.fixture
def settings(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("SUPPORTLENS_PATHS_WAREHOUSE", str(tmp_path / "work.duckdb"))
    monkeypatch.setenv("SUPPORTLENS_PATHS_PUBLISHED", str(tmp_path / "pub" / "snap.duckdb"))
    return load_settings()


def test_reader_before_publish_names_the_command(settings) -> None:
    with pytest.raises(WarehouseNotPublishedError, match="supportlens run"):
        reader(settings)


def test_publish_copies_a_complete_readonly_snapshot(settings) -> None:
    with writer(settings) as conn:
        conn.execute("create table t as select range as i from range(1000)")
    publish(settings)
    conn = reader(settings)
    assert conn.execute("select count(*) from t").fetchone() == (1000,)
    with pytest.raises(duckdb.Error):
        conn.execute("insert into t values (1)")


def test_snapshot_is_readable_while_another_process_writes(settings) -> None:
    with writer(settings) as conn:
        conn.execute("create table t as select 1 as v")
    publish(settings)
    # A second process holds the working file open for writing, as dbt build does.
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import duckdb, sys, time
                c = duckdb.connect({str(settings.paths.warehouse)!r})
                c.execute("insert into t values (2)")
                print("locked", flush=True)
                sys.stdin.readline()
                """
            ),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(duckdb.IOException, match="lock"):
            duckdb.connect(str(settings.paths.warehouse), read_only=True)
        assert reader(settings).execute("select count(*) from t").fetchone() == (1,)
    finally:
        holder.communicate("\n")


def test_snapshot_reader_reopens_after_a_new_publish(settings) -> None:
    with writer(settings) as conn:
        conn.execute("create table t as select 1 as v")
    publish(settings)
    snapshots = SnapshotReader(settings)
    old_cursor = snapshots.cursor()
    assert old_cursor.execute("select count(*) from t").fetchone() == (1,)
    with writer(settings) as conn:
        conn.execute("insert into t values (2)")
    publish(settings)
    assert snapshots.cursor().execute("select count(*) from t").fetchone() == (2,)
    # A cursor handed out before the publish keeps its consistent view.
    assert old_cursor.execute("select count(*) from t").fetchone() == (1,)
    snapshots.close()
