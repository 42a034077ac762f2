"""One YAML file → a `Document`: plain Python data, positions, and the strings to template.

Each file is parsed once. The fast route (`yamlfast`) reads libyaml's events
straight into plain data and positions; it takes the files a workspace
usually is. Everything else takes the exact route: ruamel's pure-Python
round-trip loader, whose data carries the line and column of every mapping
key and sequence item, and whose syntax errors and duplicate keys (all of
them, found on the composed node tree) become diagnostics. Both routes give
the same data, positions and messages; the data is still returned where the
file parses, so later stages can report their own problems too.

Strings are templated after parsing (`Document.render`), once the variables
are known: the parse records which strings might hold a template.

Hostile input stays cheap on both routes: nesting past MAX_DEPTH levels and
aliases that add more than MAX_ALIAS_EXPANSION values are errors at their
position, not a stack overflow or gigabytes of copies.
"""

from __future__ import annotations

import datetime
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, ReusedAnchorWarning, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from reconciler.errors import Diagnostic
from reconciler.workspace import yamlfast
from reconciler.workspace.sourcemap import FieldPath, Spot, format_path
from reconciler.workspace.yamlfast import MAX_DEPTH, NotPlain, Template, TooDeep

if TYPE_CHECKING:  # templating (and jinja2) load only when a file holds a template
    from reconciler.workspace.templating import Templater

#: Decides whether the string at a path is templated (vars themselves are not).
TemplateFilter = Callable[[FieldPath], bool]


@dataclass
class Document:
    """A parsed file: its plain data, where each path came from, and its templated strings."""

    data: Any
    spots: dict[FieldPath, Spot]
    templates: list[Template] = field(default_factory=list)
    first_line: int = 1  # of a top-level value that is not a mapping

    def render(
        self, templater: Templater, templated: TemplateFilter = lambda _path: True
    ) -> list[Diagnostic]:
        """Renders every templated string in place; returns the problems, in file order."""
        from reconciler.workspace.templating import TemplateProblem

        problems: list[Diagnostic] = []
        for container, key, path, spot in self.templates:
            if not templated(path):
                continue
            try:
                container[key] = templater.render(container[key])
            except TemplateProblem as problem:
                problems.append(Diagnostic(*spot, format_path(path), str(problem)))
        return problems


def parse(text: str, display: str) -> tuple[Document | None, list[Diagnostic]]:
    """Parses `text`; returns (the document, or None when empty or broken; diagnostics)."""
    try:
        data, spots, templates = yamlfast.build(text, display)
    except TooDeep as deep:
        return None, [Diagnostic(*deep.spot, "(yaml)", _TOO_DEEP)]
    except (NotPlain, YAMLError):
        return _parse_exact(text, display)
    if data is None:
        return None, []
    return Document(data, spots, templates), []


# -- the exact route: ruamel's round-trip loader ----------------------------------------------


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = True  # found on the node tree instead, all at once
    return yaml


#: How many more values than the file has nodes its aliases may add (a "billion laughs"
#: of a few hundred bytes would otherwise expand to gigabytes).
MAX_ALIAS_EXPANSION = 100_000

_TOO_DEEP = f"YAML nested deeper than {MAX_DEPTH} levels"


class _Refused(Exception):
    def __init__(self, spot: Spot, message: str) -> None:
        super().__init__(message)
        self.spot, self.message = spot, message


def _parse_exact(text: str, display: str) -> tuple[Document | None, list[Diagnostic]]:
    try:
        with warnings.catch_warnings():  # YAML allows an anchor again: the later one counts
            warnings.simplefilter("ignore", ReusedAnchorWarning)
            return _parse_exact_bounded(text, display)
    except _Refused as refused:
        return None, [Diagnostic(*refused.spot, "(yaml)", refused.message)]
    except RecursionError:  # ruamel composes recursively: nesting past the stack
        return None, [Diagnostic(display, 1, 1, "(yaml)", _TOO_DEEP)]


