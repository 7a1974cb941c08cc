"""Fault drill: `land`, `build` and `publish` killed (SIGKILL) at several points.

Readers only ever see the published snapshot, so after every kill it must be exactly the
snapshot published before (same file, same row count in every table), readable, and no
process the killed command started may live on (dbt holding the write lock was the
defect). After the kills a plain re-run of each command recovers: the landing folder
holds each new dialogue once, the build succeeds, and the next publish shows the new data.

Everything runs through the `supportlens` command line on generated sample data in a
temporary folder; the new data are four SGD shards with dialogue ids of their own.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

pytestmark = [pytest.mark.slow, pytest.mark.timeout(3600)]

REPO_ROOT = Path(__file__).resolve().parents[2]
NEW_SHARDS = 4


@dataclass(frozen=True)
class Snapshot:
    version: str
    sha256: str
    counts: dict[str, int]


class Drill:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.paths = {
            "raw_dir": root / "raw",
            "landing_dir": root / "landing",
            "warehouse": root / "warehouse" / "supportlens.duckdb",
            "published": root / "published" / "supportlens.duckdb",
            "registry_dir": root / "models",
            "ops_db": root / "ops.duckdb",
        }
        self.env = dict(os.environ)
        self.env.update({f"SUPPORTLENS_PATHS_{k.upper()}": str(v) for k, v in self.paths.items()})
        self.env["DBT_LOG_PATH"] = str(root / "dbt_logs")
        self.env["PYTHONUNBUFFERED"] = "1"

    def command(self, *args: str) -> list[str]:
        if args[0] == "build":
            args = (*args, "--target-path", str(self.root / "target"))
        return [sys.executable, "-m", "supportlens.cli", *args]

    def run(self, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            self.command(*args),
            cwd=REPO_ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=1800,
            check=False,
        )
        if ok:
            assert result.returncode == 0, (
                f"supportlens {' '.join(args)} failed:\n{result.stdout[-4000:]}\n"
                f"{result.stderr[-4000:]}"
            )
        return result

    def kill_when(self, args: tuple[str, ...], ready: Callable[[str], bool]) -> None:
        """Start a command and SIGKILL it (only it, not its children) once `ready(line)`."""
        process = subprocess.Popen(
            self.command(*args),
            cwd=REPO_ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert process.stdout is not None
        seen = []
        for line in process.stdout:
            seen.append(line)
            if ready(line):
                process.send_signal(signal.SIGKILL)
                break
        process.wait(timeout=60)
        process.stdout.close()
        assert process.returncode == -signal.SIGKILL, (
            f"supportlens {' '.join(args)} ended before the kill point:\n{''.join(seen)[-3000:]}"
        )
        self.assert_no_survivors()

    def kill_after(self, args: tuple[str, ...], appears: Callable[[], bool]) -> None:
        """Start a command and SIGKILL it as soon as `appears()` is true."""
        process = subprocess.Popen(
            self.command(*args),
            cwd=REPO_ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        while process.poll() is None and not appears():
            time.sleep(0.005)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        assert process.returncode == -signal.SIGKILL, f"{args} finished before the kill point"
        self.assert_no_survivors()

    def assert_no_survivors(self, within: float = 15.0) -> None:
        """No process started for this drill (its paths are in the environment) lives on."""
        marker = str(self.root).encode()
        deadline = time.monotonic() + within
        while True:
            alive = []
            for proc in Path("/proc").iterdir():
                if not proc.name.isdigit() or int(proc.name) == os.getpid():
                    continue
                try:
                    if marker in (proc / "environ").read_bytes():
                        alive.append((proc / "cmdline").read_bytes().replace(b"\0", b" ")[:200])
                except OSError:
                    continue
            if not alive:
                return
            assert time.monotonic() < deadline, f"processes outlived the kill: {alive}"
            time.sleep(0.1)

    def snapshot(self) -> Snapshot:
        published = self.paths["published"]
        version = published.resolve(strict=True)
        digest = hashlib.sha256(version.read_bytes()).hexdigest()
        return Snapshot(version.name, digest, table_counts(published))


def table_counts(database: Path) -> dict[str, int]:
    """Rows in every table and view (read-only open: it must not be locked)."""
    with duckdb.connect(str(database), read_only=True) as conn:
        relations = conn.execute(
            "select schema_name, table_name from duckdb_tables() "
            "where database_name = current_database() "
            "union all select schema_name, view_name from duckdb_views() "
            "where not internal and database_name = current_database()"
        ).fetchall()
        return {
            f"{schema}.{name}": conn.execute(
                f'select count(*) from "{schema}"."{name}"'
            ).fetchone()[0]
            for schema, name in relations
        }


def write_new_shards(source: Path, folder: Path) -> int:
    """Copies of an SGD shard with dialogue ids of their own: new data that lands cleanly."""
    dialogues = json.loads(source.read_text(encoding="utf-8"))
    shards = folder / "sgd" / "train"
    shards.mkdir(parents=True)
    for shard in range(NEW_SHARDS):
        renamed = [{**d, "dialogue_id": f"drill{shard}_{d['dialogue_id']}"} for d in dialogues]
        (shards / f"dialogues_{100 + shard:03d}.json").write_text(
            json.dumps(renamed), encoding="utf-8"
        )
    return NEW_SHARDS * len(dialogues)


def nth_landed(n: int) -> Callable[[str], bool]:
    counter = {"landed": 0}

    def ready(line: str) -> bool:
        if "file landed" in line:
            counter["landed"] += 1
        return counter["landed"] >= n

    return ready


def dbt_progress(share: float) -> Callable[[str], bool]:
    """True once dbt has started `share` of its nodes (from its `N of M START` lines)."""

    def ready(line: str) -> bool:
        found = re.search(r"(\d+) of (\d+) START", line)
        return bool(found) and int(found.group(1)) >= share * int(found.group(2))

    return ready


def landed_dialogues(landing: Path) -> tuple[int, int]:
    rows = duckdb.sql(
        "select count(*), count(distinct dialogue_id) from "
        f"read_parquet('{landing}/sgd/dialogues/*/*.parquet', union_by_name = true)"
    ).fetchone()
    return int(rows[0]), int(rows[1])


def test_kills_never_change_the_published_snapshot_and_reruns_recover(tmp_path: Path) -> None:
    drill = Drill(tmp_path)
    drill.run("generate", "--scale", "sample", "--seed", "7")
    drill.run("land")
    drill.run("build")
    drill.run("publish")
    published = drill.snapshot()
    before_rows, before_ids = landed_dialogues(drill.paths["landing_dir"])
    new_raw = tmp_path / "new_raw"
    added = write_new_shards(
        drill.paths["raw_dir"] / "sgd" / "train" / "dialogues_001.json", new_raw
    )

    # land, killed after its first and after its third file
    for point in (1, 3):
        drill.kill_when(("land", "--raw-dir", str(new_raw)), nth_landed(point))
        assert drill.snapshot() == published
    drill.run("land", "--raw-dir", str(new_raw))
    # Each new dialogue landed exactly once, whatever the kills left half-done.
    assert landed_dialogues(drill.paths["landing_dir"]) == (before_rows + added, before_ids + added)
    # The snapshot does not follow the landing folder (its staging views were frozen).
    assert drill.snapshot() == published

    # build, killed early (dbt started its first nodes) and half-way
    for share in (0.02, 0.5):
        drill.kill_when(("build",), dbt_progress(share))
        refused = drill.run("publish", ok=False)
        assert refused.returncode == 1
        assert "never finished" in refused.stderr
        assert drill.snapshot() == published
    drill.run("build")  # no lock left behind: the re-run starts and succeeds
    expected = table_counts(drill.paths["warehouse"])

    # publish, killed as its copy appears, and after it was renamed into place
    snapshots = drill.paths["published"].parent / "snapshots"

    def copy_started() -> bool:
        return any(snapshots.glob(".*.tmp"))

    def copy_renamed() -> bool:
        return len(list(snapshots.glob("*.duckdb"))) > 1 or (
            drill.paths["published"].resolve().name != published.version
        )

    for appears in (copy_started, copy_renamed):
        drill.kill_after(("publish",), appears)
        current = drill.snapshot()
        assert current == published or current.counts == expected
    drill.run("publish")
    final = drill.snapshot()
    assert final.counts == expected
    assert final.counts["main.stg_sgd__dialogues"] == before_ids + added
    assert final.counts != published.counts
    assert not list(snapshots.glob(".*.tmp"))
    assert not list(drill.paths["published"].parent.glob(".*.link"))
