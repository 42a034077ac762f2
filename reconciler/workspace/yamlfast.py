"""The fast route of `yamlfile.parse`: libyaml's events → plain data and positions in one pass.

libyaml (through ruamel.yaml.clib) scans and parses; this loop turns its
events straight into dicts, lists and scalars, recording the line and column
of every mapping key and sequence item as it goes, with no node tree and no
round-trip objects in between. Scalars are typed by ruamel's own YAML 1.2
implicit resolvers.

It takes only what it converts exactly as ruamel's round-trip loader would:
one document whose top is a mapping; string keys without duplicates;
sequences; untagged strings, null, booleans, decimal integers and plain
floats; anchors on collections and strings, their aliases (each a fresh
copy, as ruamel's loader converts each occurrence) and `<<` merges of
aliases. Nesting deeper than MAX_DEPTH is an error (`TooDeep`). At anything
else it gives up (`NotPlain`), and `yamlfile` takes the exact route, ruamel's
pure-Python loader, which also words every syntax error. Text that libyaml
reads differently from ruamel (tabs, line breaks other than `\\n`, a byte
order mark, `%` directives) never comes here.
"""

from __future__ import annotations

import re
from typing import Any

from ruamel.yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from ruamel.yaml.resolver import VersionedResolver

from reconciler.workspace.sourcemap import FieldPath, Spot

try:  # a C extension; where it is missing, every file takes the exact route
    from _ruamel_yaml import CParser
except ImportError:  # pragma: no cover
    CParser = None

AVAILABLE = CParser is not None

#: What libyaml reads differently from ruamel: tabs, other line breaks, a BOM, `%` directives.
_ODD_CHARS = re.compile("[\t\r\x85\u2028\u2029\ufeff]")

#: How many more values than the file has aliases may add here; past it the exact
#: route decides (it counts the same way over the whole file) and words the error.
MAX_ALIAS_EXPANSION = 100_000

#: Deeper nesting is an error (no workspace nests half as deep; ruamel's recursive
#: composer would overflow the stack on a few hundred levels).
MAX_DEPTH = 64

_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_DECIMAL = re.compile(r"-?(?:0|[1-9][0-9]*)\Z")
_PLAIN_FLOAT = re.compile(r"-?[0-9]+\.[0-9]+\Z")


def _implicit_resolvers() -> tuple[dict[str, tuple[tuple[str, Any], ...]], tuple[Any, ...]]:
    table = VersionedResolver(version=(1, 2)).versioned_resolver
    anywhere = tuple(table.get(None, ()))
    return {first: (*found, *anywhere) for first, found in table.items()}, anywhere


_BY_FIRST, _ANYWHERE = _implicit_resolvers()


class NotPlain(Exception):
    """The text needs the exact route."""


class TooDeep(Exception):
    """Collections nest deeper than MAX_DEPTH; `spot` is where the limit is passed."""

    def __init__(self, spot: Spot) -> None:
        super().__init__(spot)
        self.spot = spot


#: A string holding a template: (its container, its key or index, its path, its spot).
Template = tuple[Any, Any, FieldPath, Spot]


def _plain_tag(value: str) -> str:
    for tag, regexp in _BY_FIRST.get(value[:1], _ANYWHERE):
        if regexp.match(value):
            return str(tag)
    return _STR


def _scalar(event: ScalarEvent) -> Any:
    """A plain scalar's value (one that might not be a string)."""
    value: str = event.value
    tag = _plain_tag(value)
    if tag == _STR:
        return value
    if event.anchor is not None:
        raise NotPlain  # ruamel keeps an anchored number or boolean as its own type
    if tag == _NULL:
        return None
    if tag == _BOOL:
        return value.lower() == "true"
    if tag == _INT and _DECIMAL.match(value):
        return int(value)
    if tag == _FLOAT and _PLAIN_FLOAT.match(value):
        return float(value)
    raise NotPlain  # timestamps, octal, hex, `<<`, `=`, …


def build(text: str, display: str) -> tuple[Any, dict[FieldPath, Spot], list[Template]]:
    """(data, spots, templates) of a YAML text, or NotPlain; libyaml's errors are YAMLError."""
    if CParser is None or _odd(text):
        raise NotPlain
    parser = CParser(text)
    try:
        return _build(parser.get_event, display)
    finally:
        parser.dispose()


