"""Backup → delete the data → restore: the API answers the same, every table has its rows."""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path

import duckdb
import pytest
from litestar.testing import TestClient

from supportlens import cli, warehouse
from supportlens.config import Settings
from supportlens.ops import backup

# The API tests' helpers: the fixture snapshot and a really trained TF-IDF model.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))
from api_fakes import build_fixture_warehouse
from test_real_model import train_baseline

TEXTS = ["my card has not arrived", "I forgot my passcode", "give me my money back"]


def predictions(settings: Settings) -> tuple[str, list[tuple[str, float]]]:
    from supportlens.api.app import create_app

    with TestClient(create_app(settings)) as client:
        body = client.post("/v1/predict/batch", json={"texts": TEXTS, "top_k": 1}).json()
    labels = [(p["label"], round(p["confidence"], 9)) for p in body["predictions"]]
    return body["model_version"], labels


def published_counts(settings: Settings) -> dict[str, int]:
    return backup.table_row_counts(settings.paths.published.resolve())


@pytest.fixture
def populated(ops_settings: Settings) -> Settings:
    from supportlens.ml import registry

    build_fixture_warehouse(ops_settings)
    train_baseline(ops_settings, "banking77-test-v1")
    registry.activate(ops_settings, "banking77-test-v1")
    manifest = ops_settings.paths.landing_dir / "_manifest" / "loads.parquet"
    manifest.parent.mkdir(parents=True)
    with duckdb.connect() as conn:
        conn.execute(f"copy (select 'L1' as load_id, 3 as rows_landed) to '{manifest}'")
    return ops_settings


@pytest.mark.slow
def test_backup_delete_restore_gives_the_same_answers(
    populated: Settings, data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = predictions(populated)
    counts = published_counts(populated)
    assert before[0] == "banking77-test-v1" and before[1][0][0] == "card_arrival" and counts

    assert cli.main(["backup", "--to", str(tmp_path / "backups")]) == 0
    [folder] = backup.list_backups(tmp_path / "backups")
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["database_source"] == "published snapshot"
    assert manifest["tables"] == counts
    paths = {f["path"] for f in manifest["files"]}
    assert {"warehouse/supportlens.duckdb", "config/supportlens.toml", "ops/ops.duckdb"} <= paths
    assert "landing/_manifest/loads.parquet" in paths
    assert any(p.startswith("models/banking77-test-v1/") for p in paths)

    shutil.rmtree(data_dir)
    assert cli.main(["restore", str(folder)]) == 0
    assert predictions(populated) == before
    assert published_counts(populated) == counts
    assert (populated.paths.landing_dir / "_manifest" / "loads.parquet").exists()


def test_restore_never_overwrites_without_force(
    populated: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = backup.make_backup(populated, tmp_path / "backups")
    capsys.readouterr()
    assert cli.main(["restore", str(folder)]) == 1
    err = capsys.readouterr().err
    assert "would overwrite existing data" in err and "--force" in err
    assert "model registry" in err
    assert cli.main(["restore", str(folder), "--force"]) == 0


def test_restore_into_another_folder(populated: Settings, tmp_path: Path) -> None:
    folder = backup.make_backup(populated, tmp_path / "backups")
    restored = backup.restore(populated, folder, tmp_path / "elsewhere", force=False)
    assert restored.published == tmp_path / "elsewhere" / "published" / "supportlens.duckdb"
    assert restored.tables == published_counts(populated)
    assert (tmp_path / "elsewhere" / "models" / "banking77-test-v1").is_dir()


def test_a_damaged_backup_is_refused_naming_the_file(
    populated: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = backup.make_backup(populated, tmp_path / "backups")
    card = next((folder / "models").glob("banking77-test-v1/*.json"))
    original = card.read_bytes()
    card.write_bytes(original + b" ")
    capsys.readouterr()
    assert cli.main(["restore", str(folder), "--into", str(tmp_path / "new")]) == 1
    err = capsys.readouterr().err
    assert f"models/banking77-test-v1/{card.name}: checksum mismatch" in err
    assert not (tmp_path / "new").exists()
    with duckdb.connect(str(populated.paths.ops_db), read_only=True) as conn:
        [(status, error)] = conn.execute("select status, error from ops_runs").fetchall()
    assert status == "failed" and "checksum mismatch" in error  # the run says why
    card.write_bytes(original)
    (folder / "warehouse" / "supportlens.duckdb").unlink()
    with pytest.raises(backup.BackupError, match=r"warehouse/supportlens\.duckdb: missing"):
        backup.verify(folder)


def test_backup_of_the_warehouse_refuses_while_a_writer_holds_it(
    ops_settings: Settings, tmp_path: Path
) -> None:
    warehouse = ops_settings.paths.warehouse
    warehouse.parent.mkdir(parents=True)
    script = (
        "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
        "c.execute('create table t as select 1 as x'); print('ready', flush=True); time.sleep(30)"
    )
    import subprocess

    holder = subprocess.Popen(
        [sys.executable, "-c", script, str(warehouse)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        with pytest.raises(backup.BackupError, match="another process holds the warehouse"):
            backup.make_backup(ops_settings, tmp_path / "backups")
        assert backup.list_backups(tmp_path / "backups") == []
        assert not list((tmp_path / "backups").glob(".*"))  # no partial folder left
    finally:
        holder.kill()
        holder.wait()
    folder = backup.make_backup(ops_settings, tmp_path / "backups")
    assert json.loads((folder / "manifest.json").read_text())["tables"] == {"main.t": 1}


def test_retention_keeps_the_newest(ops_settings: Settings, tmp_path: Path) -> None:
    root = tmp_path / "backups"
    for name in ("20260101T000000Z-a", "20260102T000000Z-b", "20260103T000000Z-c"):
        (root / name).mkdir(parents=True)
        (root / name / "manifest.json").write_text("{}")
    assert [p.name for p in backup.prune_backups(root, keep=2)] == ["20260101T000000Z-a"]

    published = ops_settings.paths.published
    snapshots = published.parent / "snapshots"
    snapshots.mkdir(parents=True)
    files = []
    for i in range(4):
        f = snapshots / f"supportlens-{i}.duckdb"
        f.write_bytes(b"x")
        os.utime(f, ns=(i * 10**9, i * 10**9))
        files.append(f)
    # The link points at the OLDEST file: it must survive whatever its age.
    published.symlink_to(Path("snapshots") / files[0].name)
    removed = warehouse.prune_snapshots(published, keep=2)
    assert sorted(p.name for p in removed) == ["supportlens-1.duckdb"]
    assert files[0].exists() and files[3].exists()

    archive = ops_settings.paths.landing_dir / "_archive" / "twcs" / "tweets"
    old, new = archive / "load_id=old", archive / "load_id=new"
    for folder in (old, new):
        folder.mkdir(parents=True)
        (folder / "data.parquet").write_bytes(b"x")
    os.utime(old, (time.time() - 40 * 86400,) * 2)
    assert backup.prune_archive(ops_settings.paths.landing_dir, keep_days=30) == [old]
    assert new.exists() and not old.exists()
