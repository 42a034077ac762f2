"""One spelling per meaning: -o/--out, --format, --sandbox everywhere; old spellings hidden,
still working, and saying what replaces them; every JSON document's format_version is "1.0"."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from reconciler.cli import cli

WORKSPACE = """\
version: 1
teams:
  - name: asd
    display_name: ASD
    incoming_webhooks:
      - {display_name: Grafana, channel: town-square}
"""


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), env={"NO_COLOR": "1", "MM_URL": "", "MM_TOKEN": ""})


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    path = tmp_path / "workspace.yaml"
    path.write_text(WORKSPACE, encoding="utf-8")
    return path


def test_plan_saves_with_short_o(workspace: Path, tmp_path: Path) -> None:
    saved = tmp_path / "plan.json"
    result = run("plan", "-f", str(workspace), "--sandbox", "empty", "-o", str(saved))
    assert result.exit_code == 0, result.output
    assert json.loads(saved.read_text(encoding="utf-8"))["format_version"] == "1.0"


def test_import_out_and_its_deprecated_alias(tmp_path: Path) -> None:
    new = run("import", "--sandbox", "demo", "--out", str(tmp_path / "new.yaml"))
    assert new.exit_code == 0, new.output
    assert "deprecated" not in new.stderr
    old = run("import", "--sandbox", "demo", "--output", str(tmp_path / "old.yaml"))
    assert old.exit_code == 0, old.output
    assert "mmrc: --output is deprecated and will be removed in the next release; use -o/--out" in (
        old.stderr
    )

    def body(name: str) -> list[str]:  # the header names the server and the time
        text = (tmp_path / name).read_text(encoding="utf-8")
        return [line for line in text.splitlines() if not line.startswith("#")]

    assert body("old.yaml") == body("new.yaml")


def test_output_format_json_and_its_deprecated_alias(workspace: Path) -> None:
    new = run("output", "-f", str(workspace), "--sandbox", "empty", "--format", "json")
    assert new.exit_code == 0, new.output
    document = json.loads(new.stdout)
    assert document["format_version"] == "1.0"  # a string, as in plans and apply results
    old = run("output", "-f", str(workspace), "--sandbox", "empty", "--json")
    assert old.exit_code == 0, old.output
    assert {**json.loads(old.stdout), "server": "-"} == {**document, "server": "-"}
    assert "--json is deprecated" in old.stderr and "use --format json" in old.stderr


def test_output_from_an_embedded_sandbox_says_it_stopped(workspace: Path) -> None:
    result = run("output", "-f", str(workspace), "--sandbox", "empty")
    assert result.exit_code == 0, result.output
    assert "which stopped with this command" in result.stderr


def test_drift_takes_sandbox(workspace: Path) -> None:
    result = run("drift", "-f", str(workspace), "--sandbox", "empty", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["format_version"] == "1.0"


@pytest.mark.parametrize(
    ("command", "shown", "hidden"),
    [
        ("import", ["-o, --out", "--sandbox", "--force"], ["--output"]),
        ("output", ["--format", "--sandbox"], ["--json"]),
        ("plan", ["-o, --out", "--sandbox", "--format"], []),
        ("drift", ["--sandbox", "--format"], []),
        ("apply", ["--outputs-file", "--sandbox", "--format"], []),
        ("rotate", ["--outputs-file", "--sandbox"], []),
    ],
)
def test_help_shows_one_spelling(command: str, shown: list[str], hidden: list[str]) -> None:
    text = run(command, "--help").output
    for option in shown:
        assert option in text, option
    for option in hidden:
        assert f"{option} " not in text and not text.rstrip().endswith(option), option
