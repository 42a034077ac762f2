"""Secrets never leak, colour only on request, user strings cannot forge output."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from render_samples import CANARY, change, make_huge_plan

from reconciler.plan import SENSITIVE, Action, FieldChange, Plan
from reconciler.render import RENDERERS, RenderOptions, render_plan
from reconciler.render.markdown import PLAN_MARKER
from reconciler.render.redact import redact_plan

ALL_OPTIONS = [
    RenderOptions(color=color, drift=drift, max_chars=max_chars)
    for color in (False, True)
    for drift in (False, True)
    for max_chars in (65_000, 3_000)
]


def canary_plan() -> Plan:
    return Plan(
        changes=(
            change(
                "settings.sso.gitlab",
                Action.UPDATE,
                FieldChange("secret", CANARY, CANARY, sensitive=True),
                FieldChange("sso.openid.secret", None, CANARY, sensitive=True),
                kind="settings",
                before={"secret": CANARY, "sso": {"openid": {"secret": None}}},
                after={"secret": CANARY, "sso": {"openid": {"secret": CANARY}}},
            ),
            change(
                "settings.sso.google",
                Action.CREATE,
                FieldChange("secret", None, CANARY, sensitive=True),
                kind="settings",
                after={"secret": CANARY, "id": "client-id"},
            ),
            *make_huge_plan(teams=3, per_team=40).changes,
        )
    )


@pytest.mark.parametrize("options", ALL_OPTIONS)
@pytest.mark.parametrize("fmt", sorted(RENDERERS))
def test_canary_secret_never_rendered(fmt: str, options: RenderOptions) -> None:
    output = render_plan(canary_plan(), fmt, options)
    assert CANARY not in output
    assert SENSITIVE in output


def test_redaction_keeps_structure_and_none() -> None:
    redacted = redact_plan(canary_plan()).changes[0]
    assert redacted.before == {"secret": SENSITIVE, "sso": {"openid": {"secret": None}}}
    assert redacted.after == {"secret": SENSITIVE, "sso": {"openid": {"secret": SENSITIVE}}}
    assert [(f.before, f.after) for f in redacted.fields] == [
        (SENSITIVE, SENSITIVE),
        (None, SENSITIVE),
    ]


def test_value_equal_to_sensitive_renders_as_sensitive_only() -> None:
    plan = Plan(changes=(change("bot.x", Action.UPDATE, FieldChange("token", SENSITIVE, "new")),))
    assert "token: (sensitive)\n" in render_plan(plan, "text")
    assert '"new"' not in render_plan(plan, "text")


ESC_PLAN = Plan(
    changes=(
        change(
            "team.asd/channel.\x1b[31mred",
            Action.UPDATE,
            FieldChange("header", "\x1b[2J", "ok\x1b]0;pwned\x07"),
            team="asd\x1b[0m",
            notes=("note \x1b[1mbold\u202etxt.exe",),
        ),
    ),
    warnings=("warn \x1b[5m",),
    unmanaged=("team.asd/channel.\x1b[7m",),
)


@pytest.mark.parametrize("fmt", sorted(RENDERERS))
def test_no_ansi_without_colour_even_from_user_strings(fmt: str) -> None:
    for plan in (ESC_PLAN, make_huge_plan(teams=2, per_team=5)):
        for drift in (False, True):
            output = render_plan(plan, fmt, RenderOptions(color=False, drift=drift))
            assert "\x1b" not in output
            assert "\u202e" not in output


def test_colour_only_on_request() -> None:
    coloured = render_plan(make_huge_plan(teams=1, per_team=3), "text", RenderOptions(color=True))
    assert "\x1b[32m" in coloured and "\x1b[31m" in coloured and "\x1b[33m" in coloured
    escaped = render_plan(ESC_PLAN, "text", RenderOptions(color=True))
    # our own codes are present; the user's are still escaped
    assert "\x1b[31mred" not in escaped and "\\x1b[31mred" in escaped


# -- markdown cannot be broken out of --------------------------------------------

KNOWN_TAGS = re.compile(r"</?(details|summary|b)>|<!-- mmrc-(plan|drift) -->")
DIFF_LINE = re.compile(r"[+!-] ")


def check_markdown_structure(output: str, sections: int) -> None:
    assert output.startswith(PLAN_MARKER + "\n") or output.startswith("<!-- mmrc-drift -->\n")
    fence: str | None = None
    outside_lines: list[str] = []
    for line in output.splitlines():
        if fence is None:
            outside_lines.append(line)
            opening = re.fullmatch(r"(`{3,})diff", line)
            if opening:
                fence = opening.group(1)
                continue
            assert "```" not in line
            outside = KNOWN_TAGS.sub("", line)
            # every other "<" is escaped: "\<" in markdown text, "&lt;" in HTML
            assert re.search(r"(?<!\\)<", outside) is None, line
        elif line == fence:
            fence = None
        else:
            assert DIFF_LINE.match(line), line
            assert "`" * len(fence) not in line
    assert fence is None
    # inside fences everything is literal; outside, only our own tags are real
    outside = "\n".join(outside_lines)
    assert outside.count("<details>") == outside.count("</details>") == sections
    assert outside.count("<summary>") == outside.count("</summary>") == sections


def test_markdown_escapes_hostile_strings() -> None:
    nasty = "</details></summary><script>x</script> ``` **bold** [link](http://x) | a |"
    plan = Plan(
        changes=(
            change(
                f"team.{nasty}/channel.x",
                Action.UPDATE,
                FieldChange("purpose", "```\n</details>", nasty),
                team=nasty,
                notes=(nasty, "line one\nline two"),
            ),
        ),
        warnings=(nasty, "`tick` and \n```\n"),
    )
    output = render_plan(plan, "markdown")
    check_markdown_structure(output, sections=1)
    assert "team <b>&lt;/details&gt;&lt;/summary&gt;&lt;script&gt;" in output
    assert r"> - \</details\>\</summary\>\<script\>x\</script\> \`\`\` \*\*bold\*\*" in output
    assert "````diff" in output  # longer than the ``` runs inside


hostile = st.text(st.characters(codec="utf-8"), max_size=40)


@settings(max_examples=150, deadline=None)
@given(
    teams=st.lists(hostile, min_size=1, max_size=3, unique=True),
    value=hostile,
    note=hostile,
    warning=hostile,
    field=hostile,
    drift=st.booleans(),
)
def test_markdown_structure_survives_any_text(
    teams: list[str], value: str, note: str, warning: str, field: str, drift: bool
) -> None:
    changes = tuple(
        change(
            f"team.{team}/channel.{value}",
            action,
            FieldChange(field, value, note),
            team=team,
            notes=(note,),
        )
        for team in teams
        for action in (Action.CREATE, Action.UPDATE, Action.REMOVE)
    )
    plan = Plan(changes=changes, warnings=(warning,))
    check_markdown_structure(
        render_plan(plan, "markdown", RenderOptions(drift=drift)), sections=len(teams)
    )
