"""The libyaml route and ruamel's round-trip route read a file identically.

`yamlfile.parse` reads a workspace through libyaml's events (`yamlfast`) when the
file is plain, and through ruamel's pure-Python round-trip loader otherwise. Every
file the fast route accepts must come out exactly as the exact route reads it: the
same data, the same line and column for every path, the same strings to template.
Whatever the fast route does not reproduce exactly it must hand over (NotPlain).
"""

from __future__ import annotations

import io
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from reconciler.workspace import yamlfast, yamlfile

TESTS = Path(__file__).parent.parent
FILES = sorted(
    p
    for p in [*TESTS.rglob("*.yaml"), TESTS.parent / "workspace.yaml"]
    if "cassettes" not in p.parts
)


def _routes(text: str) -> tuple[bool, Any, Any]:
    """(whether the fast route took it, its document, the exact route's document)."""
    exact, _ = yamlfile._parse_exact(text, "f.yaml")
    try:
        data, spots, templates = yamlfast.build(text, "f.yaml")
    except (yamlfast.NotPlain, YAMLError):
        return False, None, exact
    return True, yamlfile.Document(data, spots, templates) if data is not None else None, exact


def _same(fast: yamlfile.Document | None, exact: yamlfile.Document | None) -> None:
    if fast is None or exact is None:
        assert fast is None and exact is None
        return
    assert fast.data == exact.data
    assert fast.spots == exact.spots
    assert [t[2:] for t in fast.templates] == [t[2:] for t in exact.templates]


def test_the_repository_yaml_files_read_alike() -> None:
    taken = 0
    for path in FILES:
        took, fast, exact = _routes(path.read_text(encoding="utf-8"))
        if took:
            taken += 1
            _same(fast, exact)
    assert taken >= 40  # the fast route is the usual one


@pytest.mark.parametrize(
    "text",
    [
        "a: &x [1, *x]\n",  # an alias inside its own anchor
        "a: *nowhere\n",  # an unknown alias
        "a: !!str 1\n",  # a tag
        "c:\n  <<: {x: 1}\n",  # a merge of a mapping written in place
        "a: &a {x: 1}\nc:\n  <<: *a\n  <<: *a\n",  # two merges in one mapping
        "a: &a [1]\nc:\n  <<: *a\n",  # a merge of a list
        "a: 1\na: 2\n",  # a duplicate key
        "a:\t1\n",  # a tab
        "a: 1\r\nb: 2\r\n",  # CRLF
        "a: 2024-01-01\n",  # a timestamp
        "a: &t true\n",  # an anchored boolean
        "a: 0o17\n",  # octal
        "a: 1_000\n",  # underscores
        "%YAML 1.1\n---\na: yes\n",  # a directive
        "a: 1\n---\nb: 2\n",  # two documents
        "- a\n- b\n",  # a list at the top
        "1: one\n",  # a number as a key
        "? [a]\n: b\n",  # a complex key
    ],
)
def test_what_the_fast_route_hands_over(text: str) -> None:
    with pytest.raises(yamlfast.NotPlain):
        yamlfast.build(text, "f.yaml")


@pytest.mark.parametrize(
    "text",
    [
        "a: &x [1, '{{ v }}']\nb: *x\nc: [*x, *x]\n",
        "m: &m {post: true, who: '{{ v }}'}\nlist:\n  - *m\n  - {x: *m}\n",
        "s: &s plain\nt: &t '{{ v }}'\nu: [*s, *t]\nw: *t\n",
        "a: &x [1]\na2: &x [2]\nb: *x\n",  # an anchor defined again: the later one
        "b: &b {x: 1, y: '{{ v }}'}\nm:\n  z: 3\n  <<: *b\n  x: 9\n",  # own keys win
        "a: &a {x: 1}\nb: &b {x: 2, y: 2}\nm:\n  <<: [*a, *b]\n  k: v\n",  # earlier wins
        "a: &a {x: 1, n: {q: '{{ v }}'}}\nm: {<<: *a, w: 1}\nl: [{<<: *a}]\n",
        "a: &a {x: 1}\nb: &b {<<: *a, y: 2}\nm: {<<: *b, z: 3}\nc: [*b]\n",  # merged, copied
        "a: &a {x: 1}\n<<: *a\n",  # into the top mapping
    ],
)
def test_aliases_read_alike(text: str) -> None:
    took, fast, exact = _routes(text)
    assert took
    _same(fast, exact)


