"""Readers never see a lock error or a 5xx while another process writes and publishes."""

import asyncio
import subprocess
import sys
import textwrap
import time

from litestar.testing import AsyncTestClient

from supportlens.config import Settings

PUBLISHER = textwrap.dedent(
    """
    import sys, time
    from supportlens.config import load_settings
    from supportlens.warehouse import publish, writer

    settings = load_settings()
    rounds = int(sys.argv[1])
    for n in range(rounds):
        # Hold the working file as dbt does, change data, then publish a snapshot.
        with writer(settings) as conn:
            conn.execute(
                "insert into fct_conversations select * replace ("
                "conversation_id || '-r' || ? as conversation_id) "
                "from fct_conversations where conversation_id = 'c1'",
                [str(n)],
            )
            print("holding", n, flush=True)
            time.sleep(0.15)
        publish(settings)
    print("done", flush=True)
    """
)

READS = [
    "/v1/metrics/outcomes",
    "/v1/metrics/intents",
    "/v1/metrics/response-times",
    "/v1/metrics/sentiment",
    "/v1/conversations/c1",
    "/ready",
]


def test_no_5xx_while_another_process_writes_and_publishes(
    make_app, published, settings: Settings
) -> None:
    rounds = 8
    publisher = subprocess.Popen(
        [sys.executable, "-c", PUBLISHER, str(rounds)],
        stdout=subprocess.PIPE,
        text=True,
        env=settings.env_for_subprocesses(),
    )

    async def hammer() -> tuple[list[int], set[str], dict]:
        statuses: list[int] = []
        snapshots: set[str] = set()
        async with AsyncTestClient(make_app()) as client:

            async def one(path: str, n: int) -> None:
                # A distinct query string per call defeats the response cache, so every
                # metrics request really reads the warehouse (other routes take no query).
                params = {"limit": 100 + n % 50} if path.startswith("/v1/metrics") else {}
                response = await client.get(path, params=params)
                statuses.append(response.status_code)
                if path == "/v1/metrics/outcomes" and response.status_code == 200:
                    snapshots.add(response.json()["snapshot"])

            n = 0
            deadline = time.monotonic() + 60
            while publisher.poll() is None and time.monotonic() < deadline:
                await asyncio.gather(*(one(path, n + i) for i, path in enumerate(READS * 2)))
                n += len(READS) * 2
            final = await client.get("/v1/metrics/outcomes", params={"limit": 7})
        return statuses, snapshots, final.json()

    statuses, snapshots, final = asyncio.run(hammer())
    out, _ = publisher.communicate(timeout=60)
    assert publisher.returncode == 0, out
    assert "done" in out
    assert len(statuses) > 50
    assert all(status < 500 for status in statuses), sorted(set(statuses))
    # Reads followed the publishes: more than one snapshot was served.
    assert len(snapshots) > 1
    # After the last publish, reads see every inserted copy of the resolved conversation.
    resolved = {i["outcome"]: i["conversations"] for i in final["items"]}["resolved"]
    assert resolved == 1 + rounds
