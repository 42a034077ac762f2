"""Exit codes: usage errors exit 1 (never 2, which --detailed-exitcode keeps for "changes")."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from reconciler.cli import cli


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["plan", "--bogus"], "No such option '--bogus'"),
        (["drift", "--detailed-exitcod"], "No such option"),
        (["nope"], "No such command 'nope'"),
        (["--bogus"], "No such option '--bogus'"),
        (["plan", "--format", "xml"], "'xml' is not one of"),
        (["validate", "--var", "novalue"], "expected KEY=VALUE"),
        (["sandbox", "--port", "99999"], "99999 is not in the range 0<=x<=65535"),
        (["sandbox", "--port", "-1"], "is not in the range"),
        (["import", "--split"], "give the root file with -o FILE"),
    ],
)
def test_usage_errors_exit_1(args: list[str], says: str) -> None:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1, result.output
    assert says in result.output
    assert "Internal error" not in result.output and "Traceback" not in result.output


def test_help_exits_0() -> None:
    result = CliRunner().invoke(cli, ["plan", "--help"])
    assert result.exit_code == 0 and "--detailed-exitcode" in result.output


def test_top_level_help_lists_the_exit_codes() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    assert "Exit codes:" in result.output
    assert "2    only with --detailed-exitcode: changes present" in result.output
    assert "130  interrupted (Ctrl-C)" in result.output
