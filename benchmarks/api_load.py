"""Load benchmark of the prediction API: uvicorn on 127.0.0.1, driven by wrk.

    python benchmarks/api_load.py [--requests 10000] [--concurrency 1 8 32 64]
                                  [--batch-size 32] [--train-rows 0] [--max-seconds 120]
                                  [--workers 1]

Trains a TF-IDF baseline on BANKING77 (../shared/data/banking77/train.csv when present,
else the seeded generator's sample) into a temporary registry, starts `supportlens serve`
with rate limits off (they would turn a load test into a 429 test), then for each
endpoint and concurrency runs `wrk` until `--requests` responses (or `--max-seconds`)
and prints a markdown table: throughput and p50/p95/p99 latency.

Needs the Debian package `wrk` (`apt-get install -y wrk`).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
REAL_BANKING77 = REPO / ".." / "shared" / "data" / "banking77" / "train.csv"
MODEL_VERSION = "banking77-tfidf_linear-bench"
SAMPLE_TEXTS = [
    "I still have not received my new card, what should I do?",
    "How do I reset my passcode?",
    "Why was I charged a fee for my transfer?",
    "My top-up did not go through",
]

WRK_SCRIPT = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = os.getenv("BENCH_BODY")
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d %d %d\\n",
    summary.requests, summary.duration,
    e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


@dataclass
class Row:
    endpoint: str
    concurrency: int
    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    texts_per_request: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def training_data(limit: int) -> tuple[list[str], list[str], str]:
    if REAL_BANKING77.is_file():
        with REAL_BANKING77.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        source = "BANKING77 train.csv"
        texts = [r["text"] for r in rows]
        labels = [r.get("category") or r["label"] for r in rows]
    else:
        raise SystemExit(f"{REAL_BANKING77} not found: the benchmark trains on BANKING77")
    if limit:
        texts, labels = texts[:limit], labels[:limit]
    return texts, labels, f"{source} ({len(texts)} rows)"


def train(registry_dir: Path, settings_env: dict[str, str], limit: int) -> str:
    """Train and activate the baseline in a child process using the bench settings."""
    os.environ.update(settings_env)
    from supportlens.config import load_settings
    from supportlens.ml import registry
    from supportlens.ml.baseline import TfidfLinearClassifier
    from supportlens.ml.config import TrainConfig
    from supportlens.text import normalize_texts

    settings = load_settings()
    texts, labels, source = training_data(limit)
    started = time.perf_counter()
    # On normalised text, as `supportlens train` learns from the warehouse: the registered
    # model applies normalize_text_v1 to every request (ml/preprocessing.py).
    classifier = TfidfLinearClassifier.fit(normalize_texts(texts), labels, TrainConfig())
    meta = registry.ModelMeta(MODEL_VERSION, "banking77", "tfidf_linear", classifier.labels)
    card = {
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "data": {"rows": {"train": len(texts)}},
    }
    registry.save_version(settings, classifier, meta, card, "# benchmark model\n")
    registry.activate(settings, MODEL_VERSION)
    return f"{source}, trained in {time.perf_counter() - started:.0f} s"


def write_config(folder: Path) -> Path:
    config = folder / "supportlens.toml"
    config.write_text(
        f"""
[paths]
raw_dir = "{folder / "raw"}"
landing_dir = "{folder / "landing"}"
warehouse = "{folder / "warehouse.duckdb"}"
published = "{folder / "published" / "supportlens.duckdb"}"
registry_dir = "{folder / "models"}"
gx_docs_dir = "{folder / "gx_docs"}"
reports_build_dir = "{folder / "reports"}"

[ml]
label_set = "banking77"

