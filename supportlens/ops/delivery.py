"""Alert channels: the log, a webhook (Slack-compatible JSON, HMAC-signed) and SMTP e-mail.

A channel that is down must never hold up or fail the pipeline, so every attempt has a
timeout, retries back off exponentially, and one delivery has an overall time budget;
once a channel has failed every attempt for one notification it is treated as down for
the rest of that delivery (later notifications are recorded as `skipped`, not retried).
Every attempt is returned as an `Attempt` for `ops_alert_events`.

Secrets never come from supportlens.toml: it names the environment variables that hold
them (`webhook_url_env`, `webhook_secret_env`, `smtp_password_env`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import os
import smtplib
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any, Protocol

from supportlens.config_sections import AlertsSettings

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-SupportLens-Signature"
TIMESTAMP_HEADER = "X-SupportLens-Timestamp"
SENT, FAILED, SKIPPED = "sent", "failed", "skipped"


@dataclass(frozen=True)
class Notification:
    rule: str
    scope: str
    severity: str
    state: str  # firing | repeat | resolved
    value: float | None
    threshold: float | None
    description: str
    channels: tuple[str, ...]

    def text(self) -> str:
        """One line a person reads in Slack, a mail subject or the log."""
        label = {"firing": "ALERT", "repeat": "STILL FIRING", "resolved": "RESOLVED"}[self.state]
        value = "n/a" if self.value is None else f"{self.value:.4g}"
        threshold = "n/a" if self.threshold is None else f"{self.threshold:.4g}"
        return (
            f"[SupportLens {label}] {self.severity} {self.rule} ({self.scope}): "
            f"value {value}, threshold {threshold} — {self.description}"
        )

    def payload(self) -> dict[str, Any]:
        return {
            "text": self.text(),
            "rule": self.rule,
            "scope": self.scope,
            "severity": self.severity,
            "state": self.state,
            "value": self.value,
            "threshold": self.threshold,
            "description": self.description,
        }


@dataclass(frozen=True)
class Attempt:
    notification: Notification
    channel: str
    attempt: int
    status: str
    error: str | None = None
    at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))


class ChannelError(RuntimeError):
    """One delivery attempt failed (the message says why)."""


class Channel(Protocol):
    name: str

    def send(self, notification: Notification, timeout: float) -> None:
        """Deliver once or raise ChannelError."""


@dataclass
class LogChannel:
    name: str = "log"

    def send(self, notification: Notification, timeout: float) -> None:
        level = logging.INFO
        if notification.state != "resolved":
            level = logging.ERROR if notification.severity == "error" else logging.WARNING
        log.log(level, notification.text(), extra={"rule": notification.rule})


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 over `timestamp.body` (the timestamp stops a replayed old body)."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


@dataclass
class WebhookChannel:
    url: str
    secret: str | None = None
    timeout_seconds: float = 5.0
    name: str = "webhook"

    def send(self, notification: Notification, timeout: float) -> None:
        body = json.dumps(notification.payload()).encode()
        timestamp = str(int(time.time()))
        headers = {"Content-Type": "application/json", TIMESTAMP_HEADER: timestamp}
        if self.secret:
            headers[SIGNATURE_HEADER] = sign(self.secret, timestamp, body)
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                response.read()
        except urllib.error.HTTPError as exc:
            raise ChannelError(f"HTTP {exc.code} from webhook") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ChannelError(f"webhook unreachable: {reason}") from exc


@dataclass
class EmailChannel:
    host: str
    port: int
    sender: str
    recipients: tuple[str, ...]
    starttls: bool = True
    user: str = ""
    password: str | None = None
    cafile: str | None = None
    timeout_seconds: float = 10.0
    name: str = "email"

    def send(self, notification: Notification, timeout: float) -> None:
        message = EmailMessage()
        message["Subject"] = notification.text()[:200]
        message["From"] = self.sender
        message["To"] = ", ".join(self.recipients)
        message.set_content(json.dumps(notification.payload(), indent=2))
        try:
            with smtplib.SMTP(self.host, self.port, timeout=timeout) as smtp:
                if self.starttls:
                    smtp.starttls(context=ssl.create_default_context(cafile=self.cafile))
                if self.user:
                    smtp.login(self.user, self.password or "")
                smtp.send_message(message)
        except (smtplib.SMTPException, OSError, ssl.SSLError) as exc:
            raise ChannelError(f"SMTP {self.host}:{self.port}: {exc}") from exc


@dataclass
class Policy:
    """How hard to try: retries with doubling backoff and a total time budget.

    `timeout_seconds` applies to a channel without a timeout of its own.
    """

    timeout_seconds: float = 5.0
    retries: int = 3
    backoff_seconds: float = 1.0
    budget_seconds: float = 60.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)


def deliver(
    notifications: list[Notification], channels: dict[str, Channel], policy: Policy
) -> list[Attempt]:
    """Send each notification to its configured channels; return every attempt."""
    attempts: list[Attempt] = []
    deadline = time.monotonic() + policy.budget_seconds
    down: dict[str, str] = {}
    for notification in notifications:
        for name in notification.channels:
            channel = channels.get(name)
            if channel is None:
                continue
            if name in down:
                attempts.append(Attempt(notification, name, 0, SKIPPED, down[name]))
                continue
            attempts += _send_with_retries(notification, channel, policy, deadline, down)
    return attempts


def _send_with_retries(
    notification: Notification,
    channel: Channel,
    policy: Policy,
    deadline: float,
    down: dict[str, str],
) -> list[Attempt]:
    made: list[Attempt] = []
    delay = policy.backoff_seconds
    for number in range(1, policy.retries + 2):
        left = deadline - time.monotonic()
        if left <= 0:
            down[channel.name] = "delivery time budget used up"
            made.append(Attempt(notification, channel.name, number, SKIPPED, down[channel.name]))
            return made
        try:
            own = getattr(channel, "timeout_seconds", policy.timeout_seconds)
            channel.send(notification, timeout=min(own, left))
        except ChannelError as exc:
            made.append(Attempt(notification, channel.name, number, FAILED, str(exc)))
            log.warning(
                "alert delivery failed",
                extra={"channel": channel.name, "attempt": number, "reason": str(exc)},
            )
            if number <= policy.retries:
                policy.sleep(max(0.0, min(delay, deadline - time.monotonic())))
                delay *= 2
            continue
        made.append(Attempt(notification, channel.name, number, SENT))
        return made
    down[channel.name] = f"channel down: {made[-1].error}"
    return made


def _secret(env_name: str) -> str | None:
    return os.environ.get(env_name) if env_name else None


def configured_channels(alerts: AlertsSettings) -> dict[str, Channel]:
    """The channels `[alerts] channels` turns on, built from settings + environment.

    A channel that is listed but lacks what it needs (no webhook URL in its environment
    variable, no SMTP host or recipient) is left out with a warning, not an error: a
    missing secret on a developer machine must not fail the pipeline.
    """
    channels: dict[str, Channel] = {}
    for name in alerts.channels:
        if name == "log":
            channels[name] = LogChannel()
        elif name == "webhook":
            url_env = alerts.webhook_url_env
            url = _secret(url_env)
            if not url:
                log.warning(
                    "webhook channel off: environment variable unset", extra={"env": url_env}
                )
                continue
            channels[name] = WebhookChannel(
                url=url,
                secret=_secret(alerts.webhook_secret_env),
                timeout_seconds=alerts.webhook_timeout_seconds,
            )
        elif name == "email":
            if not alerts.smtp_host or not alerts.smtp_to:
                log.warning("email channel off: [alerts] smtp_host or smtp_to is empty")
                continue
            channels[name] = EmailChannel(
                host=alerts.smtp_host,
                port=alerts.smtp_port,
                sender=alerts.smtp_from,
                recipients=alerts.smtp_to,
                starttls=alerts.smtp_starttls,
                user=alerts.smtp_user,
                password=_secret(alerts.smtp_password_env),
                cafile=alerts.smtp_cafile or None,
                timeout_seconds=alerts.smtp_timeout_seconds,
            )
        # Channel names are checked when the settings load (AlertsSettings).
    return channels


def policy_from(alerts: AlertsSettings) -> Policy:
    return Policy(
        retries=alerts.retries,
        backoff_seconds=alerts.backoff_seconds,
        budget_seconds=alerts.delivery_budget_seconds,
    )
