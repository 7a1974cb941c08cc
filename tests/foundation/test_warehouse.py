import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from supportlens import build_state
from supportlens.config import load_settings
from supportlens.warehouse import (
    SnapshotReader,
    WarehouseNotPublishableError,
    WarehouseNotPublishedError,
    prune_snapshots,
    publish,
    reader,
    snapshots_dir,
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


def test_publish_refuses_a_warehouse_whose_build_never_finished(settings) -> None:
    with writer(settings) as conn:
        conn.execute("create table t as select 1 as v")
    publish(settings)
    first = settings.paths.published.resolve()
    # A build starts (and is killed half-way: nothing marks it finished).
    with writer(settings) as conn:
        build_state.mark_started(conn, full=True, command="supportlens build")
        conn.execute("insert into t values (2)")
    with pytest.raises(WarehouseNotPublishableError, match="never finished"):
        publish(settings)
    assert settings.paths.published.resolve() == first
    assert reader(settings).execute("select count(*) from t").fetchone() == (1,)
    # A build that runs to completion makes it publishable again.
    with writer(settings) as conn:
        build_state.mark_started(conn, full=True, command="supportlens build")
        assert build_state.mark_finished(conn, succeeded=True) is build_state.BuildState.BUILT
    publish(settings)
    assert reader(settings).execute("select count(*) from t").fetchone() == (2,)


def test_publish_refuses_failed_and_partial_builds(settings) -> None:
    with writer(settings) as conn:
        build_state.mark_started(conn, full=True, command="supportlens build")
        build_state.mark_finished(conn, succeeded=False)
    with pytest.raises(WarehouseNotPublishableError, match="failed"):
        publish(settings)
    # Rebuilding a selection does not mend the failed full build.
    with writer(settings) as conn:
        build_state.mark_started(conn, full=False, command="supportlens build --select x")
        assert build_state.mark_finished(conn, succeeded=True) is build_state.BuildState.PARTIAL
    with pytest.raises(WarehouseNotPublishableError, match="rebuilt only a selection"):
        publish(settings)
    with writer(settings) as conn:
        build_state.mark_started(conn, full=True, command="supportlens build")
        build_state.mark_finished(conn, succeeded=True)
        build_state.mark_started(conn, full=False, command="supportlens build --select x")
        assert build_state.mark_finished(conn, succeeded=True) is build_state.BuildState.BUILT
    publish(settings)


def test_publish_refuses_while_another_process_writes(settings) -> None:
    with writer(settings) as conn:
        conn.execute("create table t as select 1 as v")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK.format(path=str(settings.paths.warehouse))],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(WarehouseNotPublishableError, match="write lock"):
            publish(settings)
    finally:
        holder.communicate("\n")
    assert not settings.paths.published.exists()


HOLD_LOCK = """
import duckdb, sys
c = duckdb.connect({path!r})
print("locked", flush=True)
sys.stdin.readline()
"""


def test_published_snapshot_does_not_follow_the_landing_folder(settings, tmp_path) -> None:
    """Views over landed Parquet are frozen into tables: `land` after publish changes nothing."""
    landing = tmp_path / "landing"
    (landing / "load=1").mkdir(parents=True)
    duckdb.sql(
        "copy (select range as i from range(10)) to '" + str(landing / "load=1" / "a.parquet") + "'"
    )
    with writer(settings) as conn:
        conn.execute(f"create view stg as select * from read_parquet('{landing}/*/*.parquet')")
        # dbt-duckdb names relations with the working file's catalog ("work" here).
        conn.execute('create view stg_even as select * from "work"."main"."stg" where i % 2 = 0')
    publish(settings)
    (landing / "load=2").mkdir()
    duckdb.sql(
        "copy (select range as i from range(100)) to '"
        + str(landing / "load=2" / "b.parquet")
        + "'"
    )
    conn = reader(settings)
    assert conn.execute("select count(*) from stg").fetchone() == (10,)
    assert conn.execute("select count(*) from stg_even").fetchone() == (5,)
    kinds = dict(
        conn.execute("select table_name, table_type from information_schema.tables").fetchall()
    )
    assert kinds == {"stg": "BASE TABLE", "stg_even": "BASE TABLE"}
    # The working warehouse keeps its views (dbt owns them).
    with writer(settings) as work:
        assert work.execute("select count(*) from stg").fetchone() == (110,)


def test_publish_removes_the_leftovers_of_a_killed_publish(settings) -> None:
    with writer(settings) as conn:
        conn.execute("create table t as select 1 as v")
    folder = snapshots_dir(settings.paths.published)
    folder.mkdir(parents=True)
    partial = folder / ".snap-123.duckdb.tmp"
    partial.write_bytes(b"half a copy")
    link = settings.paths.published.with_name(".snap.duckdb.4242.link")
    link.symlink_to("snapshots/snap-123.duckdb")
    publish(settings)
    assert not partial.exists()
    assert not link.is_symlink()
    assert reader(settings).execute("select count(*) from t").fetchone() == (1,)
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".publish")) == [
        settings.paths.published.resolve().name
    ]


def test_publish_removes_a_complete_copy_that_was_never_linked(settings) -> None:
    """Killed between renaming its copy into place and swapping the link."""
    with writer(settings) as conn:
        conn.execute("create table t as select 1 as v")
    publish(settings)
    first = settings.paths.published.resolve()
    folder = snapshots_dir(settings.paths.published)
    never_linked = folder / "snap-99999999999999999999.duckdb"
    never_linked.write_bytes(first.read_bytes())
    publish(settings)
    assert not never_linked.exists()
    assert sorted(p.name for p in folder.glob("*.duckdb")) == sorted(
        [first.name, settings.paths.published.resolve().name]
    )


@pytest.mark.parametrize("keep", [5, 1])
def test_publish_keeps_as_many_snapshots_as_ops_keep_snapshots(
    settings, monkeypatch, keep: int
) -> None:
    """`[ops] keep_snapshots` is the one count: publish used to cap it at 3 on its own."""
    monkeypatch.setenv("SUPPORTLENS_OPS_KEEP_SNAPSHOTS", str(keep))
    configured = load_settings()
    published = []
    for value in range(6):
        with writer(configured) as conn:
            conn.execute(f"create or replace table t as select {value} as v")
        publish(configured)
        published.append(configured.paths.published.resolve())
    folder = snapshots_dir(configured.paths.published)
    assert sorted(folder.glob("*.duckdb")) == sorted(published[-keep:])
    assert reader(configured).execute("select v from t").fetchone() == (5,)


def test_retention_never_removes_the_current_snapshot(settings) -> None:
    with writer(settings) as conn:
        conn.execute("create table t as select 1 as v")
    publish(settings)
    current = settings.paths.published.resolve()
    newer = current.with_name("snap-99999999999999999999.duckdb")  # e.g. copied in by hand
    newer.write_bytes(current.read_bytes())
    assert prune_snapshots(settings.paths.published, keep=1) == []
    assert current.exists() and newer.exists()
    with pytest.raises(ValueError, match="keep_snapshots = 0"):
        prune_snapshots(settings.paths.published, keep=0)
