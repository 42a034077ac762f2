"""Where each field of the merged workspace came from: path tuple → file, line, column.

A path is the pydantic `loc` of a field, e.g. `("teams", 0, "channels", 1, "name")`.
Mapping entries are recorded at their key, sequence items at the item. Paths
into merged lists (teams and bots from included files) point into the file
that declared them. Entries are kept as plain (file, line, column) tuples, a
`Spot`, and become a `Position` when asked for.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from reconciler.errors import Diagnostic

FieldPath = tuple[str | int, ...]

#: (file, line, column), 1-based: a position as the loader records it.
Spot = tuple[str, int, int]


@dataclass(frozen=True, slots=True)
class Position:
    file: str
    line: int  # 1-based
    column: int  # 1-based

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


def format_path(path: FieldPath) -> str:
    """`("teams", 0, "channels", 1, "name")` → `teams[0].channels[1].name`."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "(top level)"


class SourceMap:
    def __init__(self, root_file: str) -> None:
        self.root_file = root_file
        self._entries: dict[FieldPath, Spot] = {}

    def add(self, path: FieldPath, position: Position) -> None:
        self._entries.setdefault(path, (position.file, position.line, position.column))

    def add_spots(self, spots: Mapping[FieldPath, Spot]) -> None:
        """Adds many entries at once; an entry already recorded stays."""
        if not self._entries:
            self._entries.update(spots)
            return
        for path, spot in spots.items():
            self._entries.setdefault(path, spot)

    def get(self, path: FieldPath) -> Position | None:
        found = self._entries.get(path)
        return Position(*found) if found is not None else None

    def locate(self, path: FieldPath) -> Position:
        """The position of `path`, or of its nearest recorded ancestor."""
        for end in range(len(path), -1, -1):
            found = self._entries.get(path[:end])
            if found is not None:
                return Position(*found)
        return Position(self.root_file, 1, 1)

    def items(self) -> Iterator[tuple[FieldPath, Position]]:
        return ((path, Position(*spot)) for path, spot in self._entries.items())

    def merge(self, other: SourceMap, offsets: dict[str, int]) -> None:
        """Adds `other`'s list items (`teams`, `bots`), shifted by `offsets`."""
        entries = self._entries
        for path, spot in other._entries.items():
            if len(path) >= 2 and path[0] in offsets and isinstance(path[1], int):
                key = path[0]
                assert isinstance(key, str)
                entries.setdefault((key, path[1] + offsets[key], *path[2:]), spot)

    def diagnostic(self, path: FieldPath, message: str, hint: str | None = None) -> Diagnostic:
        position = self.locate(path)
        return Diagnostic(
            file=position.file,
            line=position.line,
            column=position.column,
            path=format_path(path),
            message=message,
            hint=hint,
        )
