"""Fetch the real public datasets into raw_dir, resumably; pinned files are verified.

Each file is downloaded to `<name>.part`; an interrupted download resumes with an HTTP
Range request, and the complete file is renamed into place. Only the files in
`PINNED_SHA256` (the ones whose bytes were verified against ../shared/data: BANKING77
train.csv and categories.json, SGD train/schema.json and train shards 001-010) are
checked: a mismatch removes the download. The others cannot be pinned from here (no
verified copy) and are taken as served; `supportlens download` says how many were
checked. A file already present is skipped (when pinned, only if its checksum matches).
"""

from __future__ import annotations

import logging
import os
import urllib.error
import urllib.parse
import urllib.request
import urllib.response
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from supportlens.hashing import file_sha256

log = logging.getLogger(__name__)

CHUNK = 1 << 20
TIMEOUT_SECONDS = 30

BANKING77_BASE = (
    "https://raw.githubusercontent.com/PolyAI-LDN/task-specific-datasets/master/banking_data/"
)
SGD_BASE = "https://raw.githubusercontent.com/google-research-datasets/dstc8-schema-guided-dialogue/master/"
BITEXT_BASE = (
    "https://huggingface.co/datasets/bitext/Bitext-customer-support-llm-chatbot-training-dataset"
    "/resolve/main/"
)
BITEXT_FILE = "Bitext_Sample_Customer_Support_Training_Dataset_27K_responses-v11.csv"
TWCS_PAGE = "https://www.kaggle.com/datasets/thoughtvector/customer-support-on-twitter"
SGD_SHARDS = {"train": 127, "dev": 20, "test": 34}

_SGD_TRAIN_SHARD_SHA256 = {
    "001": "5ce28a6e656bc88c1da29c983d243d5a81eb37de92698da3864d1cf02894ca24",
    "002": "56a06f9762593b27f5b34225de4ce37da5e83c9c5747e56bca2899f147d88b3e",
    "003": "aae3d8d141c8c36bc5268ca573044b4e82d4534947c169d951a1f229b9852029",
    "004": "4f4aa821e01d7d9efd44c2e89264d37e428045e7058bf3b3c6be0eaec09eddce",
    "005": "e19563efc34dead580435331d39ec3183c79230fa361b2e2d79035af242dd90b",
    "006": "6b4829cb18185f063b81d271b847aa6915ef970cb592a2366edbec56d4b4c746",
    "007": "59adf47264e106df1ce4a59d2c88e95b5a12497e6f5e3e5464381c2a7526837c",
    "008": "36614c125ce310dd162b62d624b8bcd117053cf727978458b6c36b6592f6e757",
    "009": "d8cc086374bbce168a03169341687eaa9f886fe25f8b8dd5bd6832f6f441951d",
    "010": "d8658cd35bd4b6d274720d14308ec721f238d70cc37ea947c38f9d83a0267c1b",
}
#: sha256 of files whose bytes we have verified (the copies in ../shared/data).
PINNED_SHA256: dict[str, str] = {
    "banking77/train.csv": "b06e26ac675513959a63135f11b94ea7786ed02da65db93a5650d8838cbc664b",
    "banking77/categories.json": "53261da888122daf2d120d925458631d9619e15d82e56052e7a42e535ce32b63",
    "sgd/train/schema.json": "97b6c21673aa7e5c2d1ceef52aa35170c565223cdcbf33bb24c69739bda04a82",
    **{f"sgd/train/dialogues_{n}.json": h for n, h in _SGD_TRAIN_SHARD_SHA256.items()},
}


class DownloadError(RuntimeError):
    """A one-line, user-facing reason a download failed."""


@dataclass(frozen=True)
class RemoteFile:
    url: str
    target: str  # path relative to raw_dir, e.g. banking77/train.csv
    sha256: str | None = None


def dataset_files(source: str, base_url: str | None = None) -> list[RemoteFile]:
    """The files of a public dataset; `base_url` replaces the canonical location."""

    def files(base: str, names: dict[str, str]) -> list[RemoteFile]:
        base = base if base.endswith("/") else base + "/"
        return [
            RemoteFile(base + remote, target, PINNED_SHA256.get(target))
            for remote, target in names.items()
        ]

    if source == "banking77":
        names = {n: f"banking77/{n}" for n in ("train.csv", "test.csv", "categories.json")}
        return files(base_url or BANKING77_BASE, names)
    if source == "sgd":
        names = {}
        for split, shards in SGD_SHARDS.items():
            names[f"{split}/schema.json"] = f"sgd/{split}/schema.json"
            for shard in range(1, shards + 1):
                name = f"{split}/dialogues_{shard:03d}.json"
                names[name] = f"sgd/{name}"
        return files(base_url or SGD_BASE, names)
    if source == "bitext":
        return files(base_url or BITEXT_BASE, {BITEXT_FILE: f"bitext/{BITEXT_FILE}"})
    if source == "twcs":
        raise DownloadError(
            f"twcs needs a Kaggle account: download twcs.csv from {TWCS_PAGE}, "
            "then run `supportlens download twcs --file PATH/twcs.csv`"
        )
    if source == "synthetic":
        raise DownloadError("synthetic data is not downloaded: run `supportlens generate`")
    raise DownloadError(f"unknown source {source!r}")


def _open(url: str, offset: int) -> urllib.response.addinfourl:
    request = urllib.request.Request(url, headers={"User-Agent": "supportlens-download"})
    if offset:
        request.add_header("Range", f"bytes={offset}-")
    try:
        return urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS)
    except urllib.error.HTTPError as exc:
        raise DownloadError(f"{url}: HTTP {exc.code} {exc.reason}") from exc
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        host = urllib.parse.urlsplit(url).netloc
        raise DownloadError(f"cannot reach {host} ({reason}); are you offline?") from exc


def fetch(remote: RemoteFile, raw_dir: Path, progress: Callable[[int], None] | None = None) -> str:
    """Download one file into raw_dir; returns 'present', 'downloaded' or 'resumed'."""
    target = raw_dir / remote.target
    if target.exists() and (remote.sha256 is None or file_sha256(target) == remote.sha256):
        return "present"
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(target.name + ".part")
    offset = part.stat().st_size if part.exists() else 0
    response = _open(remote.url, offset)
    with response:
        resumed = offset > 0 and response.status == 206
        mode = "ab" if resumed else "wb"  # a server that ignores Range sends it all again
        with part.open(mode) as handle:
            try:
                while chunk := response.read(CHUNK):
                    handle.write(chunk)
                    if progress:
                        progress(len(chunk))
            except OSError as exc:
                raise DownloadError(
                    f"{remote.url}: connection lost ({exc}); run again to resume"
                ) from exc
    if remote.sha256 is not None:
        actual = file_sha256(part)
        if actual != remote.sha256:
            part.unlink()
            raise DownloadError(
                f"{remote.target}: checksum mismatch (expected sha256 {remote.sha256}, "
                f"got {actual}); the partial file was removed"
            )
    os.replace(part, target)
    return "resumed" if resumed else "downloaded"


def copy_local(path: Path, raw_dir: Path, target: str) -> Path:
    """Bring a file the user downloaded themselves (TWCS) into raw_dir atomically."""
    if not path.is_file():
        raise DownloadError(f"{path}: no such file")
    destination = raw_dir / target
    destination.parent.mkdir(parents=True, exist_ok=True)
    part = destination.with_name(destination.name + ".part")
    with path.open("rb") as source, part.open("wb") as sink:
        while chunk := source.read(CHUNK):
            sink.write(chunk)
    os.replace(part, destination)
    return destination
