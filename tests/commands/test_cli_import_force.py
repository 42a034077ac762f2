"""`mmrc import -o FILE` never overwrites a file (nor --split's team files) without --force."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from live_sandbox import LiveSandbox

StartSandbox = Callable[..., LiveSandbox]


def test_import_refuses_to_overwrite_without_force(
    start_sandbox: StartSandbox, tmp_path: Path
) -> None:
    live = start_sandbox("empty")
    live.api.post("/api/v4/teams", {"name": "asd", "display_name": "ASD", "type": "O"})
    target = tmp_path / "workspace.yaml"
    target.write_text("# my work\n", encoding="utf-8")
    refused = live.mmrc("import", "-o", str(target))
    assert refused.exit_code == 1
    assert f"import would overwrite {target}: pass --force to replace it" in refused.output
    assert target.read_text(encoding="utf-8") == "# my work\n"
    forced = live.mmrc("import", "-o", str(target), "--force")
    assert forced.exit_code == 0, forced.output
    assert "name: asd" in target.read_text(encoding="utf-8")


def test_split_refuses_to_overwrite_a_team_file(
    start_sandbox: StartSandbox, tmp_path: Path
) -> None:
    live = start_sandbox("empty")
    live.api.post("/api/v4/teams", {"name": "asd", "display_name": "ASD", "type": "O"})
    target = tmp_path / "workspace.yaml"
    team_file = tmp_path / "teams" / "asd.yaml"
    team_file.parent.mkdir()
    team_file.write_text("# hand-edited\n", encoding="utf-8")
    refused = live.mmrc("import", "-o", str(target), "--split")
    assert refused.exit_code == 1
    assert f"import would overwrite {team_file}: pass --force" in refused.output
    assert not target.exists()  # nothing written when anything would be overwritten
    assert team_file.read_text(encoding="utf-8") == "# hand-edited\n"
    forced = live.mmrc("import", "-o", str(target), "--split", "--force")
    assert forced.exit_code == 0, forced.output
    assert "name: asd" in team_file.read_text(encoding="utf-8")
