"""User-facing errors: one line naming the file, what was wrong and what to do."""
from __future__ import annotations


class MtauditError(Exception):
    """An error the user can act on; the CLI prints its message without a traceback (unless --debug)."""


class InputError(MtauditError):
    """An input file could not be read or parsed."""

    def __init__(self, path: str, problem: str, position: str | None = None, hint: str | None = None):
        self.path, self.problem, self.position, self.hint = path, problem, position, hint
        where = f"{path}:{position}" if position else path
        text = f"{where}: {problem}"
        if hint:
            text += f" ({hint})"
        # file content quoted in a message (a column name, a bad line) must not break the one-line promise
        super().__init__(text.replace("\r", "\\r").replace("\n", "\\n"))


class UsageError(MtauditError):
    """Options that cannot work together, or a path that cannot be used."""


class ModelError(MtauditError):
    """A model is missing, tampered with, or cannot be loaded; the message says what to run."""
