"""The floor under the API benchmark: a bare Litestar app under the same wrk load.

    python benchmarks/litestar_ceiling.py [--seconds 8] [--concurrency 32] [--workers 1 2]

Starts uvicorn (same server settings as `supportlens serve`) on a minimal Litestar app —
one POST route decoding a msgspec body and returning a small JSON object, no model, no
middleware — and drives it with `wrk` exactly as `benchmarks/api_load.py` drives
`/v1/predict`. Whatever this machine gives here is the most any Litestar API can give
here: the API's latency targets are read against this table. Needs `wrk`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from api_load import WRK_SCRIPT, free_port, run_wrk

APP = """
import msgspec
from litestar import Litestar, post


class Message(msgspec.Struct):
    text: str


@post("/predict", status_code=200)
async def predict(data: Message) -> dict[str, object]:
    return {"label": "card_arrival", "confidence": 0.9, "length": len(data.text)}


app = Litestar([predict])
"""
UVICORN = (
    sys.executable,
    "-m",
    "uvicorn",
    "hello_app:app",
    "--no-access-log",
    "--log-level",
    "warning",
)
BODY = '{"text": "I still have not received my new card, what should I do?"}'


def serve(folder: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [*UVICORN, "--port", str(port), "--workers", str(workers)],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.post(f"http://127.0.0.1:{port}/predict", content=BODY, timeout=2)
            return server
        except httpx.TransportError:
            time.sleep(0.3)
    server.kill()
    raise SystemExit("bare Litestar app did not start in 60 s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk not found: apt-get install -y wrk", file=sys.stderr)
        return 2
    rows = []
    with tempfile.TemporaryDirectory(prefix="litestar-ceiling-") as tmp:
        folder = Path(tmp)
        (folder / "hello_app.py").write_text(APP, encoding="utf-8")
        script = folder / "post.lua"
        script.write_text(WRK_SCRIPT, encoding="utf-8")
        for workers in args.workers:
            port = free_port()
            server = serve(folder, port, workers)
            try:
                url = f"http://127.0.0.1:{port}/predict"
                run_wrk(url, BODY, args.concurrency, 2, script)  # warm-up
                done, seconds, errors, p50, p95, p99 = run_wrk(
                    url, BODY, args.concurrency, args.seconds, script
                )
            finally:
                server.terminate()
                server.wait(timeout=30)
            rows.append((workers, done, errors, done / seconds, p50, p95, p99))
    print(
        f"\nBare Litestar POST, {args.concurrency} clients, {os.cpu_count()} CPUs, "
        f"load average before run {os.getloadavg()[0]:.1f}\n"
    )
    print("| uvicorn workers | requests | errors | req/s | p50 ms | p95 ms | p99 ms |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for workers, done, errors, rps, p50, p95, p99 in rows:
        print(
            f"| {workers} | {done:,} | {errors} | {rps:,.0f} | {p50:.1f} | {p95:.1f} | {p99:.1f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
