"""Apply results: the data class and its text / markdown / json views."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from reconciler.outcome import RESULT_FORMAT_VERSION, ApplyResult, ChangeOutcome
from reconciler.plan import Action
from reconciler.render import RESULT_RENDERERS, RenderOptions, render_result

Golden = Callable[[str, str], None]

SUCCESS = ApplyResult(
    outcomes=(
        ChangeOutcome("team.asd/channel.project-alpha", Action.CREATE, "applied"),
        ChangeOutcome("team.asd/channel.team-support", Action.UPDATE, "applied"),
        ChangeOutcome("team.asd/channel.old", Action.ARCHIVE, "applied"),
    ),
    duration_s=1.234,
)

FAILURE = ApplyResult(
    outcomes=(
        ChangeOutcome("team.asd/channel.project-alpha", Action.CREATE, "applied"),
        ChangeOutcome("team.asd/channel.support", Action.RENAME, "applied"),
        ChangeOutcome(
            "team.asd/channel.team-support",
            Action.UPDATE,
            "failed",
            error="A channel with that name already exists on the same team.",
            error_id="store.sql_channel.save_channel.exists.app_error",
            request_id="8xk3q1mhbtd9jcs4o7zynw5e1a",
        ),
        *(
            ChangeOutcome(f"team.asd/channel.c{n}", Action.ARCHIVE, "not_attempted")
            for n in range(4)
        ),
    ),
    duration_s=0.5,
)


@pytest.mark.parametrize("fmt", sorted(RESULT_RENDERERS))
@pytest.mark.parametrize("name", ["success", "failure"])
def test_result_golden(name: str, fmt: str, golden: Golden) -> None:
    result = {"success": SUCCESS, "failure": FAILURE}[name]
    extension = {"text": "txt", "markdown": "md", "json": "json"}[fmt]
    golden(f"result-{name}.{extension}", render_result(result, fmt, RenderOptions()))


def test_summary_lines() -> None:
    assert render_result(SUCCESS, "text").splitlines()[-1] == "Apply complete! 3 applied."
    failed = render_result(FAILURE, "text")
    assert failed.splitlines()[-1] == "Apply failed: 2 applied, 1 failed, 4 not attempted."
    assert "store.sql_channel.save_channel.exists.app_error" in failed
    assert "request id: 8xk3q1mhbtd9jcs4o7zynw5e1a" in failed
    assert render_result(ApplyResult(), "text").splitlines()[-1] == "Apply complete! 0 applied."


def test_counts_and_ok() -> None:
    assert SUCCESS.ok and not FAILURE.ok
    assert FAILURE.counts() == {"applied": 2, "failed": 1, "not_attempted": 4}
    assert [o.address for o in FAILURE.failures()] == ["team.asd/channel.team-support"]


def test_json_round_trip_and_version() -> None:
    data = json.loads(render_result(FAILURE, "json"))
    assert data["format_version"] == RESULT_FORMAT_VERSION
    assert data["summary"] == {"applied": 2, "failed": 1, "not_attempted": 4}
    assert data["ok"] is False
    assert ApplyResult.from_dict(data) == ApplyResult(FAILURE.outcomes, 0.5)
    with pytest.raises(ValueError, match="format_version"):
        ApplyResult.from_dict({**data, "format_version": "2.0"})


def test_unknown_status_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown outcome status"):
        ChangeOutcome("bot.x", Action.CREATE, "done")  # type: ignore[arg-type]


def test_colour_and_hostile_errors() -> None:
    hostile = ApplyResult(
        (ChangeOutcome("bot.x", Action.CREATE, "failed", error="\x1b[2J</details> *boom*"),),
        0.1,
    )
    plain = render_result(hostile, "text")
    assert "\x1b" not in plain and "\\x1b[2J" in plain
    assert "\x1b[31m" in render_result(hostile, "text", RenderOptions(color=True))
    markdown = render_result(hostile, "markdown")
    assert "\\</details\\> \\*boom\\*" in markdown
    assert markdown.startswith("<!-- mmrc-apply -->\n")


def test_an_interrupted_apply_says_so_in_every_format() -> None:
    stopped = ApplyResult(SUCCESS.outcomes[:1], 0.5, interrupted=True)
    assert not stopped.ok
    assert render_result(stopped, "text").splitlines()[-1] == (
        "Apply interrupted: 1 applied, 0 failed, 0 not attempted."
    )
    assert "**Apply interrupted: 1 applied" in render_result(stopped, "markdown")
    data = json.loads(render_result(stopped, "json"))
    assert data["interrupted"] is True and data["ok"] is False
    assert ApplyResult.from_dict(data) == stopped
