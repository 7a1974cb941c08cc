"""Hostile requests an adversarial run found (issue 20, items 1-3): each is a clear 4xx
(never a 5xx), the response cache cannot be poisoned, and a 5xx that does happen is
logged with its traceback on the server while the client sees no internals."""

from __future__ import annotations

import logging

import pytest
from api_fakes import auth
from litestar.testing import TestClient

#: JSON nested 1,000 deep: msgspec and the json module both refuse it with RecursionError.
DEEP = "[" * 1000 + "]" * 1000
JSON = {"content-type": "application/json"}


def test_options_does_not_poison_the_cached_get(client: TestClient) -> None:
    assert client.options("/v1/metrics/outcomes?limit=44").status_code == 204
    response = client.get("/v1/metrics/outcomes?limit=44")
    assert response.status_code == 200
    assert response.json()["limit"] == 44 and response.json()["total"] == 3


def test_an_unknown_query_parameter_is_400_and_fills_no_cache_entry(client: TestClient) -> None:
    injected = client.get("/v1/metrics/outcomes?limit%3D%5B%2737%27%5D%26source=twcs")
    assert injected.status_code == 400
    assert "limit=['37']&source" in injected.json()["detail"]
    page = client.get("/v1/metrics/outcomes?limit=37&source=twcs").json()
    assert page["limit"] == 37
    assert [(i["outcome"], i["conversations"]) for i in page["items"]] == [("escalated", 1)]


def test_cache_keys_escape_parameter_values(client: TestClient) -> None:
    # A value holding '&' and '=' must not share a cache entry with the query it spells.
    real = client.get("/v1/metrics/outcomes", params={"company": "acme", "offset": 0}).json()
    assert real["total"] == 2
    spoof = client.get("/v1/metrics/outcomes", params={"company": "acme&offset=0"}).json()
    assert spoof["total"] == 0


@pytest.mark.parametrize("path", ["/v1/predict", "/v1/predict/batch", "/v1/conversations/analyze"])
def test_json_nested_a_thousand_deep_is_400(client: TestClient, path: str) -> None:
    body = '{"text": ' + DEEP + ', "texts": ' + DEEP + ', "turns": ' + DEEP + "}"
    response = client.post(path, content=body, headers=JSON)
    assert response.status_code == 400, response.text
    assert "nested" in response.json()["detail"]


def test_sgd_upload_nested_a_thousand_deep_is_rejected(client: TestClient) -> None:
    response = client.post(
        "/v1/datasets",
        data={"source": "sgd", "split": "train", "land": "false"},
        files={"file": ("dialogues_001.json", DEEP.encode(), "application/json")},
        headers=auth(),
    )
    assert response.status_code in (400, 422), response.text
    assert "nested" in response.json()["detail"]


@pytest.mark.parametrize("raw", [b'{"text": "caf\xe9 card"}', b'{"text": "\xff\xfe card"}'])
def test_json_body_that_is_not_utf8_is_400(client: TestClient, raw: bytes) -> None:
    response = client.post("/v1/predict", content=raw, headers=JSON)
    assert response.status_code == 400, response.text
    assert "UTF-8" in response.json()["detail"]


def test_analyze_with_naive_and_aware_sent_at_mixed_is_400(client: TestClient) -> None:
    turns = [
        {"speaker": "customer", "text": "where is my card", "sent_at": "2026-01-01T10:00:00"},
        {"speaker": "agent", "text": "on its way", "sent_at": "2026-01-01T10:01:00Z"},
    ]
    response = client.post("/v1/conversations/analyze", json={"turns": turns})
    assert response.status_code == 400, response.text
    assert "turns[1].sent_at" in response.json()["detail"]


@pytest.mark.parametrize("metric", ["intents", "outcomes", "response-times", "sentiment"])
def test_the_last_representable_date_is_a_valid_filter(client: TestClient, metric: str) -> None:
    # 9999-12-31 is a real date ("no end"); the inclusive bound must not overflow to a 500.
    response = client.get(f"/v1/metrics/{metric}", params={"date_to": "9999-12-31"})
    assert response.status_code == 200, response.text
    assert response.json()["total"] >= 1
    start = client.get(f"/v1/metrics/{metric}", params={"date_from": "9999-12-31"})
    assert start.status_code == 200 and start.json()["total"] == 0


@pytest.mark.parametrize("method,suffix", [("GET", ""), ("POST", "/activate")])
def test_an_overlong_model_version_is_400(client: TestClient, method: str, suffix: str) -> None:
    response = client.request(method, f"/v1/models/{'a' * 256}{suffix}", headers=auth())
    assert response.status_code == 400, response.text
    assert "model_version" in response.text


def test_a_server_error_is_logged_with_its_traceback_and_hidden_from_the_client(
    make_app, published, caplog: pytest.LogCaptureFixture
) -> None:
    class BrokenWarehouse:
        def fetch(self, sql: str, params: object = ()) -> list[dict[str, object]]:
            raise RuntimeError("disk on fire at /secret/path")

        def snapshot_id(self) -> str:
            return "s1"

        def close(self) -> None:
            pass

    with caplog.at_level(logging.ERROR), TestClient(make_app(warehouse=BrokenWarehouse())) as c:
        response = c.get("/v1/metrics/outcomes")
    assert response.status_code == 500
    assert "/secret/path" not in response.text and "Traceback" not in response.text
    request_id = response.headers["x-request-id"]
    assert request_id in response.json()["detail"]
    logged = [r for r in caplog.records if r.exc_info and "disk on fire" in str(r.exc_info[1])]
    assert logged, "the 5xx was not logged with its traceback"
    assert getattr(logged[0], "request_id", None) == request_id
