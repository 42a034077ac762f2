"""Hostile workspaces: `mmrc validate` is safe on an untrusted fork's pull request.

Every case ends with exit 1 and FILE:LINE:COL errors (no traceback, no "Internal
error"), echoes nothing from a file outside the workspace or from a file that is
no workspace fragment, and never hangs (pytest-timeout guards each case). The
loader's bounds: includes stay inside the root file's directory (symlinks
resolved), regular files only, MAX_FILE_BYTES a file, MAX_FILES files; YAML
nests at most MAX_DEPTH levels and aliases add at most MAX_ALIAS_EXPANSION
values; templates are bounded in steps and output (jinja_bounds).
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.cli import cli
from reconciler.errors import ConfigError, ReconcilerError
from reconciler.workspace import load_workspace
from reconciler.workspace.loader import MAX_FILE_BYTES, MAX_FILES

SECRET = "hunter2-s3cr3t"  # text that must never reach the output
TEAM = "teams:\n  - name: asd\n    display_name: ASD\n"


def _validate(root: Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["validate", "-f", str(root)])
    output = result.output
    assert "Traceback" not in output and "Internal error" not in output, output
    assert SECRET not in output, output
    return result.exit_code, output


def _errors(output: str) -> list[tuple[str, int, int, str]]:
    found = []
    for line in output.splitlines():
        match = re.match(r"^(.+?):(\d+):(\d+): (.*)$", line)
        if match:
            file, row, col, rest = match.groups()
            found.append((Path(file).name, int(row), int(col), rest))
    return found


def _root(tmp_path: Path, includes: list[str], body: str = "") -> Path:
    work = tmp_path / "repo"
    work.mkdir(exist_ok=True)
    root = work / "workspace.yaml"
    listed = "".join(f"  - {entry}\n" for entry in includes)
    root.write_text(f"version: 1\ninclude:\n{listed}{body}", encoding="utf-8")
    return root


def _outside(tmp_path: Path) -> Path:
    secret = tmp_path / "secret.yaml"
    secret.write_text(f"{SECRET}: 1\nteams: [{SECRET}]\n", encoding="utf-8")
    return secret


def case_absolute(tmp_path: Path) -> Path:
    return _root(tmp_path, [str(_outside(tmp_path))])


def case_dot_dot(tmp_path: Path) -> Path:
    _outside(tmp_path)
    return _root(tmp_path, ["../secret.yaml"])


def case_symlink_out(tmp_path: Path) -> Path:
    root = _root(tmp_path, ["linked.yaml"])
    (root.parent / "linked.yaml").symlink_to(_outside(tmp_path))
    return root


def case_symlinked_directory_out(tmp_path: Path) -> Path:
    root = _root(tmp_path, ["up/secret.yaml"])
    (root.parent / "up").symlink_to(tmp_path, target_is_directory=True)
    _outside(tmp_path)
    return root


def case_dev_zero(tmp_path: Path) -> Path:
    root = _root(tmp_path, ["zero.yaml"])
    (root.parent / "zero.yaml").symlink_to("/dev/zero")
    return root


def case_fifo(tmp_path: Path) -> Path:
    root = _root(tmp_path, ["pipe.yaml"])
    os.mkfifo(root.parent / "pipe.yaml")
    return root


def case_too_large(tmp_path: Path) -> Path:
    root = _root(tmp_path, ["big.yaml"])
    with (root.parent / "big.yaml").open("wb") as big:
        big.truncate(MAX_FILE_BYTES + 1)  # sparse: nothing is written
    return root


def case_not_a_fragment(tmp_path: Path) -> Path:
    root = _root(tmp_path, ["keys.yaml"])
    (root.parent / "keys.yaml").write_text(
        f"AWS_KEY: {SECRET}\n{SECRET}: x\nteams: [{{name: '{{{{ nope }}}}'}}]\n", encoding="utf-8"
    )
    return root


def case_directory_loop(tmp_path: Path) -> Path:
    root = _root(tmp_path, ["sub/part.yaml", "sub/loop/sub/loop/sub/part.yaml"])
    (root.parent / "sub").mkdir()
    (root.parent / "sub" / "part.yaml").write_text(TEAM, encoding="utf-8")
    (root.parent / "sub" / "loop").symlink_to("..", target_is_directory=True)
    return root


def case_too_many_files(tmp_path: Path) -> Path:
    names = [f"part{index}.yaml" for index in range(MAX_FILES + 5)]
    root = _root(tmp_path, names)
    for name in names:
        (root.parent / name).write_text("bots: []\n", encoding="utf-8")
    return root


def case_include_chain(tmp_path: Path) -> Path:
    root = _root(tmp_path, ["c0.yaml"])
    for index in range(400):
        (root.parent / f"c{index}.yaml").write_text(
            f"include: [c{index + 1}.yaml]\n", encoding="utf-8"
        )
    (root.parent / "c400.yaml").write_text(TEAM, encoding="utf-8")
    return root


def _body(tmp_path: Path, text: str) -> Path:
    work = tmp_path / "repo"
    work.mkdir(exist_ok=True)
    root = work / "workspace.yaml"
    root.write_text(text, encoding="utf-8")
    return root


def case_billion_laughs(tmp_path: Path) -> Path:
    lines = ["version: 1", "vars:", "  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    previous = "a"
    for name in "bcdefghi":
        lines.append(f"  {name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
        previous = name
    return _body(tmp_path, "\n".join(lines) + "\n")


def case_deep_flow(tmp_path: Path) -> Path:
    return _body(tmp_path, "version: 1\nteams: " + "[" * 100_000 + "]" * 100_000 + "\n")


def case_deep_block_exact_route(tmp_path: Path) -> Path:  # a tab: ruamel's own parser
    return _body(tmp_path, 'version: 1\nvars: {t: "a\tb"}\nteams: ' + "[" * 1_000 + "\n")


def _template(tmp_path: Path, template: str) -> Path:
    return _body(
        tmp_path,
        f'version: 1\nvars: {{v: {SECRET}}}\n{TEAM}    purpose: "{template}"\n',
    )


TEMPLATES = {
    "power": "{{ 10 ** (10 ** 8) }}",
    "string_product": "{{ 'x' * 10 ** 9 }}",
    "nested_loops": "{% for a in range(9000) %}{% for b in range(9000) %}{% endfor %}{% endfor %}",
    "recursive_macro": "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
    "wide_filter": "{{ v | center(10 ** 9) }}",
    "wide_method": "{{ v.ljust(10 ** 9) }}",
    "huge_range": "{{ range(10 ** 8) | list }}",
    "long_output": "{% for a in range(9000) %}{{ v }}{{ v }}{% endfor %}",
    "percent_width": "{{ '%0999999999d' % 1 }}",
    "format_width": "{{ '{:>999999999}'.format(1) }}",
    "format_filter_width": "{{ '%0999999999d' | format(1) }}",
    "star_width": "{{ '%*d' % (999999999, 1) }}",
}


def case_secret_number(tmp_path: Path) -> Path:
    return _body(
        tmp_path,
        "version: 1\nsettings:\n  sso:\n    gitlab:\n      enable: true\n"
        "      secret: 8675309123\n",
    )


CASES: dict[str, tuple[Callable[[Path], Path], str, int, int]] = {
    # name: (make, the file the error is in, its line, its column)
    "absolute": (case_absolute, "workspace.yaml", 3, 5),
    "dot_dot": (case_dot_dot, "workspace.yaml", 3, 5),
    "symlink_out": (case_symlink_out, "workspace.yaml", 3, 5),
    "symlinked_directory_out": (case_symlinked_directory_out, "workspace.yaml", 3, 5),
    "dev_zero": (case_dev_zero, "workspace.yaml", 3, 5),
    "fifo": (case_fifo, "workspace.yaml", 3, 5),
    "too_large": (case_too_large, "workspace.yaml", 3, 5),
    "not_a_fragment": (case_not_a_fragment, "keys.yaml", 1, 1),
    "directory_loop": (case_directory_loop, "workspace.yaml", 4, 5),
    "too_many_files": (case_too_many_files, "workspace.yaml", 3 + MAX_FILES - 1, 5),
    "include_chain": (case_include_chain, "c31.yaml", 1, 11),
    "billion_laughs": (case_billion_laughs, "workspace.yaml", 3, 6),
    "deep_flow": (case_deep_flow, "workspace.yaml", 2, 72),
    "deep_block_exact_route": (case_deep_block_exact_route, "workspace.yaml", 1, 1),
    "secret_number": (case_secret_number, "workspace.yaml", 6, 7),
    **{
        f"template_{name}": (
            lambda tmp_path, text=text: _template(tmp_path, text),
            "workspace.yaml",
            6,
            5,
        )
        for name, text in TEMPLATES.items()
    },
}


@pytest.mark.timeout(60)
@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_workspace(name: str, tmp_path: Path) -> None:
    make, file, line, column = CASES[name]
    code, output = _validate(make(tmp_path))
    assert code == 1, output
    errors = _errors(output)
    assert (file, line, column) in [e[:3] for e in errors], output
    if name in ("secret_number",):
        assert "8675309123" not in output


def test_included_files_name_only_workspace_keys(tmp_path: Path) -> None:
    root = _root(tmp_path, ["keys.yaml"])
    (root.parent / "keys.yaml").write_text(f"settings: {{}}\n{SECRET}: 1\n", encoding="utf-8")
    code, output = _validate(root)
    assert code == 1
    messages = [e[3] for e in _errors(output)]
    assert messages == [
        "settings: key 'settings' is not allowed in an included file "
        "(hint: allowed: teams, bots, include)",
        "(file): this key is not allowed in an included file (hint: allowed: teams, bots, include)",
    ]


def test_a_root_file_linking_out_of_its_directory_is_refused(tmp_path: Path) -> None:
    work = tmp_path / "repo"
    work.mkdir()
    (work / "workspace.yaml").symlink_to(_outside(tmp_path))
    code, output = _validate(work / "workspace.yaml")
    assert code == 1 and "symlink out of its own directory" in output
    (work / "real.yaml").write_text("version: 1\n", encoding="utf-8")
    (work / "linked.yaml").symlink_to("real.yaml")
    assert _validate(work / "linked.yaml")[0] == 0


def test_an_include_inside_the_directory_still_works(tmp_path: Path) -> None:
    root = _root(tmp_path, ["parts/team.yaml"])
    (root.parent / "parts").mkdir()
    (root.parent / "parts" / "team.yaml").write_text(TEAM, encoding="utf-8")
    assert [t.name for t in load_workspace(root).workspace.teams] == ["asd"]


# fmt: off
_FRAGMENTS = [
        "version: 1\n", "teams:\n", "  - name: asd\n", "    display_name: A\n", "include: [x.yaml]\n",
        "&a ", "*a ", "[", "]", "{", "}", ": ", "- ", "'", '"', "\t", "!!str ", "<<: *a\n",
        "{{ v }}", "{% for i in range(3) %}", "{% endfor %}", "\n", "  ", "%YAML 1.1\n", "---\n",
        "vars: {v: 1}\n", "bots: [", "0o7", "2024-01-01", "~", "\u2028", "é",
]
# fmt: on


@pytest.mark.timeout(120)  # a hang fails the test instead of stalling the suite
@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.lists(st.sampled_from(_FRAGMENTS), max_size=30))
def test_fuzzed_workspaces_fail_cleanly(tmp_path: Path, parts: list[str]) -> None:
    root = tmp_path / "workspace.yaml"
    root.write_text("".join(parts), encoding="utf-8")
    with contextlib.suppress(ConfigError, ReconcilerError):  # anything else is a bug (exit 3)
        load_workspace(root)
