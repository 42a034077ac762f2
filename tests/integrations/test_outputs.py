"""The outputs file: 0600, atomic, masked unless revealed, never in repr."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from reconciler import outputs
from reconciler.errors import ReconcilerError
from reconciler.outputs import Output

HOOK_ID = "abcd1234efgh5678ijkl9012mn"
TOKEN = "tok1234567890abcdefghijklm"


def sample() -> list[Output]:
    return [
        Output(
            "team.asd/incoming_webhook.Redmine",
            "incoming_webhook",
            "asd",
            "Redmine",
            outputs.hook_url("https://chat.example.com/", HOOK_ID),
        ),
        Output("team.asd/command.reply", "command", "asd", "reply", TOKEN),
    ]


def test_repr_and_str_never_show_the_value() -> None:
    for output in sample():
        assert HOOK_ID not in repr(output) and TOKEN not in repr(output)
        assert HOOK_ID not in str(output) and TOKEN not in str(output)
    assert sample()[0].masked() == "https://chat.example.com/hooks/(sensitive)"
    assert sample()[1].masked() == "(sensitive)"


def test_write_file_mode_0600_and_content(tmp_path: Path) -> None:
    target = tmp_path / "outputs.json"
    target.write_text("old")
    os.chmod(target, 0o644)
    outputs.write_file(target, sample(), "https://chat.example.com")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    data = json.loads(target.read_text())
    assert data["outputs"]["team.asd/incoming_webhook.Redmine"]["url"] == (
        f"https://chat.example.com/hooks/{HOOK_ID}"
    )
    assert data["outputs"]["team.asd/command.reply"]["token"] == TOKEN
    assert [p.name for p in tmp_path.iterdir()] == ["outputs.json"]  # no temp file left
    assert sorted(o.address for o in outputs.read_file(target)) == sorted(
        o.address for o in sample()
    )


def test_write_file_error_names_the_path_only(tmp_path: Path) -> None:
    with pytest.raises(ReconcilerError) as caught:
        outputs.write_file(tmp_path / "missing" / "o.json", sample(), "x")
    assert TOKEN not in str(caught.value)
    assert "missing" in str(caught.value)


def test_select_by_address_key_or_team_key() -> None:
    assert [o.name for o in outputs.select(sample(), "reply")] == ["reply"]
    assert [o.name for o in outputs.select(sample(), "asd/Redmine")] == ["Redmine"]
    assert len(outputs.select(sample(), None)) == 2
    with pytest.raises(ReconcilerError, match="no output named"):
        outputs.select(sample(), "nothing")


def test_render_masks_unless_revealed() -> None:
    masked = outputs.render_text(sample(), reveal=False)
    assert TOKEN not in masked and HOOK_ID not in masked
    revealed = outputs.render_text(sample(), reveal=True)
    assert TOKEN in revealed and HOOK_ID in revealed


def test_merge_replaces_and_removes() -> None:
    new = Output("team.asd/command.reply", "command", "asd", "reply", "new-token")
    merged = outputs.merge(
        sample(), {"team.asd/command.reply": new, "team.asd/incoming_webhook.Redmine": None}
    )
    assert [o.reveal() for o in merged] == ["new-token"]
