from pathlib import Path

from api_fakes import auth, with_api
from litestar.testing import TestClient

from supportlens.config import Settings

BANKING_CSV = b"text,category\nwhere is my card,card_arrival\nI forgot my PIN,passcode_forgotten\n"


def upload(client: TestClient, filename: str, content: bytes, key: str | None = "ok", **form):
    headers = auth() if key == "ok" else auth(key) if key else {}
    data = {"source": "banking77", "land": "false", **form}
    return client.post(
        "/v1/datasets", data=data, files={"file": (filename, content)}, headers=headers
    )


def test_valid_upload_lands_in_the_raw_layout(client: TestClient, settings: Settings) -> None:
    response = upload(client, "train.csv", BANKING_CSV)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body == {
        "source": "banking77",
        "path": "banking77/train.csv",
        "bytes": len(BANKING_CSV),
        "rows": 2,
        "landing_job": None,
    }
    assert (settings.paths.raw_dir / "banking77" / "train.csv").read_bytes() == BANKING_CSV


def test_upload_can_start_a_landing_job(client: TestClient) -> None:
    response = upload(client, "train.csv", BANKING_CSV, land="true")
    assert response.status_code == 201
    job = response.json()["landing_job"]
    try:
        import supportlens.ingest.commands.land  # noqa: F401
    except ImportError:
        assert job is None  # landing module not installed: stored only
    else:
        assert job["kind"] == "land" and job["command"][-1] == "land"


def test_invalid_content_is_422_and_never_stored(client: TestClient, settings: Settings) -> None:
    bad_header = upload(client, "train.csv", b"words,label_name\nhello,x\n")
    assert bad_header.status_code == 422
    assert "header lacks columns" in bad_header.json()["detail"]
    ragged = upload(client, "test.csv", b"text,category\nok,a\nbad,row,extra\n")
    assert ragged.status_code == 422
    assert "line 3" in ragged.json()["detail"]
    not_json = upload(client, "categories.json", b"{not json")
    assert not_json.status_code == 422
    binary = upload(client, "train.csv", b"\xff\xfe\x00bad")
    assert binary.status_code == 422
    raw = settings.paths.raw_dir / "banking77"
    assert not any(p.name in {"train.csv", "test.csv", "categories.json"} for p in raw.glob("*"))
    assert not list(raw.glob(".upload-*"))


def test_names_outside_the_layout_are_422(client: TestClient) -> None:
    for name in ["../../etc/passwd", "notes.txt", "train.CSV.exe"]:
        assert upload(client, name, BANKING_CSV).status_code == 422, name
    sgd_without_split = upload(
        client, "dialogues_001.json", b'[{"dialogue_id": "1"}]', source="sgd"
    )
    assert sgd_without_split.status_code == 422
    sgd = upload(client, "dialogues_001.json", b'[{"dialogue_id": "1"}]', source="sgd", split="dev")
    assert sgd.status_code == 201
    assert sgd.json()["path"] == str(Path("sgd") / "dev" / "dialogues_001.json")


def test_upload_needs_the_api_key(client: TestClient) -> None:
    assert upload(client, "train.csv", BANKING_CSV, key=None).status_code == 401
    assert upload(client, "train.csv", BANKING_CSV, key="wrong").status_code == 403


def test_missing_file_or_unknown_source_is_400(client: TestClient) -> None:
    no_file = client.post("/v1/datasets", data={"source": "banking77"}, headers=auth())
    assert no_file.status_code == 400
    assert upload(client, "train.csv", BANKING_CSV, source="kaggle").status_code == 400


def test_oversized_upload_is_413(make_app, settings, published) -> None:
    with TestClient(make_app(with_api(settings, max_upload_bytes=1000))) as client:
        response = upload(client, "train.csv", b"text,category\n" + b"x,y\n" * 500)
    assert response.status_code == 413


def test_upload_accepts_exactly_the_headers_the_loader_accepts(client: TestClient) -> None:
    # The generator writes `timestamp`; the loader also takes `sent_at`. A header without
    # the ground-truth columns the loader requires must be refused before it is stored.
    row = b"c1,0,customer,hi,2024-01-01T00:00:00+00:00,chat,acme,card_arrival,neutral,resolved\n"
    for time_column in (b"timestamp", b"sent_at"):
        header = (
            b"conversation_id,turn_index,speaker,text,"
            + time_column
            + b",channel,company,intent,sentiment,outcome\n"
        )
        response = upload(client, "conversations.csv", header + row, source="synthetic")
        assert response.status_code == 201, (time_column, response.text)
    lacking_truth = b"conversation_id,turn_index,speaker,text,sent_at\nc1,0,customer,hi,x\n"
    refused = upload(client, "conversations.csv", lacking_truth, source="synthetic")
    assert refused.status_code == 422
    assert "sentiment" in refused.json()["detail"]


def test_refused_row_is_named_by_the_line_it_starts_on(client: TestClient) -> None:
    """Blank lines and a record spanning lines 5-7 (newlines inside quotes): an editor opened
    at the reported line shows the start of the bad record."""
    content = b'text,category\nok,a\n\n\n"bad\nrow\nhere",b,extra\n'
    response = upload(client, "train.csv", content)
    assert response.status_code == 422
    assert "line 5 has 3 fields" in response.json()["detail"]


def test_an_all_empty_row_with_the_wrong_field_count_is_refused(client: TestClient) -> None:
    response = upload(client, "train.csv", b"text,category\nok,a\n,,\n")
    assert response.status_code == 422
    assert "line 3 has 3 fields" in response.json()["detail"]


def test_blank_lines_are_not_counted_as_rows(client: TestClient) -> None:
    """The upload's row count is what `land` will read: blank lines are not records."""
    response = upload(client, "train.csv", b"text,category\n\nok,a\n\n\nfine,b\n\n")
    assert response.status_code == 201, response.text
    assert response.json()["rows"] == 2


def test_a_quote_left_open_to_the_end_of_the_file_is_refused(client: TestClient) -> None:
    """Python's csv module, like Arrow, reads an unclosed quote in the last column as one
    value running to the end of the file: the two rows after it would vanish into it."""
    content = b'text,category\nok,card_arrival\nfine,"card_arrival\nnext,card_arrival\nlast,x\n'
    response = upload(client, "train.csv", content)
    assert response.status_code == 422, response.text
    assert response.json()["detail"] == (
        "train.csv: a quote opened on line 3 never closes: "
        "the rest of the file (2 lines) is read as one value"
    )


def test_a_closed_quote_spanning_the_last_lines_is_accepted(client: TestClient) -> None:
    content = b'flags,instruction,category,intent,response\nB,hi,ORDER,cancel,"two\n\nlines"\n'
    response = upload(client, "bitext.csv", content, source="bitext")
    assert response.status_code == 201, response.text
    assert response.json()["rows"] == 1
