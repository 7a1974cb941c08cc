import json

from api_fakes import FakeRegistry, with_api
from litestar.testing import TestClient


def test_health_is_always_ok(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "ok"}


def test_ready_when_model_loaded_and_warehouse_readable(client: TestClient) -> None:
    response = client.get("/ready")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "models": {"banking77": "b77-v1"},
        "warehouse": "ok",
        "problems": [],
    }


def test_not_ready_without_model_or_snapshot(make_app) -> None:
    empty = FakeRegistry(versions={}, active={})
    with TestClient(make_app(models=empty)) as client:
        response = client.get("/ready")
        assert client.get("/health").status_code == 200
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not ready"
    assert len(body["problems"]) == 2
    assert "supportlens train" in body["problems"][0]
    assert "no published warehouse" in body["problems"][1]


def test_request_ids_are_generated_or_echoed(client: TestClient) -> None:
    generated = client.get("/health").headers["x-request-id"]
    assert len(generated) == 32
    assert client.get("/health").headers["x-request-id"] != generated
    echoed = client.get("/health", headers={"X-Request-ID": "abc-123"})
    assert echoed.headers["x-request-id"] == "abc-123"
    unsafe = client.get("/health", headers={"X-Request-ID": "bad id\twith spaces"})
    assert unsafe.headers["x-request-id"] != "bad id\twith spaces"


def test_prometheus_metrics_count_requests(client: TestClient) -> None:
    client.post("/v1/predict", json={"text": "card"})
    text = client.get("/metrics").text
    assert "supportlens_api_requests_total" in text
    assert 'path="/v1/predict"' in text
    assert "supportlens_api_request_duration_seconds_bucket" in text


def test_openapi_schema_and_interactive_docs(client: TestClient) -> None:
    schema = client.get("/schema/openapi.json").json()
    paths = set(schema["paths"])
    for path in [
        "/v1/predict",
        "/v1/predict/batch",
        "/v1/models",
        "/v1/models/{model_version}",
        "/v1/models/{model_version}/activate",
        "/v1/train",
        "/v1/jobs/{job_id}",
        "/v1/datasets",
        "/v1/conversations/{conversation_id}",
        "/v1/conversations/analyze",
        "/v1/metrics/intents",
        "/v1/metrics/outcomes",
        "/v1/metrics/response-times",
        "/v1/metrics/sentiment",
        "/health",
        "/ready",
    ]:
        assert path in paths, path
    assert schema["paths"]["/v1/train"]["post"]["security"] == [{"apiKey": []}]
    assert "apiKey" in json.dumps(schema["components"]["securitySchemes"])
    ui = client.get("/schema/swagger")
    assert ui.status_code == 200 and "swagger" in ui.text.lower()


def test_rate_limit_answers_429_with_retry_after(make_app, settings, published) -> None:
    limited = with_api(settings, rate_limit_predict="3/minute", rate_limit_reads="off")
    with TestClient(make_app(limited)) as client:
        statuses = [client.post("/v1/predict", json={"text": "x"}).status_code for _ in range(3)]
        blocked = client.post("/v1/predict", json={"text": "x"})
        # Other areas have their own budget.
        other_area = client.get("/v1/models")
    assert statuses == [200, 200, 200]
    assert blocked.status_code == 429
    assert 1 <= int(blocked.headers["retry-after"]) <= 60
    assert blocked.headers["ratelimit-limit"] == "3"
    assert other_area.status_code == 200
