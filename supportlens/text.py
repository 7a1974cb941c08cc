"""`normalize_text`: the one text normalisation, used by staging, training and serving.

Rule set `normalize_text_v1` (its name is recorded with every model trained on it, see
`ml/preprocessing.py`), in order:

1. NUL characters removed (DuckDB's `nfc_normalize` stops at the first NUL, and NUL
   carries no meaning), lower-case with Unicode *simple* case mapping (what DuckDB's
   `lower` does), then Unicode NFC (in this order: 'İ' + accent lowers to 'i' + accent,
   which NFC then composes, so a second pass changes nothing). NFC, not NFKC: DuckDB
   has `nfc_normalize` but no NFKC, and an approximate NFKC in SQL would be a second
   rule set. Compatibility forms therefore stay as written ('ﬁ', full-width 'ＡＢＣ',
   '①'); the whitespace rule below still catches the compatibility spaces (no-break,
   em, ideographic, ...).
2. Bitext placeholders ``{{...}}``                 -> ``<placeholder>``
3. URLs: ``http://``, ``https://`` or ``www.`` up to the next blank, ``<``, ``>`` or
   ``"``; sentence punctuation right after the URL (``.,;:!?)]}'``) stays outside it
                                                   -> ``<url>``
4. e-mail addresses                                -> ``<email>``
5. ``@`` followed by letters, digits or ``_`` (so "foo@bar" -> "foo<user>")
                                                   -> ``<user>``
6. numbers: digits with ``.``, ``,`` or ``:`` groups ("1,234.50", "10:30") -> ``<num>``
7. runs of whitespace (every character Python's `str.isspace` accepts) -> one space;
   leading and trailing spaces removed. So a text without NUL is blank (`str.strip()`
   empty) exactly when its normalised form is empty; `is_blank` is the one test.

NULL stays NULL; the result is idempotent (normalising a normalised text changes nothing),
so a consumer that cannot tell whether its input was normalised may normalise again.

This module is the one definition (standard library only, so the model registry and the
API import it without the SQL layer). The rules are written as patterns that Python `re`
and RE2 (DuckDB's `regexp_replace`, pyarrow's kernels) read the same way: no look-around,
no back-references, character classes spelled out (Python's `\\w`, `\\d`, `\\s` are
Unicode-aware, RE2's are ASCII-only). `python_udfs/text.py` is the Arrow UDF,
`python_udfs/sql_macros.py` renders the rules as DuckDB SQL (the persisted
`normalize_text_sql` macro), and the dbt macro `macros/normalize_text_sql.sql` holds the
same SQL text; `tests/udfs/test_text.py` checks they all agree, textually and on a
generated corpus.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

#: The name models record (ModelMeta.preprocessing). Changing any rule below makes a new
#: rule set: give it a new name and keep this one for the models trained on it.
RULE_SET = "normalize_text_v1"

#: The inside of a character class matching every character `str.isspace` accepts
#: (Unicode 14, Python 3.11), written out so the rule set does not change with the
#: interpreter's Unicode version: TAB..CR, the four information separators, space, NEL,
#: no-break space, Ogham space, en quad..hair space, line and paragraph separators,
#: narrow no-break, medium mathematical and ideographic spaces.
WHITESPACE_CHARS = "\t-\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_NON_SPACE_WHITESPACE = WHITESPACE_CHARS.replace(" ", "")


class Rule(NamedTuple):
    name: str
    pattern: str
    replacement: str


# Order matters: placeholders and URLs may contain '@' and digits, e-mails contain '@',
# so the wider patterns run first and numbers last.
TOKEN_RULES: tuple[Rule, ...] = (
    # `[^}]*`, not `[^{}]*`: "{{{{x}}}}" must not become "{{<placeholder>}}", which a
    # second pass would change (the rules are idempotent).
    Rule("placeholder", r"\{\{[^}]*\}\}", "<placeholder>"),
    # A URL runs to the next blank but leaves sentence punctuation after it in place.
    Rule(
        "url",
        rf"(?:https?://|www\.)[^{WHITESPACE_CHARS}<>\"]*"
        rf"[^{WHITESPACE_CHARS}<>\".,;:!?)\]}}']",
        "<url>",
    ),
    Rule("email", r"[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}", "<email>"),
    Rule("mention", r"@[a-z0-9_]+", "<user>"),
    Rule("number", r"[0-9]+(?:[.,:][0-9]+)*", "<num>"),
)
# Same result as `[whitespace]+` -> ' ', but a lone ' ' is not matched and rewritten by
# itself: matching every blank made this the slowest step in DuckDB (2.8 M tweets:
# 5.0 s -> 0.8 s).
WHITESPACE = f"[{WHITESPACE_CHARS}]{{2,}}|[{_NON_SPACE_WHITESPACE}]"

_COMPILED: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(rule.pattern), rule.replacement) for rule in TOKEN_RULES
)
_WHITESPACE_RE = re.compile(WHITESPACE)


def _simple_lower(text: str) -> str:
    """Lower-case with Unicode *simple* case mapping, as DuckDB's `lower` does.

    Python's `str.lower` applies the full mapping, which differs in exactly two places:
    'İ' becomes 'i' + combining dot, and a word-final 'Σ' becomes 'ς'. Pre-mapping them
    keeps Python and DuckDB byte-identical.
    """
    return text.replace("\u0130", "i").replace("\u03a3", "\u03c3").lower()


def normalize_text(text: str | None) -> str | None:
    """Normalise one text (pure Python; the reference the other implementations match)."""
    if text is None:
        return None
    value = unicodedata.normalize("NFC", _simple_lower(text.replace("\x00", "")))
    for pattern, replacement in _COMPILED:
        value = pattern.sub(replacement, value)
    return _WHITESPACE_RE.sub(" ", value).strip(" ")


def is_blank(text: str | None) -> bool:
    """Whether `normalize_text(text)` is NULL or empty (only whitespace and NUL), cheaply:
    the rules remove nothing else, and every replacement is a non-empty token."""
    return text is None or not text.replace("\x00", "").strip()


def normalize_texts(texts: list[str]) -> list[str]:
    """`normalize_text` over a list of non-NULL texts (what a model's preprocessing calls)."""
    return [normalize_text(text) or "" for text in texts]
