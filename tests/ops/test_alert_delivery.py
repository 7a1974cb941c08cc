"""Alert delivery against real local servers: an HTTP receiver, SMTP (plain and STARTTLS),
a receiver that fails twice then succeeds, and one that never answers."""

from __future__ import annotations

import dataclasses
import datetime as dt
import email
import hashlib
import hmac
import json
import logging
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import duckdb
import pytest
from aiosmtpd.controller import Controller

from supportlens import cli
from supportlens.config import ConfigError, Settings, load_settings
from supportlens.config_sections import AlertsSettings
from supportlens.ops import delivery
from supportlens.ops.alerts import Check, notify
from supportlens.ops.runs import store_for

SECRET = "s3cret-for-tests"


class Receiver(ThreadingHTTPServer):
    """An HTTP server answering POSTs with the next status of `script` (then 200)."""

    def __init__(self, script: list[int]) -> None:
        self.script = list(script)
        self.received: list[tuple[Any, bytes]] = []  # (case-insensitive headers, body)
        super().__init__(("127.0.0.1", 0), _Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hook"


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append((self.headers, body))
        status = self.server.script.pop(0) if self.server.script else 200
        self.send_response(status)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def receiver_factory() -> Iterator[Any]:
    servers: list[Receiver] = []

    def start(script: list[int] | None = None) -> Receiver:
        server = Receiver(script or [])
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def silent_url() -> Iterator[str]:
    """A server that accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/hook"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    listener.close()


class Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(autouse=True)
def quiet_smtp_log() -> Iterator[None]:
    # aiosmtpd logs every SMTP line at INFO from its own thread, after pytest's capture ends.
    logger = logging.getLogger("mail.log")
    level = logger.level
    logger.setLevel(logging.WARNING)
    yield
    logger.setLevel(level)


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield inbox, controller.port
    controller.stop()


@pytest.fixture
def tls_smtp_server(tmp_path: Path) -> Iterator[tuple[Inbox, int, Path]]:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    inbox = Inbox()
    controller = Controller(
        inbox, hostname="127.0.0.1", port=_free_port(), tls_context=context, require_starttls=True
    )
    controller.start()
    yield inbox, controller.port, cert
    controller.stop()


def with_alerts(settings: Settings, **alerts: Any) -> Settings:
    changed = settings.alerts.with_values(**{"backoff_seconds": 0.01, **alerts})
    return dataclasses.replace(settings, alerts=changed)


def check(
    rule: str = "failed_run", scope: str = "build", breached: bool = True, value: float = 1.0
) -> Check:
    return Check(
        rule=rule,
        scope=scope,
        severity="error",
        channels=("log", "webhook", "email"),
        value=value,
        baseline_value=None,
        threshold=0.0,
        is_breached=breached,
        description="the latest run of a command failed",
    )


def events(settings: Settings) -> list[tuple]:
    with duckdb.connect(str(settings.paths.ops_db), read_only=True) as conn:
        return conn.execute(
            "select rule, scope, state, channel, attempt, status, error from ops_alert_events "
            "order by event_at, channel, attempt"
        ).fetchall()


def test_webhook_posts_slack_text_with_a_valid_signature(
    ops_settings: Settings, receiver_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    hook = receiver_factory()
    monkeypatch.setenv("SUPPORTLENS_ALERT_WEBHOOK_URL", hook.url)
    monkeypatch.setenv("SUPPORTLENS_ALERT_WEBHOOK_SECRET", SECRET)
    settings = with_alerts(ops_settings, channels="webhook")
    notify(settings, store_for(settings), [check()], Path("x"), run_id="r1")
    [(headers, body)] = hook.received
    payload = json.loads(body)
    assert payload["text"].startswith("[SupportLens ALERT] error failed_run (build)")
    assert (payload["rule"], payload["state"], payload["value"]) == ("failed_run", "firing", 1.0)
    timestamp = headers[delivery.TIMESTAMP_HEADER]
    expected = hmac.new(SECRET.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    assert headers[delivery.SIGNATURE_HEADER] == "sha256=" + expected.hexdigest()
    assert events(settings) == [("failed_run", "build", "firing", "webhook", 1, "sent", None)]


def test_receiver_failing_twice_then_succeeding_gets_three_attempts(
    ops_settings: Settings, receiver_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    hook = receiver_factory([500, 503])
    monkeypatch.setenv("SUPPORTLENS_ALERT_WEBHOOK_URL", hook.url)
    settings = with_alerts(ops_settings, channels="webhook", retries=3)
    notify(settings, store_for(settings), [check()], Path("x"), run_id="r1")
    assert len(hook.received) == 3
    assert [(e[4], e[5], e[6]) for e in events(settings)] == [
        (1, "failed", "HTTP 500 from webhook"),
        (2, "failed", "HTTP 503 from webhook"),
        (3, "sent", None),
    ]


def test_backoff_doubles_between_attempts() -> None:
    waits: list[float] = []
    policy = delivery.Policy(retries=3, backoff_seconds=0.5, sleep=waits.append)
    failing = delivery.WebhookChannel(url="http://127.0.0.1:9/nowhere", timeout_seconds=0.5)
    n = delivery.Notification("r", "s", "error", "firing", 1.0, 0.0, "d", ("webhook",))
    attempts = delivery.deliver([n], {"webhook": failing}, policy)
    assert [a.status for a in attempts] == ["failed"] * 4
    assert waits == [0.5, 1.0, 2.0]


def test_a_receiver_that_never_answers_cannot_hang_the_delivery(
    ops_settings: Settings, silent_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUPPORTLENS_ALERT_WEBHOOK_URL", silent_url)
    settings = with_alerts(
        ops_settings, channels="log,webhook", webhook_timeout_seconds=0.3, retries=2
    )
    checks = [check(scope=f"command-{i}") for i in range(5)]
    started = time.monotonic()
    notify(settings, store_for(settings), checks, Path("x"), run_id="r1")
    elapsed = time.monotonic() - started
    assert elapsed < 5, f"delivery took {elapsed:.1f} s"
    webhook = [e for e in events(settings) if e[3] == "webhook"]
    # First notification: 3 timed-out attempts; the channel is then down for the rest.
    assert [e[5] for e in webhook[:3]] == ["failed"] * 3
    assert "timed out" in webhook[0][6]
    assert {e[5] for e in webhook[3:]} == {"skipped"} and len(webhook) == 7
    # The log channel still delivered every one.
    assert [e[5] for e in events(settings) if e[3] == "log"] == ["sent"] * 5


def test_the_alerts_command_succeeds_when_the_webhook_is_down(
    ops_settings: Settings, silent_url: str, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    published = ops_settings.paths.published
    published.parent.mkdir(parents=True)
    with duckdb.connect(str(published)) as conn:
        conn.execute(
            "create table mart_alerts as select 'failed_run' as rule, 'build' as scope, "
            "'error' as severity, 'log;webhook' as channels, 1.0::double as value, "
            "null::double as baseline_value, 0.0::double as threshold, true as is_breached, "
            "'failed' as description"
        )
    monkeypatch.setenv("SUPPORTLENS_ALERT_WEBHOOK_URL", silent_url)
    monkeypatch.setenv("SUPPORTLENS_ALERTS_CHANNELS", "log,webhook")
    monkeypatch.setenv("SUPPORTLENS_ALERTS_WEBHOOK_TIMEOUT_SECONDS", "0.3")
    monkeypatch.setenv("SUPPORTLENS_ALERTS_BACKOFF_SECONDS", "0.05")
    started = time.monotonic()
    assert cli.main(["alerts", "--deliver", "--no-refresh"]) == 0
    assert time.monotonic() - started < 10
    out = capsys.readouterr().out
    assert "1 of 1 alert checks breached" in out and "4 failed attempt(s)" in out
    with duckdb.connect(str(ops_settings.paths.ops_db), read_only=True) as conn:
        assert conn.execute("select status from ops_runs").fetchall() == [("succeeded",)]
        run_ids = conn.execute("select distinct run_id from ops_alert_events").fetchall()
    assert len(run_ids) == 1 and run_ids[0][0] is not None


def test_email_reaches_a_real_smtp_server(
    ops_settings: Settings, smtp_server: tuple[Inbox, int]
) -> None:
    inbox, port = smtp_server
    settings = with_alerts(
        ops_settings,
        channels="email",
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_starttls=False,
        smtp_to="oncall@example.invalid, lead@example.invalid",
    )
    notify(settings, store_for(settings), [check()], Path("x"), run_id="r1")
    [message] = inbox.messages
    assert message["Subject"].startswith("[SupportLens ALERT] error failed_run (build)")
    assert message["To"] == "oncall@example.invalid, lead@example.invalid"
    assert json.loads(message.get_payload(decode=True))["state"] == "firing"


def test_email_uses_starttls_when_configured(
    ops_settings: Settings, tls_smtp_server: tuple[Inbox, int, Path]
) -> None:
    inbox, port, cert = tls_smtp_server
    settings = with_alerts(
        ops_settings,
        channels="email",
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_starttls=True,
        smtp_cafile=str(cert),
        smtp_to="oncall@example.invalid",
    )
    notify(settings, store_for(settings), [check()], Path("x"), run_id="r1")
    assert len(inbox.messages) == 1
    # The same server refuses a client that does not upgrade (require_starttls).
    plain = with_alerts(settings, smtp_starttls=False)
    notify(plain, store_for(plain), [check(scope="other")], Path("x"), run_id="r2")
    assert len(inbox.messages) == 1
    other = [e for e in events(plain) if e[1] == "other"]
    assert [e[3:6] for e in other] == [("email", n, "failed") for n in (1, 2, 3, 4)]
    assert "STARTTLS" in other[0][6]


def test_notify_once_repeat_after_interval_then_resolve(
    ops_settings: Settings, receiver_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    hook = receiver_factory()
    monkeypatch.setenv("SUPPORTLENS_ALERT_WEBHOOK_URL", hook.url)
    settings = with_alerts(ops_settings, channels="webhook", repeat_minutes=60)
    store = store_for(settings)
    t0 = dt.datetime(2026, 11, 25, 8, 0, tzinfo=dt.UTC)

    def states_at(minutes: int, breached: bool) -> list[str]:
        now = t0 + dt.timedelta(minutes=minutes)
        out = notify(settings, store, [check(breached=breached)], Path("x"), "r", now=now)
        return [n.state for n in out.notifications]

    assert states_at(0, True) == ["firing"]
    assert states_at(30, True) == []  # still open, inside the repeat interval
    assert states_at(61, True) == ["repeat"]
    assert states_at(90, True) == []
    assert states_at(100, False) == ["resolved"]
    assert states_at(110, False) == []
    assert states_at(120, True) == ["firing"]  # a new breach notifies again
    assert [json.loads(b)["state"] for _, b in hook.received] == [
        "firing",
        "repeat",
        "resolved",
        "firing",
    ]


def test_undelivered_breach_fires_again_next_time(
    ops_settings: Settings, receiver_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    hook = receiver_factory([500, 500])
    monkeypatch.setenv("SUPPORTLENS_ALERT_WEBHOOK_URL", hook.url)
    settings = with_alerts(ops_settings, channels="webhook", retries=1)
    first = notify(settings, store_for(settings), [check()], Path("x"), "r1")
    assert {a.status for a in first.attempts} == {"failed"}
    second = notify(settings, store_for(settings), [check()], Path("x"), "r2")
    assert [n.state for n in second.notifications] == ["firing"]
    assert [a.status for a in second.attempts] == ["sent"]


def test_unknown_channel_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUPPORTLENS_ALERTS_CHANNELS", "log,pager")
    with pytest.raises(ConfigError, match=r"ALERTS_CHANNELS: .*unknown channel 'pager'"):
        load_settings(Path(__file__).resolve().parents[2] / "supportlens.toml")


def test_webhook_without_url_is_left_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SUPPORTLENS_ALERT_WEBHOOK_URL", raising=False)
    channels = delivery.configured_channels(
        AlertsSettings(channels=("log", "webhook"), webhook_url_env="SUPPORTLENS_ALERT_WEBHOOK_URL")
    )
    assert list(channels) == ["log"]