[api]
host = "127.0.0.1"
port = 8000
max_batch = 1000
api_key = ""
rate_limit_predict = "off"
rate_limit_reads = "off"
rate_limit_admin = "off"
""",
        encoding="utf-8",
    )
    return config


SERVE_COMMAND = (sys.executable, "-m", "supportlens.cli", "-q", "serve")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(
    env: dict[str, str], port: int, log_file: Path, workers: int
) -> subprocess.Popen[bytes]:
    log = log_file.open("wb")
    server = subprocess.Popen(
        [*SERVE_COMMAND, "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"server exited: {log_file.read_text()[-2000:]}")
        try:
            ready = httpx.get(f"http://127.0.0.1:{port}/ready", timeout=2)
            if ready.json()["models"].get("banking77") == MODEL_VERSION:
                return server
        except (httpx.TransportError, ValueError):
            pass
        time.sleep(0.5)
    server.terminate()
    raise SystemExit("server did not become ready in 180 s")


def run_wrk(
    url: str, body: str, concurrency: int, seconds: int, script: Path
) -> tuple[int, float, int, float, float, float]:
    """One timed wrk run: (requests, seconds, errors, p50, p95, p99 in ms)."""
    threads = 1 if concurrency < 8 else 2
    out = subprocess.run(
        [
            "wrk",
            "-t",
            str(threads),
            "-c",
            str(concurrency),
            "-d",
            f"{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            url,
        ],
        env={**os.environ, "BENCH_BODY": body},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith("RESULT"))
    done, micros, socket_errors, status_errors, p50, p95, p99 = map(int, line.split()[1:])
    return done, micros / 1e6, socket_errors + status_errors, p50 / 1e3, p95 / 1e3, p99 / 1e3


def run_for_requests(
    url: str, body: str, concurrency: int, requests: int, max_seconds: int, script: Path
) -> tuple[int, float, int, float, float, float]:
    """wrk runs for a duration, not a count: a 2 s probe measures the rate, then one run
    lasts as long as `requests` need at that rate (capped at `max_seconds`)."""
    done, seconds, *_ = run_wrk(url, body, concurrency, 2, script)
    rate = max(done / seconds, 1.0)
    duration = max(2, min(max_seconds, round(requests / rate)))
    return run_wrk(url, body, concurrency, duration, script)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 32, 64])
    parser.add_argument("--batch-size", type=int, default=32, help="texts per batch request")
    parser.add_argument("--train-rows", type=int, default=0, help="0: all rows")
    parser.add_argument("--max-seconds", type=int, default=120, help="cap per wrk run")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk not found: apt-get install -y wrk", file=sys.stderr)
        return 2

    with tempfile.TemporaryDirectory(prefix="supportlens-bench-") as tmp:
        folder = Path(tmp)
        env = {**os.environ, "SUPPORTLENS_CONFIG": str(write_config(folder))}
        trained = train(
            folder / "models", {"SUPPORTLENS_CONFIG": env["SUPPORTLENS_CONFIG"]}, args.train_rows
        )
        script = folder / "post.lua"
        script.write_text(WRK_SCRIPT, encoding="utf-8")
        port = free_port()
        server = start_server(env, port, folder / "server.log", args.workers)
        rows: list[Row] = []
        try:
            single = json.dumps({"text": SAMPLE_TEXTS[0]})
            batch_texts = (SAMPLE_TEXTS * args.batch_size)[: args.batch_size]
            batch = json.dumps({"texts": batch_texts})
            for endpoint, body, per in [
                ("/v1/predict", single, 1),
                ("/v1/predict/batch", batch, args.batch_size),
            ]:
                url = f"http://127.0.0.1:{port}{endpoint}"
                # Warm the path (first requests pay for lazy imports and allocations).
                for _ in range(20):
                    httpx.post(url, content=body, headers={"Content-Type": "application/json"})
                for concurrency in args.concurrency:
                    done, seconds, errors, p50, p95, p99 = run_for_requests(
                        url, body, concurrency, args.requests, args.max_seconds, script
                    )
                    rows.append(
                        Row(endpoint, concurrency, done, seconds, errors, p50, p95, p99, per)
                    )
                    print(f"  {endpoint} c={concurrency}: {done} requests", file=sys.stderr)
        finally:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()

    print(
        f"\nModel: TF-IDF + LinearSVC baseline, {trained}. {args.workers} uvicorn worker(s), "
        f"wrk sized for {args.requests} requests per row (cap {args.max_seconds} s), "
        f"{args.batch_size} texts per batch request, "
        f"{os.cpu_count()} CPUs, load average before run "
        f"{os.getloadavg()[0]:.1f}.\n"
    )
    print("| endpoint | clients | requests | errors | req/s | texts/s | p50 ms | p95 ms | p99 ms |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| `{r.endpoint}` | {r.concurrency} | {r.requests} | {r.errors} | {r.rps:,.0f} | "
            f"{r.rps * r.texts_per_request:,.0f} | {r.p50_ms:.1f} | {r.p95_ms:.1f} | "
            f"{r.p99_ms:.1f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
