"""One YAML file → plain Python data plus positions, templating string values.

ruamel's round-trip loader keeps the line and column of every mapping key and
sequence item. Syntax errors and duplicate keys (all of them, found on the
composed node tree) become diagnostics; the data is still returned where the
file parses, so later stages can report their own problems too.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from reconciler.errors import Diagnostic
from reconciler.workspace.sourcemap import FieldPath, Position, SourceMap, format_path
from reconciler.workspace.templating import TemplateProblem, Templater

#: Decides whether the string at a path is templated (vars themselves are not).
TemplateFilter = Callable[[FieldPath], bool]


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = True  # found on the node tree instead, all at once
    return yaml


def parse(text: str, display: str) -> tuple[Any, list[Diagnostic]]:
    """Parses `text`; returns (round-trip data or None, diagnostics)."""
    yaml = _yaml()
    try:
        node = yaml.compose(text)
    except YAMLError as error:
        return None, [_syntax_diagnostic(error, display)]
    diagnostics = _duplicate_keys(node, display) if node is not None else []
    try:
        data = _yaml().load(text)
    except YAMLError as error:  # e.g. a bad tag the composer let through
        return None, [*diagnostics, _syntax_diagnostic(error, display)]
    return data, diagnostics


def _syntax_diagnostic(error: YAMLError, display: str) -> Diagnostic:
    line, column = 1, 1
    message = "invalid YAML"
    hint: str | None = None
    if isinstance(error, MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        if mark is not None:
            line, column = mark.line + 1, mark.column + 1
        began = error.context_mark
        context = error.context
        if context and began is not None and began is not mark:
            context = f"{context} that began at line {began.line + 1}, column {began.column + 1}"
        message = "; ".join(part for part in (error.problem, context) if part)
        message = f"YAML syntax error: {message or 'invalid YAML'}"
        hint = _syntax_hint(error.problem or "", error.context or "", began)
    else:
        message = f"YAML error: {str(error).splitlines()[0] if str(error) else 'invalid YAML'}"
    return Diagnostic(display, line, column, "(yaml)", message, hint)


def _syntax_hint(problem: str, context: str, began: Any) -> str | None:
    """What usually causes the error ruamel reports, in the user's words."""
    where = f"line {began.line + 1}" if began is not None else "above"
    if "'\\t'" in problem or "\t" in problem:
        return "YAML indents with spaces only: replace the tab with spaces"
    if "flow sequence" in context:
        return f"the '[' on {where} is not closed: add ']' (and ',' between items)"
    if "flow mapping" in context:
        return f"the '{{' on {where} is not closed: add '}}' (and ',' between fields)"
    if "quoted scalar" in context:
        return f"the quote on {where} is not closed: add the closing quote"
    if "block" in context or "<block end>" in problem:
        return (
            f"check the indentation: this line must line up with the entries of the "
            f"list or mapping that began on {where}"
        )
    if "mapping values are not allowed" in problem:
        return "quote a value that contains ': ', or check this line's indentation"
    return None


def _duplicate_keys(root: Node, display: str) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    seen: set[int] = set()

    def walk(node: Node, path: FieldPath) -> None:
        if id(node) in seen:
            return
        seen.add(id(node))
        if isinstance(node, MappingNode):
            first: dict[str, int] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, ScalarNode) or str(key_node.tag).endswith(":merge"):
                    continue
                key = str(key_node.value)
                line = key_node.start_mark.line + 1
                if key in first:
                    found.append(
                        Diagnostic(
                            display,
                            line,
                            key_node.start_mark.column + 1,
                            format_path((*path, key)),
                            f"duplicate key {key!r} (first defined at line {first[key]})",
                        )
                    )
                else:
                    first[key] = line
                walk(value_node, (*path, key))
        elif isinstance(node, SequenceNode):
            for index, item in enumerate(node.value):
                walk(item, (*path, index))

    walk(root, ())
    return found


_TIME_TYPES = (datetime.date, datetime.datetime, datetime.time)


class Converter:
    """Round-trip data → plain dicts/lists/scalars, recording positions and templating."""

    def __init__(
        self,
        display: str,
        source_map: SourceMap,
        templater: Templater | None,
        templated: TemplateFilter = lambda _path: True,
    ) -> None:
        self.display = display
        self.source_map = source_map
        self.templater = templater
        self.templated = templated
        self.diagnostics: list[Diagnostic] = []

    def convert(self, value: Any, path: FieldPath, position: Position) -> Any:
        if isinstance(value, CommentedMap):
            result: dict[str, Any] = {}
            for key, item in value.items():
                name = str(key)
                key_pos = self._pos(value.lc.key, key, position)
                self.source_map.add(path, key_pos)  # the mapping itself: its first key
                self.source_map.add((*path, name), key_pos)
                result[name] = self.convert(item, (*path, name), key_pos)
            return result
        if isinstance(value, CommentedSeq):
            items: list[Any] = []
            for index, item in enumerate(value):
                item_pos = self._pos(value.lc.item, index, position)
                self.source_map.add((*path, index), item_pos)
                items.append(self.convert(item, (*path, index), item_pos))
            return items
        if isinstance(value, dict):  # merged (<<) plain mappings
            return {str(k): self.convert(v, (*path, str(k)), position) for k, v in value.items()}
        if isinstance(value, list):
            return [self.convert(v, (*path, i), position) for i, v in enumerate(value)]
        return self._scalar(value, path, position)

    def _scalar(self, value: Any, path: FieldPath, position: Position) -> Any:
        if value is None or isinstance(value, bool):
            return value
        if isinstance(value, int):
            return int(value)
        if isinstance(value, float):
            return float(value)
        if isinstance(value, _TIME_TYPES):
            return value.isoformat()
        text = str(value)
        if self.templater is None or not self.templated(path):
            return text
        try:
            return self.templater.render(text)
        except TemplateProblem as problem:
            self.diagnostics.append(
                Diagnostic(
                    position.file, position.line, position.column, format_path(path), str(problem)
                )
            )
            return text

    def _pos(self, lookup: Callable[[Any], Any], key: Any, fallback: Position) -> Position:
        try:
            line, column = lookup(key)
        except (KeyError, IndexError, TypeError, AttributeError):
            return fallback
        return Position(self.display, int(line) + 1, int(column) + 1)
