"""The PR comment: marker, title, commit, per-team sections, and the size limit."""

from __future__ import annotations

import re

import pytest
from render_samples import change, make_huge_plan
from test_safety import check_markdown_structure

from reconciler.plan import Action, FieldChange, Plan
from reconciler.render import RenderOptions, render_plan
from reconciler.render.markdown import DRIFT_MARKER, PLAN_MARKER

NOTE = re.compile(
    r"… (\d+) more changes? not shown; see the full plan \(mmrc plan --format json\)\n"
)
HEADING = re.compile(r"^[+!-] (\S+) \(", re.MULTILINE)


def test_marker_title_and_commit() -> None:
    plan = make_huge_plan(teams=1, per_team=2)
    output = render_plan(plan, "markdown", RenderOptions(commit="0123456789" * 4))
    assert output.splitlines()[:5] == [
        PLAN_MARKER,
        "### mmrc plan",
        "",
        "Planned commit `0123456`",
        "",
    ]
    titled = render_plan(plan, "markdown", RenderOptions(title="Plan for *prod*", commit="v1`x"))
    assert "### Plan for \\*prod\\*\n" in titled
    assert "Planned commit `v1x`" in titled
    drift = render_plan(plan, "markdown", RenderOptions(drift=True))
    assert drift.startswith(f"{DRIFT_MARKER}\n### mmrc drift\n")
    assert "**Drift detected: 2 objects differ from the workspace:**" in drift


def test_updates_use_bang_in_diff_fences(full_plan: Plan) -> None:
    output = render_plan(full_plan, "markdown")
    assert "! team.asd/channel.team-support (update in place)\n" in output
    assert '!     display_name: "Support" → "Team Support"\n' in output
    assert "! team.asd/channel.team-support (rename)\n" in output
    assert "- team.asd/channel.old-project (archive)\n" in output
    assert "+ team.asd/channel.project-alpha (create)\n" in output
    assert "~ " not in output
    assert "<details><summary>server-wide: 1 to create, 1 to update</summary>" in output
    check_markdown_structure(output, sections=4)  # 3 sections + the unmanaged list


@pytest.mark.parametrize("max_chars", [1_500, 4_000, 20_000, 65_000])
def test_huge_plan_stays_under_the_limit_and_says_what_is_missing(max_chars: int) -> None:
    plan = make_huge_plan()
    output = render_plan(plan, "markdown", RenderOptions(max_chars=max_chars))
    assert len(output) <= max_chars
    shown = HEADING.findall(output)
    assert shown == [c.address for c in plan.changes[: len(shown)]]  # whole changes, in order
    note = NOTE.search(output)
    assert note is not None
    assert int(note.group(1)) == len(plan.changes) - len(shown)
    assert "a huge plan" in output  # warnings survive truncation
    check_markdown_structure(output, sections=output.count("<details>"))
    if max_chars >= 4_000:
        assert shown  # something useful fits


def test_partial_section_says_how_many_of_it_are_shown() -> None:
    output = render_plan(make_huge_plan(), "markdown", RenderOptions(max_chars=20_000))
    partial = re.search(r"<summary>team <b>(t\d+)</b>: [^<]*\(first (\d+) of 100 shown\)", output)
    assert partial is not None
    shown_in_team = HEADING.findall(output.split(f"<b>{partial.group(1)}</b>")[1])
    assert len(shown_in_team) == int(partial.group(2))


def test_plan_that_fits_is_not_truncated(full_plan: Plan) -> None:
    output = render_plan(full_plan, "markdown")
    assert len(output) < 65_000
    assert NOTE.search(output) is None
    exact = render_plan(full_plan, "markdown", RenderOptions(max_chars=len(output)))
    assert exact == output
    smaller = render_plan(full_plan, "markdown", RenderOptions(max_chars=len(output) - 1))
    assert NOTE.search(smaller) is not None


def test_one_huge_value_is_clipped_not_the_whole_comment() -> None:
    plan = Plan(
        changes=(
            change("team.a/channel.b", Action.UPDATE, FieldChange("header", "", "x" * 50_000)),
            change("team.a/channel.c", Action.CREATE),
        )
    )
    output = render_plan(plan, "markdown", RenderOptions(max_chars=5_000))
    assert len(output) <= 5_000
    assert HEADING.findall(output) == ["team.a/channel.b", "team.a/channel.c"]
    assert "…" in output
    assert NOTE.search(output) is None


def test_absurdly_small_limit_is_still_honoured() -> None:
    output = render_plan(make_huge_plan(), "markdown", RenderOptions(max_chars=100))
    assert len(output) <= 100
    assert output.startswith(PLAN_MARKER)


def test_unmanaged_count_and_warnings(full_plan: Plan) -> None:
    output = render_plan(full_plan, "markdown")
    assert "<details><summary>Unmanaged (left alone): 7 objects</summary>\n\n" in output
    assert "- team.asd/channel.legacy-0\n" in output and "- team.asd/channel.legacy-6\n" in output
    assert "> - guest accounts are disabled on the server; guests: lists are ignored\n" in output


def test_a_replace_shows_old_and_new_values() -> None:
    plan = Plan(
        changes=(
            change(
                "team.ops/command.deploy",
                Action.REPLACE,
                FieldChange("trigger", "deploy", "ship"),
                kind="command",
                notes=("the trigger is the key",),
                team="ops",
                before={"trigger": "deploy", "url": "http://a"},
                after={"trigger": "ship", "url": "http://a"},
            ),
        )
    )
    output = render_plan(plan, "markdown")
    assert (
        "- team.ops/command.deploy (replace)\n"
        '-     trigger: "deploy"\n'
        '+     trigger: "ship"\n'
        "!     # the trigger is the key\n"
    ) in output
    assert (
        "**Plan:** `+` 0 to create · `!` 0 to update · `!` 0 to rename · `-` 0 to archive · `-` 1 to replace"
        in output
    )


def test_unmanaged_list_is_capped_and_escaped() -> None:
    unmanaged = tuple(f"team.asd/channel.old_{i}" for i in range(60))
    output = render_plan(Plan(unmanaged=unmanaged), "markdown")
    assert "<summary>Unmanaged (left alone): 60 objects</summary>" in output
    assert "- team.asd/channel.old\\_49\n" in output
    assert "old\\_50" not in output
    assert "- … and 10 more\n" in output


def test_a_plan_the_guards_refuse_says_so() -> None:
    plan = make_huge_plan(teams=1, per_team=1)
    reasons = ("team.asd/channel.dev: makes a public channel private (its history is hidden)",)
    output = render_plan(plan, "markdown", RenderOptions(refusals=reasons))
    assert (
        "> [!CAUTION]\n"
        "> **Apply will refuse this plan**: the safety guards stop it; --allow-destructive "
        "overrides them if this is intended.\n"
        "> - team.asd/channel.dev: makes a public channel private (its history is hidden)\n"
    ) in output
    assert output.index("[!CAUTION]") < output.index("<details>")
    assert "CAUTION" not in render_plan(plan, "markdown")