def test_nesting_past_the_bound_is_an_error_where_it_passes_it() -> None:
    depth = yamlfast.MAX_DEPTH + 1
    document, problems = yamlfile.parse("a: " + "[" * depth + "]" * depth + "\n", "f.yaml")
    assert document is None
    assert [(p.line, p.column, p.path) for p in problems] == [(1, 4 + yamlfast.MAX_DEPTH, "(yaml)")]
    assert problems[0].message == f"YAML nested deeper than {yamlfast.MAX_DEPTH} levels"


def test_broken_yaml_gets_ruamel_s_message() -> None:
    document, problems = yamlfile.parse("a: [1\nb: 2\n", "f.yaml")
    assert document is None
    assert [(p.line, p.column, p.path) for p in problems] == [(2, 2, "(yaml)")]
    assert problems[0].message.startswith("YAML syntax error: ")


_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**6)
    | st.floats(-1e6, 1e6, allow_nan=False).map(lambda f: round(f, 3))
    | st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12)
)
_keys = st.text(st.characters(codec="ascii", categories=("L", "N", "Pd")), min_size=1, max_size=8)
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_keys, inner, max_size=4),
    max_leaves=25,
)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(_keys, _values, min_size=1, max_size=5), st.booleans())
def test_generated_documents_read_alike(document: dict[str, Any], flow: bool) -> None:
    yaml = YAML()
    yaml.default_flow_style = flow
    stream = io.StringIO()
    yaml.dump(document, stream)
    took, fast, exact = _routes(stream.getvalue())
    if took:
        _same(fast, exact)


def _anchored_document(rng: random.Random) -> str:
    """A workspace-like document sharing values through anchors, aliases and merges."""
    shapes = [
        "{name}: &{name} {{post: false, who: '{{{{ v }}}}', n: 1}}",
        "{name}: &{name}\n  members: {{post: true, t: '{{{{ v }}}}'}}\n  list: [a, '{{{{ v }}}}']",
        "{name}: &{name} [1, '{{{{ v }}}}']",
        "{name}: &{name} plain",
    ]
    lines, maps, names = [], [], []
    for index in range(rng.randint(1, 4)):
        name = f"a{index}"
        if maps and rng.random() < 0.3:
            lines.append(f"{name}: &{name}\n  <<: *{rng.choice(maps)}\n  extra: {index}")
            maps.append(name)
        else:
            shape = rng.randrange(len(shapes))
            lines.append(shapes[shape].format(name=name))
            if shape < 2:
                maps.append(name)
        names.append(name)
    lines.append("uses:")
    for index in range(rng.randint(1, 5)):
        one, two = rng.choice(names), rng.choice(maps or names)
        lines.append(
            rng.choice(
                [
                    f"  - *{one}",
                    f"  - {{k: {index}, v: *{one}}}",
                    f"  - name: c{index}\n    <<: *{two}\n    post: own",
                    f"  - <<: [*{two}, *{rng.choice(maps or names)}]\n    name: c{index}",
                    f"  - moderation:\n      <<: *{two}",
                ]
            )
        )
    return "\n".join(lines) + "\n"


@settings(max_examples=100, deadline=None)
@given(st.randoms(use_true_random=False))
def test_generated_anchored_documents_read_alike(rng: random.Random) -> None:
    text = _anchored_document(rng)
    took, fast, exact = _routes(text)
    if took:
        _same(fast, exact)
