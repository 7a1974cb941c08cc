"""The source datasets SupportLens knows: the one list every loader, generator, command,
quality suite and API route reads."""

from __future__ import annotations

SOURCES: tuple[str, ...] = ("banking77", "bitext", "sgd", "twcs", "synthetic")