def _parse_exact_bounded(text: str, display: str) -> tuple[Document | None, list[Diagnostic]]:
    yaml = _yaml()
    try:
        node = yaml.compose(text)
    except YAMLError as error:
        return None, [_syntax_diagnostic(error, display)]
    tree = _Tree(display)
    diagnostics = []
    if node is not None:
        tree.walk(node)
        diagnostics = _duplicate_keys(node, display)
    try:
        if "%" in text:  # a directive sets the version the constructor reads: load anew
            raw = _yaml().load(text)
        else:  # construct from the tree just composed, as load() does after composing
            raw = yaml.constructor.construct_document(node) if node is not None else None
    except YAMLError as error:  # e.g. a bad tag the composer let through
        return None, [*diagnostics, _syntax_diagnostic(error, display)]
    if raw is None:
        return None, diagnostics
    converter = _Converter(display, tree.nodes + MAX_ALIAS_EXPANSION, tree.first_alias)
    data = converter.convert(raw, (), (display, 1, 1))
    line = getattr(getattr(raw, "lc", None), "line", None)  # None for a tagged scalar
    first_line = line + 1 if isinstance(line, int) else 1
    return Document(data, converter.spots, converter.templates, first_line), diagnostics


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


class _Tree:
    """One walk of the composed node tree, each node once: how many distinct nodes, the
    first node reached again through an alias, and whether nesting stays in bounds."""

    def __init__(self, display: str) -> None:
        self.display = display
        self.nodes = 0
        self.first_alias: Spot | None = None
        self._seen: set[int] = set()

    def _spot(self, node: Node) -> Spot:
        return (self.display, node.start_mark.line + 1, node.start_mark.column + 1)

    def walk(self, node: Node, depth: int = 0) -> None:
        if id(node) in self._seen:
            if self.first_alias is None:
                self.first_alias = self._spot(node)
            return
        self._seen.add(id(node))
        self.nodes += 1
        if isinstance(node, MappingNode):
            if depth >= MAX_DEPTH:
                raise _Refused(self._spot(node), _TOO_DEEP)
            for key_node, value_node in node.value:
                self.walk(key_node, depth + 1)
                self.walk(value_node, depth + 1)
        elif isinstance(node, SequenceNode):
            if depth >= MAX_DEPTH:
                raise _Refused(self._spot(node), _TOO_DEEP)
            for item in node.value:
                self.walk(item, depth + 1)


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


class _Converter:
    """Round-trip data → plain dicts/lists/scalars, recording positions and templated strings."""

    def __init__(self, display: str, budget: int, first_alias: Spot | None) -> None:
        self.display = display
        self.spots: dict[FieldPath, Spot] = {}
        self.templates: list[Template] = []
        self.budget = budget  # values left to convert, aliases expanded
        self.first_alias = first_alias or (display, 1, 1)

    def convert(self, value: Any, path: FieldPath, spot: Spot) -> Any:
        self.budget -= 1
        if self.budget < 0:
            message = f"YAML aliases expand to more than {MAX_ALIAS_EXPANSION} extra values"
            raise _Refused(self.first_alias, message)
        if isinstance(value, CommentedMap):
            result: dict[str, Any] = {}
            for key, item in value.items():
                name = str(key)
                key_spot = self._spot(value.lc.key, key, spot)
                self.spots.setdefault(path, key_spot)  # the mapping itself: its first key
                self.spots.setdefault((*path, name), key_spot)
                result[name] = self._item(result, name, item, (*path, name), key_spot)
            return result
        if isinstance(value, CommentedSeq):
            items: list[Any] = []
            for index, item in enumerate(value):
                item_spot = self._spot(value.lc.item, index, spot)
                self.spots.setdefault((*path, index), item_spot)
                items.append(self._item(items, index, item, (*path, index), item_spot))
            return items
        if isinstance(value, dict):  # merged (<<) plain mappings
            plain: dict[str, Any] = {}
            for key, item in value.items():
                plain[str(key)] = self._item(plain, str(key), item, (*path, str(key)), spot)
            return plain
        if isinstance(value, list):
            listed: list[Any] = []
            for index, item in enumerate(value):
                listed.append(self._item(listed, index, item, (*path, index), spot))
            return listed
        return _scalar(value)

    def _item(self, container: Any, key: Any, value: Any, path: FieldPath, spot: Spot) -> Any:
        converted = self.convert(value, path, spot)
        if isinstance(converted, str) and "{" in converted:
            self.templates.append((container, key, path, spot))
        return converted

    def _spot(self, lookup: Callable[[Any], Any], key: Any, fallback: Spot) -> Spot:
        try:
            line, column = lookup(key)
        except (KeyError, IndexError, TypeError, AttributeError):
            return fallback
        return (self.display, int(line) + 1, int(column) + 1)


def _scalar(value: Any) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, _TIME_TYPES):
        return value.isoformat()
    return str(value)
