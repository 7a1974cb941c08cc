"""`supportlens download` against a local HTTP server on 127.0.0.1 serving fixture files."""

from __future__ import annotations

import hashlib
import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from supportlens.cli import main
from supportlens.ingest.download import BITEXT_FILE, DownloadError, RemoteFile, dataset_files, fetch

FIXTURE_RAW = Path(__file__).resolve().parents[1] / "fixtures" / "raw"


class RangeHandler(http.server.SimpleHTTPRequestHandler):
    """Static files with `Range: bytes=N-` support; records the Range headers it saw."""

    ranges: list[str]

    def send_head(self):  # type: ignore[no-untyped-def]
        self.ranges.append(self.headers.get("Range", ""))
        path = Path(self.translate_path(self.path))
        header = self.headers.get("Range")
        if not header or not path.is_file():
            return super().send_head()
        start = int(header.removeprefix("bytes=").rstrip("-"))
        data = path.read_bytes()
        handle = open(path, "rb")  # noqa: SIM115 - the base class closes it after copying
        handle.seek(start)
        self.send_response(206)
        self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        self.send_header("Content-Length", str(len(data) - start))
        self.end_headers()
        return handle

    def log_message(self, format: str, *args: object) -> None:  # quiet test output
        pass


@pytest.fixture
def served(tmp_path: Path) -> Path:
    """The folder the server serves: a copy of the fixture raw files."""
    folder = tmp_path / "served"
    shutil.copytree(FIXTURE_RAW, folder)
    return folder


@pytest.fixture
def server(served: Path) -> Iterator[tuple[str, list[str]]]:
    seen: list[str] = []
    handler = type("Handler", (RangeHandler,), {"ranges": seen})

    def make(*args: object) -> RangeHandler:
        return handler(*args, directory=str(served))  # type: ignore[arg-type]

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), make)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/", seen
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_download_via_cli_then_present(
    server: tuple[str, list[str]],
    served: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    base, _ = server
    shutil.copy(served / "bitext" / "bitext_sample.csv", served / BITEXT_FILE)
    dest = tmp_path / "raw"
    args = ["download", "bitext", "--dest", str(dest), "--url", base]
    assert main(args) == 0, capsys.readouterr().err
    landed = dest / "bitext" / BITEXT_FILE
    assert landed.read_bytes() == (served / BITEXT_FILE).read_bytes()
    assert "1 downloaded" in capsys.readouterr().out
    assert main(args) == 0
    assert "1 present" in capsys.readouterr().out


def test_pinned_checksum_guards_the_cli(
    server: tuple[str, list[str]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The fixture train.csv is not the real one, so the real pin must refuse it."""
    base, _ = server
    code = main(["download", "banking77", "--dest", str(tmp_path), "--url", base + "banking77/"])
    err = capsys.readouterr().err
    assert code == 1 and "banking77/train.csv: checksum mismatch" in err
    assert not (tmp_path / "banking77" / "train.csv").exists()


def test_resume_uses_http_range(server: tuple[str, list[str]], tmp_path: Path) -> None:
    base, seen = server
    source = FIXTURE_RAW / "twcs" / "twcs.csv"
    target = tmp_path / "twcs" / "twcs.csv"
    target.parent.mkdir(parents=True)
    half = source.read_bytes()[:500]
    (target.parent / "twcs.csv.part").write_bytes(half)
    remote = RemoteFile(base + "twcs/twcs.csv", "twcs/twcs.csv", sha(source))
    assert fetch(remote, tmp_path) == "resumed"
    assert seen[-1] == "bytes=500-"
    assert target.read_bytes() == source.read_bytes()
    assert not (target.parent / "twcs.csv.part").exists()


def test_checksum_mismatch_is_refused(server: tuple[str, list[str]], tmp_path: Path) -> None:
    base, _ = server
    remote = RemoteFile(base + "banking77/train.csv", "banking77/train.csv", "0" * 64)
    with pytest.raises(DownloadError, match="checksum mismatch") as error:
        fetch(remote, tmp_path)
    assert "banking77/train.csv" in str(error.value) and "\n" not in str(error.value)
    assert not (tmp_path / "banking77" / "train.csv").exists()
    assert not (tmp_path / "banking77" / "train.csv.part").exists()


def test_offline_gives_one_clear_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code = main(
        ["download", "bitext", "--dest", str(tmp_path), "--url", f"http://127.0.0.1:{port}/"]
    )
    err = capsys.readouterr().err.strip()
    assert code == 1
    assert err.startswith("supportlens download: cannot reach 127.0.0.1:") and "offline" in err
    assert len(err.splitlines()) == 1


def test_twcs_needs_a_local_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["download", "twcs", "--dest", str(tmp_path)]) == 1
    assert "Kaggle account" in capsys.readouterr().err
    local = FIXTURE_RAW / "twcs" / "twcs.csv"
    assert main(["download", "twcs", "--dest", str(tmp_path), "--file", str(local)]) == 0
    assert (tmp_path / "twcs" / "twcs.csv").read_bytes() == local.read_bytes()


def test_dataset_file_lists_pin_known_checksums() -> None:
    banking = {f.target: f for f in dataset_files("banking77")}
    assert banking["banking77/train.csv"].url.endswith(
        "PolyAI-LDN/task-specific-datasets/master/banking_data/train.csv"
    )
    assert banking["banking77/train.csv"].sha256 and banking["banking77/test.csv"].sha256 is None
    sgd = dataset_files("sgd")
    assert len(sgd) == 127 + 20 + 34 + 3
    assert all("dstc8-schema-guided-dialogue" in f.url for f in sgd)


REAL = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"


@pytest.mark.realdata
@pytest.mark.skipif(not REAL.is_dir(), reason="../shared/data (real datasets) is absent")
def test_pins_match_the_real_files() -> None:
    pinned = {f.target: f.sha256 for f in dataset_files("banking77") + dataset_files("sgd")}
    for target in (
        "banking77/train.csv",
        "banking77/categories.json",
        "sgd/train/schema.json",
        "sgd/train/dialogues_001.json",
        "sgd/train/dialogues_010.json",
    ):
        assert pinned[target] == sha(REAL / target)
