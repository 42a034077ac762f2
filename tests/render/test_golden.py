"""All three formats pinned for hand-built plans (UPDATE_GOLDEN=1 regenerates)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from reconciler.plan import Plan
from reconciler.render import RENDERERS, RenderOptions, render_plan

EXTENSIONS = {"text": "txt", "markdown": "md", "json": "json"}
Golden = Callable[[str, str], None]


@pytest.mark.parametrize("fmt", sorted(RENDERERS))
@pytest.mark.parametrize("name", ["empty", "full"])
def test_plan_golden(name: str, fmt: str, request: pytest.FixtureRequest, golden: Golden) -> None:
    plan: Plan = request.getfixturevalue(f"{name}_plan")
    options = RenderOptions(commit="0123456789abcdef0123456789abcdef01234567")
    golden(f"{name}.{EXTENSIONS[fmt]}", render_plan(plan, fmt, options))


@pytest.mark.parametrize("fmt", sorted(RENDERERS))
def test_drift_golden(fmt: str, drift_plan: Plan, golden: Golden) -> None:
    options = RenderOptions(drift=True, title="Nightly drift check")
    golden(f"drift.{EXTENSIONS[fmt]}", render_plan(drift_plan, fmt, options))


def test_colour_golden(full_plan: Plan, golden: Golden) -> None:
    golden("full.color.txt", render_plan(full_plan, "text", RenderOptions(color=True)))


def test_huge_markdown_golden(huge_plan: Plan, golden: Golden) -> None:
    # The text and JSON of 3,000 changes are too big to pin; their properties are
    # tested in test_consistency.py and test_markdown.py.
    golden("huge.md", render_plan(huge_plan, "markdown", RenderOptions(max_chars=20_000)))


def test_empty_plan_says_so(empty_plan: Plan) -> None:
    assert render_plan(empty_plan, "text").endswith(
        "No changes. The server matches the workspace.\n"
    )
    assert "No changes." in render_plan(empty_plan, "markdown")
    assert render_plan(empty_plan, "text", RenderOptions(drift=True)) == (
        "No drift. The server matches the workspace.\n"
    )


def test_summary_shows_non_zero_and_always_counted(full_plan: Plan) -> None:
    last = render_plan(full_plan, "text").splitlines()[-1]
    assert last == (
        "Plan: 2 to create, 2 to update, 1 to rename, 1 to restore, 1 to archive, "
        "1 to remove, 1 to disable, 1 to enable, 1 to replace."
    )
    only_updates = Plan(changes=full_plan.changes[1:2])
    assert render_plan(only_updates, "text").splitlines()[-1] == (
        "Plan: 0 to create, 1 to update, 0 to rename, 0 to archive, 0 to replace."
    )


def test_unknown_format_is_refused(empty_plan: Plan) -> None:
    assert list(RENDERERS) == ["text", "markdown", "json"]
    with pytest.raises(ValueError, match="choose one of text, markdown, json"):
        render_plan(empty_plan, "yaml")
