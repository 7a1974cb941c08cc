from api_fakes import FakeRegistry, with_api
from litestar.testing import TestClient


def test_predict_returns_label_confidence_top_k_and_version(client: TestClient) -> None:
    response = client.post("/v1/predict", json={"text": "Where is my card?", "top_k": 2})
    assert response.status_code == 200
    body = response.json()
    assert body["label"] == "card_arrival"
    assert body["confidence"] == 0.7
    assert body["model_version"] == "b77-v1"
    assert body["label_set"] == "banking77"
    assert next(x["label"] for x in body["top_k"]) == "card_arrival"
    assert len(body["top_k"]) == 2


def test_predict_uses_the_requested_label_set(client: TestClient) -> None:
    body = client.post("/v1/predict", json={"text": "refund", "label_set": "bitext"}).json()
    assert body["model_version"] == "bitext-v1"
    assert body["label_set"] == "bitext"


def test_batch_keeps_order_and_reports_one_version(client: TestClient) -> None:
    texts = ["my card", "forgot password", "hello", "refund please"] * 10
    response = client.post("/v1/predict/batch", json={"texts": texts})
    assert response.status_code == 200
    body = response.json()
    assert body["model_version"] == "b77-v1"
    labels = [p["label"] for p in body["predictions"]]
    assert labels[:4] == ["card_arrival", "passcode_forgotten", "other", "request_refund"]
    assert len(labels) == 40


def test_model_is_loaded_once_at_start_up_and_shared(
    client: TestClient, registry: FakeRegistry
) -> None:
    assert registry.loads == 1  # warmed up before any request
    for _ in range(20):
        assert client.post("/v1/predict", json={"text": "card"}).status_code == 200
    client.post("/v1/predict/batch", json={"texts": ["a", "b"]})
    assert registry.loads == 1


def test_malformed_json_is_400(client: TestClient) -> None:
    response = client.post(
        "/v1/predict", content=b'{"text": "x"', headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400


def test_missing_field_is_400_naming_it(client: TestClient) -> None:
    response = client.post("/v1/predict", json={"top_k": 3})
    assert response.status_code == 400
    assert "text" in response.text


def test_empty_and_blank_text_are_400(client: TestClient) -> None:
    for text in ["", "   \n\t"]:
        response = client.post("/v1/predict", json={"text": text})
        assert response.status_code == 400, text
    assert client.post("/v1/predict/batch", json={"texts": ["ok", ""]}).status_code == 400
    assert client.post("/v1/predict/batch", json={"texts": []}).status_code == 400


def test_wrong_types_unknown_fields_and_label_sets_are_400(client: TestClient) -> None:
    assert client.post("/v1/predict", json={"text": 5}).status_code == 400
    assert client.post("/v1/predict", json={"text": "x", "colour": 1}).status_code == 400
    assert client.post("/v1/predict", json={"text": "x", "label_set": "nope"}).status_code == 400
    assert client.post("/v1/predict", json={"text": "x", "top_k": 0}).status_code == 400
    assert client.post("/v1/predict", json=["x"]).status_code == 400


def test_label_set_without_a_model_is_404_naming_the_command(client: TestClient) -> None:
    response = client.post("/v1/predict", json={"text": "x", "label_set": "sgd"})
    assert response.status_code == 404
    assert "supportlens train" in response.json()["detail"]


def test_oversized_batch_is_413(make_app, settings, published) -> None:
    with TestClient(make_app(with_api(settings, max_batch=5))) as client:
        assert client.post("/v1/predict/batch", json={"texts": ["x"] * 5}).status_code == 200
        response = client.post("/v1/predict/batch", json={"texts": ["x"] * 6})
    assert response.status_code == 413
    assert "at most 5" in response.json()["detail"]


def test_oversized_body_is_413(make_app, settings, published) -> None:
    with TestClient(make_app(with_api(settings, max_body_bytes=2000))) as client:
        response = client.post("/v1/predict/batch", json={"texts": ["word " * 50] * 20})
    assert response.status_code == 413


def test_concurrent_single_predictions_on_a_slow_model_share_model_calls(
    make_app, registry: FakeRegistry, published
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    registry.delay = 0.2  # slow from the start: measured at warm-up, so requests are batched
    texts = [f"card {i}" if i % 2 else f"refund {i}" for i in range(12)]
    with TestClient(make_app()) as client:
        services = client.app.state["services"]
        assert not services.hub.scores_inline(services.hub.peek("banking77"))

        def call(i: int):
            return client.post("/v1/predict", json={"text": texts[i], "top_k": 1 + i % 3})

        with ThreadPoolExecutor(max_workers=12) as pool:
            responses = list(pool.map(call, range(12)))
    assert [r.status_code for r in responses] == [200] * 12
    for i, (text, response) in enumerate(zip(texts, responses, strict=True)):
        body = response.json()
        assert body["label"] == ("card_arrival" if "card" in text else "request_refund")
        assert len(body["top_k"]) == 1 + i % 3  # each request gets its own top_k
    assert services.batcher.items == 12
    assert services.batcher.batches < 12  # fewer model calls than requests


def test_fast_model_answers_on_the_event_loop_without_the_batcher(client: TestClient) -> None:
    services = client.app.state["services"]
    assert services.hub.scores_inline(services.hub.peek("banking77"))
    for i in range(5):
        response = client.post("/v1/predict", json={"text": f"card {i}", "top_k": 2})
        assert response.json()["label"] == "card_arrival"
        assert len(response.json()["top_k"]) == 2
    assert services.batcher.items == 0
