"""Loading: positions in the source map, includes, vars precedence, fields left unset."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from reconciler.cli import cli
from reconciler.errors import ConfigError, ReconcilerError
from reconciler.workspace import load_workspace

ROOT_TEXT = """\
version: 1
include: [more/partners.yaml]
vars: {title: ASD-PMA}
teams:
  - name: asd
    display_name: "{{ title }}"
    channels:
      - name: team-support
        display_name: Support
"""
PARTNERS_TEXT = """\
version: 1
bots:
  - username: n8n-bot
teams:
  - name: partners
    display_name: "{{ title }} Partners"
"""


def _write(tmp_path: Path) -> Path:
    (tmp_path / "more").mkdir()
    (tmp_path / "more" / "partners.yaml").write_text(PARTNERS_TEXT, encoding="utf-8")
    root = tmp_path / "workspace.yaml"
    root.write_text(ROOT_TEXT, encoding="utf-8")
    return root


def test_positions_and_includes(tmp_path: Path) -> None:
    loaded = load_workspace(_write(tmp_path))
    ws = loaded.workspace
    assert [team.name for team in ws.teams] == ["asd", "partners"]
    assert ws.teams[1].display_name == "ASD-PMA Partners"  # root vars reach included files
    assert [bot.username for bot in ws.bots] == ["n8n-bot"]
    smap = loaded.source_map
    name = smap.get(("teams", 0, "channels", 0, "name"))
    assert name is not None and (name.line, name.column) == (8, 9)
    included = smap.get(("teams", 1, "display_name"))
    assert included is not None
    assert included.file.endswith("partners.yaml") and (included.line, included.column) == (6, 5)
    assert len(loaded.files) == 2


def test_absent_fields_stay_unset(tmp_path: Path) -> None:
    team = load_workspace(_write(tmp_path)).workspace.teams[0]
    assert team.members is None and team.visibility is None
    assert team.model_fields_set == {"name", "display_name", "channels"}
    assert team.channels[0].model_fields_set == {"name", "display_name"}


def test_var_precedence(tmp_path: Path) -> None:
    root = _write(tmp_path)
    var_file = tmp_path / "vars.yaml"
    var_file.write_text("title: From File\n", encoding="utf-8")
    runner = CliRunner()
    from_file = runner.invoke(cli, ["validate", "-f", str(root), "--var-file", str(var_file)])
    assert from_file.exit_code == 0, from_file.output
    assert load_workspace(root, {"title": "X"}).workspace.teams[0].display_name == "X"
    both = runner.invoke(
        cli, ["validate", "-f", str(root), "--var-file", str(var_file), "--var", "title=A B"]
    )
    assert both.exit_code == 0, both.output


def test_bad_var_option_and_var_file(tmp_path: Path) -> None:
    root = _write(tmp_path)
    runner = CliRunner()
    result = runner.invoke(cli, ["validate", "-f", str(root), "--var", "novalue"])
    assert result.exit_code == 1 and "KEY=VALUE" in result.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("- a\n- b\n", encoding="utf-8")
    result = runner.invoke(cli, ["validate", "-f", str(root), "--var-file", str(bad)])
    assert result.exit_code == 1 and "bad.yaml:1:1: (vars): a var file must be a mapping" in (
        result.output
    )


def test_all_problems_at_once(tmp_path: Path) -> None:
    root = tmp_path / "workspace.yaml"
    root.write_text(
        "version: 1\n"
        "teams:\n"
        "  - name: ASD\n"
        "    display_name: A\n"
        "    channels:\n"
        "      - {name: dev, display_name: Dev}\n"
        "    commands:\n"
        "      - {trigger: /away, url: ftp://x}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        load_workspace(root)
    paths = [d.path for d in caught.value.diagnostics]
    assert paths == [
        "teams[0].name",
        "teams[0].channels[0].name",
        "teams[0].commands[0].trigger",
        "teams[0].commands[0].url",
    ]


def test_missing_root_file(tmp_path: Path) -> None:
    with pytest.raises(ReconcilerError, match="cannot read"):
        load_workspace(tmp_path / "nope.yaml")
    result = CliRunner().invoke(cli, ["validate", "-f", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 1 and "Traceback" not in result.output


def test_jinja_is_sandboxed(tmp_path: Path) -> None:
    root = tmp_path / "workspace.yaml"
    root.write_text(
        "version: 1\nteams:\n  - name: asd\n"
        "    display_name: \"{{ ''.__class__.__mro__[1].__subclasses__() }}\"\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        load_workspace(root)
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.line, diagnostic.path) == (4, "teams[0].display_name")
    assert "template error" in diagnostic.message