def _odd(text: str) -> bool:
    """Whether libyaml might read `text` differently from ruamel."""
    if text.startswith("%") or "\n%" in text or "\t" in text or "\r" in text:
        return True
    return not text.isascii() and _ODD_CHARS.search(text) is not None


class _Copies:
    """Aliases and `<<` merges: fresh copies of anchored values, positioned as ruamel's
    loader positions them. An alias or merged value keeps the positions of the
    original inside it; a merged key has no position of its own and takes the
    position of the mapping it is merged into, wherever that mapping is copied to."""

    def __init__(self, spots: dict[FieldPath, Spot], templates: list[Template]) -> None:
        self.spots = spots
        self.templates = templates
        self.copied = 0
        self.allowed = 0
        self.merged: dict[int, set[str]] = {}  # id of a mapping → its merged keys

    def copy(self, value: Any, source: FieldPath, target: FieldPath, spot: Spot) -> Any:
        """A fresh copy at `target` (positioned at `spot`) of the value at `source`."""
        self.allowed = MAX_ALIAS_EXPANSION + len(self.spots)  # as the exact route counts
        return self._copy(value, source, target, spot)

    def _copy(self, value: Any, source: FieldPath, target: FieldPath, spot: Spot) -> Any:
        self.copied += 1
        if self.copied > self.allowed:
            raise NotPlain  # the exact route decides, and words the error
        spots = self.spots
        if isinstance(value, dict):
            made: dict[str, Any] = {}
            merged = self.merged.get(id(value), ())
            for key, item in value.items():
                from_path, to_path = (*source, key), (*target, key)
                here = spots[to_path] = spot if key in merged else spots[from_path]
                made[key] = self._item(made, key, item, from_path, to_path, here)
            if merged:
                self.merged[id(made)] = set(merged)
            return made
        if isinstance(value, list):
            listed: list[Any] = []
            for index, item in enumerate(value):
                from_path, to_path = (*source, index), (*target, index)
                here = spots[to_path] = spots[from_path]
                listed.append(self._item(listed, index, item, from_path, to_path, here))
            return listed
        return value

    def _item(
        self, container: Any, key: Any, item: Any, source: FieldPath, target: FieldPath, spot: Spot
    ) -> Any:
        copied = self._copy(item, source, target, spot)
        if copied.__class__ is str and "{" in copied:
            self.templates.append((container, key, target, spot))
        return copied

    def merge(
        self,
        mapping: dict[str, Any],
        path: FieldPath,
        spot: Spot,
        sources: list[tuple[Any, FieldPath, Spot]],
    ) -> None:
        """`<<` at the end of `mapping` (at `spot`): each source's keys it lacks, in order."""
        self.allowed = MAX_ALIAS_EXPANSION + len(self.spots)
        merged = self.merged.setdefault(id(mapping), set())
        for value, source, _ in sources:
            for key, item in value.items():
                if key in mapping:
                    continue
                to_path = (*path, key)
                self.spots[to_path] = spot
                mapping[key] = self._item(mapping, key, item, (*source, key), to_path, spot)
                merged.add(key)


def _anchored(
    anchors: dict[str, tuple[Any, FieldPath, Spot]],
    name: str,
    current: Any,
    outer: list[tuple[Any, FieldPath, bool]],
) -> tuple[Any, FieldPath, Spot]:
    found = anchors.get(name)
    if found is None or found[0] is current or any(found[0] is frame[0] for frame in outer):
        raise NotPlain  # an unknown alias, or one inside its own anchor
    return found


def _merge_sources(
    next_event: Any,
    anchors: dict[str, tuple[Any, FieldPath, Spot]],
    current: Any,
    outer: list[tuple[Any, FieldPath, bool]],
) -> list[tuple[Any, FieldPath, Spot]]:
    """The mappings a `<<` merges: one alias, or a flow or block list of aliases."""
    event = next_event()
    names: list[str] = []
    if type(event) is AliasEvent:
        names.append(event.anchor)
    elif type(event) is SequenceStartEvent and event.tag is None and event.anchor is None:
        while type(event := next_event()) is AliasEvent:
            names.append(event.anchor)
        if type(event) is not SequenceEndEvent:
            raise NotPlain
    else:
        raise NotPlain  # a mapping written in place, or anything else
    found = [_anchored(anchors, name, current, outer) for name in names]
    if not found or not all(isinstance(value, dict) for value, _, _ in found):
        raise NotPlain
    return found


