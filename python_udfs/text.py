"""`normalize_text`: the one text normalisation used by staging, training and SQL users.

Steps, in order: Unicode NFKC, lower-case, then the token rules below, then whitespace
collapsed and trimmed. NULL stays NULL; an empty string stays empty.

The rules are written once, as RE2-compatible patterns, so that three implementations
share them verbatim: Python `re` (scalar UDF and `normalize_text()` for Python callers),
pyarrow's RE2 kernels (Arrow UDF) and DuckDB's RE2 `regexp_replace` (the persisted
`normalize_text_sql` macro). Character classes are spelled out in ASCII because Python's
`\\w`, `\\d` and `\\s` are Unicode-aware while RE2's are ASCII-only.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

import pyarrow as pa
import pyarrow.compute as pc


class Rule(NamedTuple):
    name: str
    pattern: str
    replacement: str


# Order matters: placeholders and URLs may contain '@' and digits, e-mails contain '@',
# so the wider patterns run first and numbers last.
TOKEN_RULES: tuple[Rule, ...] = (
    Rule("placeholder", r"\{\{[^{}]*\}\}", "<placeholder>"),
    # A URL runs to the next blank but leaves sentence punctuation after it in place.
    Rule(
        "url",
        r"(?:https?://|www\.)[^ \t\n\r\f\v<>\"]*[^ \t\n\r\f\v<>\".,;:!?)\]}']",
        "<url>",
    ),
    Rule("email", r"[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}", "<email>"),
    # RE2 has no look-behind: keep the character before the '@' and write it back.
    Rule("mention", r"(^|[^a-z0-9_])@[a-z0-9_]+", r"\1<user>"),
    Rule("number", r"[0-9]+(?:[.,:][0-9]+)*", "<num>"),
)
WHITESPACE = r"[ \t\n\r\f\v]+"

_COMPILED: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(rule.pattern), rule.replacement) for rule in TOKEN_RULES
)
_WHITESPACE_RE = re.compile(WHITESPACE)


def _simple_lower(text: str) -> str:
    """Lower-case with Unicode *simple* case mapping, as utf8proc (pyarrow, DuckDB) does.

    Python's `str.lower` applies the full mapping, which differs in exactly two places:
    'İ' becomes 'i' + combining dot, and a word-final 'Σ' becomes 'ς'. Pre-mapping them
    keeps the three implementations byte-identical.
    """
    return text.replace("\u0130", "i").replace("\u03a3", "\u03c3").lower()


def normalize_text(text: str | None) -> str | None:
    """Normalise one text (pure Python; the reference the other implementations match)."""
    if text is None:
        return None
    value = _simple_lower(unicodedata.normalize("NFKC", text))
    for pattern, replacement in _COMPILED:
        value = pattern.sub(replacement, value)
    return _WHITESPACE_RE.sub(" ", value).strip(" ")


def normalize_text_arrow(texts: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Vectorised `normalize_text` over a whole Arrow column (RE2 kernels, no Python loop)."""
    value = pc.utf8_lower(pc.utf8_normalize(texts, form="NFKC"))
    for rule in TOKEN_RULES:
        value = pc.replace_substring_regex(
            value, pattern=rule.pattern, replacement=rule.replacement
        )
    value = pc.replace_substring_regex(value, pattern=WHITESPACE, replacement=" ")
    return pc.utf8_trim(value, characters=" ")
