"""Errors that stop a whole file from landing."""

from __future__ import annotations

from pathlib import Path


class WholeFileError(ValueError):
    """The file as a whole is unusable: nothing from it lands.

    The message is one line naming the file and what was expected, e.g.
    ``banking77/train.csv: missing required columns ['category'] (expected text,category)``.
    """

    def __init__(self, source_file: str | Path, problem: str) -> None:
        self.source_file = str(source_file)
        self.problem = problem
        super().__init__(f"{self.source_file}: {problem}")
