"""Print the configuration table of docs/deployment.md from supportlens.toml.

Every key of every `[section]` is one environment variable `SUPPORTLENS_<SECTION>_<KEY>`
(supportlens/config.py reads them); the default is the file's value and the meaning is
the key's inline comment. tests/deploy/test_config_table.py fails when the table in the
docs no longer lists exactly these variables with these defaults, so regenerate with

    .venv/bin/python deploy/config_table.py > /tmp/table.md

and paste it between the `config-table` markers of docs/deployment.md.
"""

from __future__ import annotations

import re
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
CONFIG_FILE = REPO_ROOT / "supportlens.toml"
ENV_PREFIX = "SUPPORTLENS_"
_KEY_LINE = re.compile(r"^\s*(?P<key>[A-Za-z0-9_]+)\s*=\s*(?P<rest>.*)$")
_SECTION_LINE = re.compile(r"^\s*\[(?P<section>[A-Za-z0-9_]+)\]\s*(#.*)?$")


@dataclass(frozen=True)
class Row:
    variable: str
    default: str
    meaning: str


def format_default(value: object) -> str:
    """The default as a reader would type it in the environment ('' shown as empty)."""
    if isinstance(value, bool):
        return "`true`" if value else "`false`"
    if value == "":
        return "(empty)"
    return f"`{value}`"


def _inline_comments(text: str) -> dict[tuple[str, str], str]:
    """(section, key) -> the comment after the value on the key's own line."""
    comments: dict[tuple[str, str], str] = {}
    section = ""
    for line in text.splitlines():
        if match := _SECTION_LINE.match(line):
            section = match["section"]
            continue
        if (match := _KEY_LINE.match(line)) and section:
            # The value itself may hold '#' inside quotes; the comment is what follows the
            # last '#' that sits outside a quoted string.
            rest, in_quote, cut = match["rest"], "", None
            for index, char in enumerate(rest):
                if char in "\"'" and (not in_quote or in_quote == char):
                    in_quote = "" if in_quote else char
                elif char == "#" and not in_quote:
                    cut = index
                    break
            if cut is not None:
                comments[(section, match["key"])] = rest[cut + 1 :].strip()
    return comments


def rows(config_file: Path = CONFIG_FILE) -> list[Row]:
    """One row per key of the configuration file, in file order."""
    text = config_file.read_text(encoding="utf-8")
    data = tomllib.loads(text)
    comments = _inline_comments(text)
    table: list[Row] = []
    for section, values in data.items():
        if not isinstance(values, dict):
            raise ValueError(f"{config_file}: top-level key '{section}' is not a [section]")
        for key, value in values.items():
            variable = f"{ENV_PREFIX}{section}_{key}".upper()
            meaning = comments.get((section, key), "").replace("|", "\\|")
            table.append(Row(variable, format_default(value), meaning))
    return table


def markdown(table: list[Row]) -> str:
    lines = ["| variable | default | meaning |", "|---|---|---|"]
    lines += [f"| `{r.variable}` | {r.default} | {r.meaning} |" for r in table]
    return "\n".join(lines) + "\n"


def main() -> int:
    sys.stdout.write(markdown(rows()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
