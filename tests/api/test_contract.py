"""Observability and contract (issue 20, item 9): what /metrics counts, what error bodies
reveal, what the OpenAPI document promises, and which requests the API refuses."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from api_fakes import auth, with_api
from litestar.testing import TestClient

from supportlens.api.services.registry import RegistryProvider
from supportlens.config import Settings

ERROR_BODY = "#/components/schemas/ErrorOut"


def _count(metrics: str, path: str, status: int) -> float:
    """The request counter of one path and status in Prometheus text format."""
    total = 0.0
    for line in metrics.splitlines():
        if (
            line.startswith("supportlens_api_requests_total{")
            and f'path="{path}"' in line
            and f'status_code="{status}"' in line
        ):
            total += float(line.rsplit(" ", 1)[1])
    return total


def test_metrics_count_the_v1_metrics_routes(client: TestClient) -> None:
    # Counters live in the process-wide Prometheus registry: compare before and after.
    before = _count(client.get("/metrics").text, "/v1/metrics/outcomes", 200)
    assert client.get("/v1/metrics/outcomes").status_code == 200
    text = client.get("/metrics").text
    assert _count(text, "/v1/metrics/outcomes", 200) == before + 1
    assert 'path="/metrics"' not in text  # the scrape itself stays out


def test_metrics_count_429_as_429(make_app, settings, published) -> None:
    limited = with_api(settings, rate_limit_predict="1/minute")
    with TestClient(make_app(limited)) as client:
        before = client.get("/metrics").text
        assert client.post("/v1/predict", json={"text": "card"}).status_code == 200
        assert client.post("/v1/predict", json={"text": "card"}).status_code == 429
        text = client.get("/metrics").text
    assert _count(text, "/v1/predict", 200) == _count(before, "/v1/predict", 200) + 1
    assert _count(text, "/v1/predict", 429) == _count(before, "/v1/predict", 429) + 1


def test_error_bodies_and_jobs_name_no_server_paths(
    make_app, settings: Settings, published, tmp_path: Path
) -> None:
    configs = tmp_path / "configs"
    configs.mkdir()
    (configs / "baseline.yaml").write_text("model_type: tfidf_linear\n")
    custom = with_api(settings, train_config=str(configs / "baseline.yaml"))
    secrets = [str(settings.paths.registry_dir), str(configs), sys.executable, str(tmp_path)]
    with TestClient(make_app(custom, models=RegistryProvider(custom))) as client:
        bodies = [
            client.get("/v1/models/nope").text,
            client.post("/v1/models/nope/activate", headers=auth()).text,
            client.post("/v1/predict", json={"text": "card", "label_set": "sgd"}).text,
            client.post("/v1/train", json={"config": "nope.yaml"}, headers=auth()).text,
        ]
        job = client.post("/v1/train", json={}, headers=auth()).json()
        bodies.append(json.dumps(client.get(f"/v1/jobs/{job['job_id']}").json()))
    assert ['"status_code":404' in b for b in bodies[:3]] == [True] * 3
    assert '"status_code":422' in bodies[3]
    for body in bodies:
        for secret in secrets:
            assert secret not in body, (secret, body)
    assert json.loads(bodies[4])["command"][:1] == ["train"]


def test_model_version_has_a_documented_pattern_and_length(client: TestClient) -> None:
    schema = client.get("/schema/openapi.json").json()
    for path, method in [
        ("/v1/models/{model_version}", "get"),
        ("/v1/models/{model_version}/activate", "post"),
    ]:
        (param,) = schema["paths"][path][method]["parameters"]
        assert param["schema"]["maxLength"] <= 128
        assert param["schema"]["pattern"].startswith("^")


def test_openapi_documents_every_error_status_with_its_body(client: TestClient) -> None:
    schema = client.get("/schema/openapi.json").json()
    assert "ErrorOut" in schema["components"]["schemas"]
    expected = {
        ("/v1/predict", "post"): {413, 415, 429},
        ("/v1/conversations/{conversation_id}", "get"): {403, 404, 429, 503},
        ("/v1/metrics/outcomes", "get"): {403, 429, 503},
        ("/v1/models/{model_version}/activate", "post"): {401, 403, 404, 429},
        ("/v1/train", "post"): {401, 403, 409, 413, 415, 422, 429},
        ("/v1/datasets", "post"): {401, 403, 409, 413, 422, 429},
        ("/v1/jobs/{job_id}", "get"): {403, 404, 429},
    }
    for (path, method), codes in expected.items():
        responses = schema["paths"][path][method]["responses"]
        for code in codes:
            assert str(code) in responses, (path, method, code)
            body = responses[str(code)]["content"]["application/json"]["schema"]
            assert body == {"$ref": ERROR_BODY}, (path, method, code, body)


def test_a_text_plain_body_is_415(client: TestClient) -> None:
    response = client.post(
        "/v1/predict", content=b'{"text": "card"}', headers={"content-type": "text/plain"}
    )
    assert response.status_code == 415
    assert "application/json" in response.json()["detail"]
    ok = client.post(
        "/v1/predict",
        content=b'{"text": "card"}',
        headers={"content-type": "application/json; charset=utf-8"},
    )
    assert ok.status_code == 200


def test_head_health_answers_like_get(client: TestClient) -> None:
    response = client.head("/health")
    assert response.status_code == 200
    assert response.content == b""


def test_bodies_are_checked_as_strictly_as_the_schema_states(client: TestClient) -> None:
    schema = client.get("/schema/openapi.json").json()["components"]["schemas"]
    for name in ["PredictRequest", "BatchPredictRequest", "AnalyzeRequest", "TrainRequest"]:
        assert schema[name]["additionalProperties"] is False, name
    # Lenient coercions the schema forbids: a string for an integer, a number for a date.
    assert client.post("/v1/predict", json={"text": "card", "top_k": "3"}).status_code == 400
    turns = [{"speaker": "customer", "text": "card", "sent_at": 0}]
    response = client.post("/v1/conversations/analyze", json={"turns": turns})
    assert response.status_code == 400
    assert response.json()["extra"][0]["key"] == "turns[0].sent_at"
    # JSON Schema counts 3.0 as an integer.
    assert client.post("/v1/predict", json={"text": "card", "top_k": 3.0}).status_code == 200


def test_list_items_document_the_constraints_the_body_enforces(client: TestClient) -> None:
    # Litestar documented `texts` items as a bare string, so a schema-valid [""] got a
    # 400 (schemathesis' coverage phase found it from a clean clone).
    schema = client.get("/schema/openapi.json").json()["components"]["schemas"]
    items = schema["BatchPredictRequest"]["properties"]["texts"]["items"]
    assert items == {"type": "string", "minLength": 1, "maxLength": 10000, "pattern": r"\S"}
    refused = client.post("/v1/predict/batch", json={"texts": [""]})
    assert refused.status_code == 400
