"""Shared plumbing for the semantic checks: a report that collects diagnostics."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence

from reconciler.errors import Diagnostic
from reconciler.workspace import rules
from reconciler.workspace.sourcemap import FieldPath, SourceMap


class Report:
    def __init__(self, source_map: SourceMap) -> None:
        self.source_map = source_map
        self.diagnostics: list[Diagnostic] = []

    def error(self, path: FieldPath, message: str | None, hint: str | None = None) -> None:
        """Records `message` at `path`; a None message (no problem) is ignored."""
        if message is not None:
            self.diagnostics.append(self.source_map.diagnostic(path, message, hint))

    def where(self, path: FieldPath) -> str:
        return str(self.source_map.locate(path))

    def length(self, path: FieldPath, value: str | None, maximum: int, *, minimum: int = 0) -> None:
        if value is not None:
            self.error(path, rules.length_problem(value, maximum, minimum=minimum))

    def usernames(self, path: FieldPath, names: Sequence[str] | None) -> None:
        """Each name valid and listed once."""
        seen: set[str] = set()
        for index, name in enumerate(names or ()):
            self.error((*path, index), rules.username_problem(name))
            if name in seen:
                self.error((*path, index), f"{name!r} is listed twice")
            seen.add(name)


def did_you_mean(word: str, options: Iterable[str]) -> str | None:
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else None
