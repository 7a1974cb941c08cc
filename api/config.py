"""The API's view of `Settings.api`, with defaults for keys the file may not list.

Every knob stays in `supportlens.toml` (`[api]`) and its `SUPPORTLENS_API_<KEY>` overrides;
this module only parses and validates the values once, at app creation.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any, Literal, cast

from supportlens.config import ConfigError, Settings

DurationUnit = Literal["second", "minute", "hour", "day"]
RateLimit = tuple[DurationUnit, int]

DEFAULTS: dict[str, Any] = {
    "host": "127.0.0.1",
    "port": 8000,
    "max_batch": 1000,
    "api_key": "",
    # "<count>/<unit>", or "off". Each area has its own budget per client address.
    "rate_limit_predict": "6000/minute",
    "rate_limit_reads": "1200/minute",
    "rate_limit_admin": "60/minute",
    "cache_ttl_seconds": 60,
    "max_body_bytes": 2_000_000,
    "max_upload_bytes": 50_000_000,
    "max_turns": 500,
    "train_config": "ml/configs/baseline.yaml",
    # Addresses of reverse proxies whose X-Forwarded-For names the client; empty: the
    # header is ignored (any client could otherwise pick its own rate-limit identity).
    "trusted_proxies": "",
}

_UNITS: tuple[DurationUnit, ...] = ("second", "minute", "hour", "day")


def parse_rate_limit(key: str, value: str) -> RateLimit | None:
    """'600/minute' -> ('minute', 600); 'off' or '' -> None (no limit)."""
    text = str(value).strip().lower()
    if text in {"", "off", "none", "0"}:
        return None
    count, _, unit = text.partition("/")
    if unit not in _UNITS or not count.isdigit() or int(count) <= 0:
        raise ConfigError(
            f"[api] {key} = {value!r}: expected '<count>/<unit>' with unit in {_UNITS}, or 'off'"
        )
    return cast(DurationUnit, unit), int(count)


def _positive_int(key: str, value: Any) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"[api] {key} = {value!r}: expected a positive integer") from exc
    if number <= 0:
        raise ConfigError(f"[api] {key} = {value!r}: expected a positive integer")
    return number


def _addresses(key: str, value: Any) -> tuple[str, ...]:
    """'10.0.0.1, 10.0.0.2' or a TOML list -> ('10.0.0.1', '10.0.0.2'); each an IP or CIDR."""
    items = value if isinstance(value, list | tuple) else str(value).split(",")
    addresses = tuple(str(item).strip() for item in items if str(item).strip())
    for address in addresses:
        try:
            ipaddress.ip_network(address, strict=False)
        except ValueError as exc:
            raise ConfigError(f"[api] {key}: {address!r} is not an IP address or network") from exc
    return addresses


@dataclass(frozen=True)
class ApiConfig:
    host: str
    port: int
    max_batch: int
    api_key: str
    rate_limit_predict: RateLimit | None
    rate_limit_reads: RateLimit | None
    rate_limit_admin: RateLimit | None
    cache_ttl_seconds: int
    max_body_bytes: int
    max_upload_bytes: int
    max_turns: int
    train_config: str
    default_label_set: str
    trusted_proxies: tuple[str, ...] = ()

    @classmethod
    def from_settings(cls, settings: Settings) -> ApiConfig:
        raw = {**DEFAULTS, **settings.api}
        return cls(
            host=str(raw["host"]),
            port=_positive_int("port", raw["port"]),
            max_batch=_positive_int("max_batch", raw["max_batch"]),
            api_key=str(raw["api_key"]),
            rate_limit_predict=parse_rate_limit("rate_limit_predict", raw["rate_limit_predict"]),
            rate_limit_reads=parse_rate_limit("rate_limit_reads", raw["rate_limit_reads"]),
            rate_limit_admin=parse_rate_limit("rate_limit_admin", raw["rate_limit_admin"]),
            cache_ttl_seconds=_positive_int("cache_ttl_seconds", raw["cache_ttl_seconds"]),
            max_body_bytes=_positive_int("max_body_bytes", raw["max_body_bytes"]),
            max_upload_bytes=_positive_int("max_upload_bytes", raw["max_upload_bytes"]),
            max_turns=_positive_int("max_turns", raw["max_turns"]),
            train_config=str(raw["train_config"]),
            default_label_set=str(settings.ml.get("label_set", "banking77")),
            trusted_proxies=_addresses("trusted_proxies", raw["trusted_proxies"]),
        )
