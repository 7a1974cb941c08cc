"""A refused upload changes nothing in raw_dir (issue 20 items 4 and 6).

- While a landing job runs, a second upload is 409 and the file the job is reading
  stays exactly as it was (it used to be replaced before the 409).
- Every raw file `land` would refuse as a whole is refused by the API too (422 naming
  the problem), so an upload can never put a file in raw_dir that stops landing.
"""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

import pytest
from api_fakes import auth
from litestar.testing import TestClient

from supportlens.config import Settings

INGEST_TESTS = Path(__file__).resolve().parents[1] / "ingest"
sys.path.insert(0, str(INGEST_TESTS))
from test_malformed import CASES, Case  # noqa: E402

FIXTURE_RAW = INGEST_TESTS.parent / "fixtures" / "raw"
TWCS_HEADER = (
    b"tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"
)
FIRST = TWCS_HEADER + b"1,a,True,Tue Oct 31 22:10:47 +0000 2017,first upload,,\n"
SECOND = TWCS_HEADER + b"1,a,True,Tue Oct 31 22:10:47 +0000 2017,second upload,,\n"


def post(client: TestClient, filename: str, content: bytes, **form: str):
    data = {"land": "false", **form}
    return client.post(
        "/v1/datasets", data=data, files={"file": (filename, content)}, headers=auth()
    )


@pytest.fixture
def slow_land_client(make_app, published, tmp_path: Path):
    """The API with a `supportlens` whose every command takes 3 s (a landing in progress)."""
    slow_cli = tmp_path / "slow_cli.py"
    slow_cli.write_text("import time\ntime.sleep(3)\n")
    with TestClient(make_app(cli_command=[sys.executable, str(slow_cli)])) as client:
        yield client


def test_upload_refused_while_landing_leaves_the_file_alone(
    slow_land_client: TestClient, settings: Settings
) -> None:
    target = settings.paths.raw_dir / "twcs" / "twcs.csv"
    first = post(slow_land_client, "twcs.csv", FIRST, source="twcs", land="true")
    assert first.status_code == 201, first.text
    assert first.json()["landing_job"]["status"] in {"queued", "running"}
    assert target.read_bytes() == FIRST

    for land in ("true", "false"):
        second = post(slow_land_client, "twcs.csv", SECOND, source="twcs", land=land)
        assert second.status_code == 409, second.text
        assert target.read_bytes() == FIRST  # the landing job still reads the first upload
    assert not list(target.parent.glob(".upload-*"))

    job_id = first.json()["landing_job"]["job_id"]
    deadline = time.monotonic() + 20
    while slow_land_client.get(f"/v1/jobs/{job_id}").json()["status"] in {"queued", "running"}:
        assert time.monotonic() < deadline
        time.sleep(0.2)
    after = post(slow_land_client, "twcs.csv", SECOND, source="twcs")
    assert after.status_code == 201 and target.read_bytes() == SECOND


UPLOAD_FORM = {
    "banking77": {},
    "bitext": {},
    "twcs": {},
    "synthetic": {},
    "sgd": {"split": "train"},
}
UPLOADABLE_NAME = {"bitext/b.parquet": "b.parquet"}
# Unknown formats and names outside the layout are refused by name (test_datasets.py).
WHOLE_FILE = [
    c
    for c in CASES
    if c.record is None and not c.file.endswith((".txt", ".md")) and "\\x" not in c.file
]


@pytest.mark.parametrize("case", WHOLE_FILE, ids=[c.name for c in WHOLE_FILE])
def test_files_land_would_refuse_are_refused(
    case: Case, client: TestClient, settings: Settings, tmp_path: Path
) -> None:
    scratch = tmp_path / "scratch"
    shutil.copytree(FIXTURE_RAW, scratch)
    case.mutate(scratch)
    name = Path(case.file).name
    response = post(
        client, name, (scratch / case.file).read_bytes(), source=case.source,
        **UPLOAD_FORM.get(case.source, {}),
    )  # fmt: skip
    assert response.status_code == 422, response.text
    raw = settings.paths.raw_dir
    assert not [p for p in raw.rglob("*") if p.is_file()], "a refused upload left a file"
