"""--var and --var-file may only set what `vars:` declares; a typo is an error with a hint."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from reconciler.cli import cli

WORKSPACE = """\
version: 1
vars:
  gitlab_public: https://gitlab.example
  title: ASD-PMA
teams:
  - name: asd
    display_name: "{{ title }}"
"""


def _validate(tmp_path: Path, *args: str) -> tuple[int, str]:
    root = tmp_path / "workspace.yaml"
    root.write_text(WORKSPACE, encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", "-f", str(root), *args])
    return result.exit_code, result.output


def test_declared_overrides_pass(tmp_path: Path) -> None:
    staging = tmp_path / "staging.yaml"
    staging.write_text("gitlab_public: https://gitlab.staging\n", encoding="utf-8")
    code, output = _validate(tmp_path, "--var-file", str(staging), "--var", "title=X")
    assert code == 0, output


def test_var_file_typo_names_the_line_and_the_near_name(tmp_path: Path) -> None:
    staging = tmp_path / "staging.yaml"
    staging.write_text("title: Staging\ngitlab_publc: https://gitlab.staging\n", encoding="utf-8")
    code, output = _validate(tmp_path, "--var-file", str(staging))
    assert code == 1
    assert (
        f"{staging}:2:1: vars.gitlab_publc: sets a variable that "
        f"{tmp_path / 'workspace.yaml'}'s vars: does not declare "
        "(hint: did you mean 'gitlab_public'?)"
    ) in output
    assert "1 problem found" in output


def test_var_typo_points_at_vars_and_says_what_to_do(tmp_path: Path) -> None:
    code, output = _validate(tmp_path, "--var", "titel=X", "--var", "unrelated=1")
    assert code == 1
    root = tmp_path / "workspace.yaml"
    assert (
        f"{root}:2:1: vars: --var titel=… sets a variable that vars: does not declare "
        "(hint: did you mean 'title'?)"
    ) in output
    assert (
        f"--var unrelated=… sets a variable that vars: does not declare (hint: declare it under vars: in {root} first)"
        in output
    )


def test_var_overriding_a_var_file_key_is_reported_once(tmp_path: Path) -> None:
    staging = tmp_path / "staging.yaml"
    staging.write_text("titel: Staging\n", encoding="utf-8")
    code, output = _validate(tmp_path, "--var-file", str(staging), "--var", "titel=X")
    assert code == 1
    assert output.count("titel") == 1 and "--var titel=" in output
