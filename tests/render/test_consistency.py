"""The human views say what the JSON says: same addresses, same counts."""

from __future__ import annotations

import json
import re

import pytest
from render_samples import drift_plan, full_plan, make_huge_plan

from reconciler.plan import FORMAT_VERSION, Action, Plan
from reconciler.render import RenderOptions, render_plan

PLANS = {
    "full": full_plan(),
    "drift": drift_plan(),
    "huge": make_huge_plan(teams=10, per_team=30),
}


@pytest.mark.parametrize("drift", [False, True])
@pytest.mark.parametrize("name", sorted(PLANS))
def test_every_json_address_is_in_text_and_markdown(name: str, drift: bool) -> None:
    plan = PLANS[name]
    data = json.loads(render_plan(plan, "json"))
    options = RenderOptions(drift=drift)
    text = render_plan(plan, "text", options)
    markdown = render_plan(plan, "markdown", options)
    for entry in data["changes"]:
        action = Action(entry["action"])
        assert f"{action.glyph:>3} {entry['address']} (" in text
        assert f" {entry['address']} (" in markdown
        for field in entry["changed_fields"]:
            assert f"      {field}: " in text


@pytest.mark.parametrize("name", sorted(PLANS))
def test_text_summary_matches_json_summary(name: str) -> None:
    plan = PLANS[name]
    summary = json.loads(render_plan(plan, "json"))["summary"]
    last = render_plan(plan, "text").splitlines()[-1]
    counted = {action: int(n) for n, action in re.findall(r"(\d+) to (\w+)", last)}
    assert counted == {k: v for k, v in summary.items() if k in counted}
    assert all(summary[a.value] == 0 for a in Action if a.value not in counted)
    assert {"create", "update", "archive"} <= counted.keys()


def test_json_contract(full_plan: Plan) -> None:
    data = json.loads(render_plan(full_plan, "json"))
    assert data["format_version"] == FORMAT_VERSION
    assert data["summary"]["unmanaged"] == 7
    assert data["warnings"] == list(full_plan.warnings)
    first = data["changes"][0]
    assert {"address", "kind", "action", "before", "after", "changed_fields"} <= first.keys()
    assert Plan.from_dict(data).changes[1] == full_plan.changes[1]
    assert render_plan(full_plan, "json").endswith("}\n")


def test_drift_wording() -> None:
    text = render_plan(drift_plan(), "text", RenderOptions(drift=True))
    assert text.startswith("Drift detected: 4 objects differ from the workspace.\n")
    assert 'display_name: live "Support (temp)", declared "Team Support"' in text
    assert 'display_name: declared "Project Alpha"' in text
    assert (
        text.splitlines()[-1]
        == "Drift: 4 objects drifted (1 to create, 2 to update, 1 to archive)."
    )
    markdown = render_plan(drift_plan(), "markdown", RenderOptions(drift=True))
    assert '!     purpose: live "", declared "Ask us anything"' in markdown
