"""Building the imported YAML with ruamel round-trip values: flow style, comments, dump.

String values that look like Jinja2 are wrapped (`template_safe`) so templating
gives them back unchanged; every value written goes through `put` or the flow
helpers, which do that.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

_JINJA = ("{{", "{%", "{#")


def template_safe(text: str) -> str:
    """`text` such that Jinja2 templating gives it back unchanged."""
    if not any(marker in text for marker in _JINJA):
        return text
    if "endraw" not in text:
        return "{% raw %}" + text + "{% endraw %}"
    return "{{ " + repr(text) + " }}"


def plain(value: Any) -> Any:
    if isinstance(value, str):
        return template_safe(value)
    return value


def flow(items: Iterable[Any]) -> CommentedSeq:
    """A `[a, b]` sequence."""
    seq = CommentedSeq([plain(i) for i in items])
    seq.fa.set_flow_style()
    return seq


def flow_map(values: Mapping[str, Any]) -> CommentedMap:
    """A `{a: 1, b: 2}` mapping."""
    mapping = CommentedMap((k, plain(v)) for k, v in values.items())
    mapping.fa.set_flow_style()
    return mapping


def put(target: CommentedMap, key: str, value: Any) -> None:
    """`target[key] = value`, lists in flow style, strings template-safe."""
    if isinstance(value, (list, tuple)):
        target[key] = flow(value)
    else:
        target[key] = plain(value)


def comment_before(target: CommentedMap, key: Any, lines: list[str], indent: int) -> None:
    """Comment lines above `key` of `target`, whose keys sit at column `indent`."""
    if lines:
        target.yaml_set_comment_before_after_key(key, before="\n".join(lines), indent=indent)


def dump(data: CommentedMap) -> str:
    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()
