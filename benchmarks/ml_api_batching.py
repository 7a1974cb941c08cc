"""API with the recommended ensemble: /v1/predict at 1 and 32 clients (wrk) vs the same
model's offline bulk rate, measured in the same run.

The ensemble registered by `benchmarks/ml_ensemble.py` is copied into a scratch registry and
served by `supportlens serve` (rate limits off, `benchmarks/api_load.py`'s set-up). Requests
rotate through distinct variants (benchmarks/ml_bulk_scoring.py) of the held-out texts the
TF-IDF model is unsure of, so most take the encoder path (a confident text would measure
TF-IDF only). Offline reference: the same model's predict_proba on the same texts in one
call, embedding cache off, measured before and after the API runs (mean).

    nice python benchmarks/ml_api_batching.py [--workdir /tmp/supportlens-ml-ensemble]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]


ROTATING_BODIES = """
local bodies = {}
for line in io.lines("BODIES") do bodies[#bodies + 1] = line end
local counter = math.random(#bodies)
request = function()
  counter = counter % #bodies + 1
  return wrk.format(nil, nil, nil, bodies[counter])
end
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/supportlens-ml-ensemble"))
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--max-seconds", type=int, default=30)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 32])
    parser.add_argument("--texts", type=int, default=3000, help="distinct texts to rotate")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk not found: apt-get install -y wrk", file=sys.stderr)
        return 2
    # sibling scripts: benchmarks/ is sys.path[0] when this one runs
    import api_load as bench
    import ml_bulk_scoring as bulk

    os.environ["SUPPORTLENS_PATHS_WAREHOUSE"] = str(args.workdir / "warehouse.duckdb")
    os.environ["SUPPORTLENS_PATHS_REGISTRY_DIR"] = str(args.workdir / "models")

    from supportlens.config import load_settings
    from supportlens.ml.ensemble import EnsembleClassifier
    from supportlens.text import normalize_texts

    settings = load_settings()
    source = bulk.latest_ensemble(settings)
    version = source.name
    texts = bulk.test_split(settings)["text"].tolist()
    model = EnsembleClassifier.load(source, cache_root=None)
    confidence = model.baseline.predict_proba(normalize_texts(texts)).max(axis=1)
    unsure = [t for t, c in zip(texts, confidence, strict=True) if c < model.threshold]
    # Distinct texts, so neither side gains from duplicates: variants of the unsure ones.
    variants = bulk.support_texts(unsure, unsure, args.texts)[0]
    offline_texts = normalize_texts(variants)
    model.predict_proba(offline_texts[:64])

    def offline() -> float:
        started = time.perf_counter()
        model.predict_proba(offline_texts)
        return len(offline_texts) / (time.perf_counter() - started)

    # Measured before and after the API runs: on a shared machine the load drifts, and one
    # reading on one side would credit or blame the server for it.
    offline_before = offline()
    offline_share = model.last_escalated / len(offline_texts)

    rows = []
    with tempfile.TemporaryDirectory(prefix="supportlens-ml-api-") as tmp:
        folder = Path(tmp)
        env = {**os.environ, "SUPPORTLENS_CONFIG": str(bench.write_config(folder))}
        for key in ("SUPPORTLENS_PATHS_WAREHOUSE", "SUPPORTLENS_PATHS_REGISTRY_DIR"):
            env.pop(key, None)
        shutil.copytree(source, folder / "models" / version)
        active = folder / "models" / "_active"
        active.mkdir(parents=True)
        (active / "banking77.json").write_text(json.dumps({"model_version": version}))
        bench.MODEL_VERSION = version  # what start_server waits for on /ready
        bodies = folder / "bodies.txt"
        bodies.write_text("\n".join(json.dumps({"text": t}) for t in variants) + "\n")
        script = folder / "post.lua"
        # api_load's script, with each request taking the next text of the file in turn.
        script.write_text(
            bench.WRK_SCRIPT.replace(
                'wrk.body = os.getenv("BENCH_BODY")',
                ROTATING_BODIES.replace("BODIES", str(bodies)),
            ),
            encoding="utf-8",
        )
        port = bench.free_port()
        server = bench.start_server(env, port, folder / "server.log", 1)
        try:
            url = f"http://127.0.0.1:{port}/v1/predict"
            body = json.dumps({"text": variants[0]})  # warm-up only; wrk rotates texts
            for _ in range(20):
                httpx.post(url, content=body, headers={"Content-Type": "application/json"})
            for clients in args.concurrency:
                done, seconds, errors, p50, _p95, p99 = bench.run_for_requests(
                    url, body, clients, args.requests, args.max_seconds, script
                )
                rows.append((clients, done, errors, done / seconds, p50, p99))
        finally:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()

    offline_after = offline()
    offline_rate = (offline_before + offline_after) / 2
    print(
        f"\n{version}: /v1/predict, texts the TF-IDF model is unsure of, 1 uvicorn worker, "
        f"wrk on the same 2 cores, load average {os.getloadavg()[0]:.1f}. Offline bulk rate "
        f"of the same model on the same {len(variants):,} texts in one call: "
        f"{offline_rate:,.0f} texts/s (mean of {offline_before:,.0f} before and "
        f"{offline_after:,.0f} after the API runs; {offline_share:.0%} of them encoded).\n"
    )
    print("| clients | requests | errors | texts/s | vs offline bulk | p50 ms | p99 ms |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for clients, done, errors, rate, p50, p99 in rows:
        print(
            f"| {clients} | {done} | {errors} | {rate:,.0f} | {rate / offline_rate:.0%} | "
            f"{p50:.1f} | {p99:.1f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