def _build(next_event: Any, display: str) -> tuple[Any, dict[FieldPath, Spot], list[Template]]:
    scalar, map_start, map_end = ScalarEvent, MappingStartEvent, MappingEndEvent
    seq_start, seq_end, by_first = SequenceStartEvent, SequenceEndEvent, _BY_FIRST
    next_event()  # the stream's start
    event = next_event()
    if type(event) is StreamEndEvent:
        return None, {}, []
    event = next_event()  # after the document's start
    if type(event) is not map_start or event.tag is not None:
        raise NotPlain
    spots: dict[FieldPath, Spot] = {}
    templates: list[Template] = []
    root: dict[str, Any] = {}
    # The container being filled, its path and whether it is a mapping; then the
    # containers around it.
    current: Any = root
    path: FieldPath = ()
    in_map = True
    outer: list[tuple[Any, FieldPath, bool]] = []
    slot: str | int
    # Anchors: name → (value, its path, its node's spot); aliases copy them.
    anchors: dict[str, tuple[Any, FieldPath, Spot]] = {}
    copies = _Copies(spots, templates)
    merges: dict[int, list[tuple[Any, FieldPath, Spot]]] = {}  # id of a mapping → its `<<`
    while True:
        event = next_event()
        kind = type(event)
        if in_map:
            if kind is map_end:
                sources = merges.pop(id(current), None)
                if sources is not None:
                    copies.merge(current, path, spots[path] if path else (display, 1, 1), sources)
                if not outer:
                    break
                current, path, in_map = outer.pop()
                continue
            if kind is not scalar or event.tag is not None or event.anchor is not None:
                raise NotPlain  # a complex, tagged or anchored key
            name: str = event.value
            if name == "<<" and event.implicit[0] and id(current) not in merges:
                merges[id(current)] = _merge_sources(next_event, anchors, current, outer)
                continue
            if name in current or (
                event.implicit[0] and name[:1] in by_first and _plain_tag(name) != _STR
            ):
                raise NotPlain  # a duplicate, a non-string key, a second `<<`
            slot = name
            mark = event.start_mark
            event = next_event()  # the key's value, recorded at the key
            kind = type(event)
        else:
            if kind is seq_end:
                current, path, in_map = outer.pop()
                continue
            slot = len(current)
            mark = event.start_mark
        value_path = (*path, slot)
        spot = spots[value_path] = (display, mark.line + 1, mark.column + 1)
        if kind is scalar:
            if event.tag is not None:
                raise NotPlain
            value = event.value
            if event.implicit[0] and value[:1] in by_first:
                value = _scalar(event)
            if event.anchor is not None:
                anchor_mark = event.start_mark
                anchor_spot = (display, anchor_mark.line + 1, anchor_mark.column + 1)
                anchors[event.anchor] = (value, value_path, anchor_spot)
            if value.__class__ is str and "{" in value:
                templates.append((current, slot, value_path, spot))
            if in_map:
                current[slot] = value
            else:
                current.append(value)
            continue
        if kind is AliasEvent:
            found = _anchored(anchors, event.anchor, current, outer)
            if not in_map:
                spot = spots[value_path] = found[2]  # ruamel: where the anchored node is
            value = copies.copy(found[0], found[1], value_path, spot)
            if value.__class__ is str and "{" in value:
                templates.append((current, slot, value_path, spot))
            if in_map:
                current[slot] = value
            else:
                current.append(value)
            continue
        if (kind is not map_start and kind is not seq_start) or event.tag is not None:
            raise NotPlain  # a tag
        if len(outer) >= MAX_DEPTH:
            raise TooDeep((display, event.start_mark.line + 1, event.start_mark.column + 1))
        value = {} if kind is map_start else []
        if event.anchor is not None:
            anchor_mark = event.start_mark
            anchor_spot = (display, anchor_mark.line + 1, anchor_mark.column + 1)
            anchors[event.anchor] = (value, value_path, anchor_spot)
        if in_map:
            current[slot] = value
        else:
            current.append(value)
        outer.append((current, path, in_map))
        current, path, in_map = value, value_path, kind is map_start
    if type(next_event()) is not DocumentEndEvent or type(next_event()) is not StreamEndEvent:
        raise NotPlain  # more than one document
    if root:
        spots[()] = spots[(next(iter(root)),)]  # the top mapping: its first key
    return root, spots, templates
