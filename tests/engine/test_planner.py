"""The planner's own ordering: kind order, file order within a kind, and nothing that depends
on the order (or the random ids) in which the server lists things."""

from __future__ import annotations

from collections.abc import Callable

from live_sandbox import LiveSandbox

from reconciler.client import Client
from reconciler.engine.planner import make_plan, order_changes
from reconciler.plan import Action, ResourceChange
from reconciler.workspace import load_workspace


def rc(address: str, action: Action, order: int) -> ResourceChange:
    return ResourceChange(address, "k", action, order=order)


def test_forward_changes_keep_kind_then_file_order_and_backward_ones_reverse_by_kind() -> None:
    changes = [
        rc("c.new", Action.CREATE, 2),
        rc("a.zz", Action.CREATE, 0),
        rc("a.aa", Action.UPDATE, 0),
        rc("b.gone-z", Action.ARCHIVE, 1),
        rc("c.gone", Action.REMOVE, 2),
        rc("b.gone-a", Action.ARCHIVE, 1),
        rc("b.moved", Action.RENAME, 1),
    ]
    assert [c.address for c in order_changes(changes)] == [
        "a.zz",  # file order within a kind
        "a.aa",
        "b.moved",
        "c.new",
        "c.gone",  # removals: later kinds first ...
        "b.gone-a",  # ... and by address within a kind (they come from server listings)
        "b.gone-z",
    ]


SETUP = """\
version: 1
policy: {classes: {}}
teams:
  - name: alpha
    display_name: Alpha
    members: [ann, bob, cid]
    channels:
      - {name: a-chan, display_name: Zulu, members: [ann, bob, cid]}
      - {name: b-chan, display_name: Alpha}
      - {name: c-chan, display_name: Mike}
      - {name: keep1, display_name: Keep 1}
      - {name: keep2, display_name: Keep 2}
      - {name: keep3, display_name: Keep 3}
      - {name: keep4, display_name: Keep 4}
      - {name: keep5, display_name: Keep 5}
      - {name: keep6, display_name: Keep 6}
      - {name: keep7, display_name: Keep 7}
      - {name: keep8, display_name: Keep 8}
"""
LATER = """\
version: 1
policy: {classes: {}}
teams:
  - name: alpha
    display_name: Alpha
    members: [ann]
    prune: {channels: %(prune)s, members: %(prune)s}
    channels:
      - {name: a-chan, display_name: Zulu, members: [ann]}
%(keep)s
"""


def test_removals_and_unmanaged_objects_come_sorted_whatever_the_server_order(
    start_sandbox: Callable[..., LiveSandbox],
) -> None:
    # the server lists channels by display name (Alpha, Mike, Zulu) and members by id
    live = start_sandbox("empty")
    for name in ("ann", "bob", "cid"):
        live.user(name)
    assert live.mmrc("apply", "-f", str(live.workspace(SETUP)), "--auto-approve").exit_code == 0
    keep = "".join(f"      - {{name: keep{i}, display_name: Keep {i}}}\n" for i in range(1, 9))
    with Client(live.url, live.token) as client:
        for prune in ("false", "true"):
            path = live.workspace(LATER % {"prune": prune, "keep": keep}, f"later-{prune}.yaml")
            plan = make_plan(load_workspace(path), client).plan
            if prune == "false":
                assert list(plan.unmanaged) == sorted(plan.unmanaged)
                assert "team.alpha/channel.b-chan" in plan.unmanaged
                assert "team.alpha/member.bob" in plan.unmanaged
            else:
                assert plan.unmanaged == (  # default channels are never pruned
                    "team.alpha/channel.off-topic",
                    "team.alpha/channel.town-square",
                )
                removals = [c for c in plan.changes if c.action.destructive]
                assert [(c.kind, c.address) for c in removals] == [
                    ("channel_member", "team.alpha/channel.a-chan/member.bob"),
                    ("channel_member", "team.alpha/channel.a-chan/member.cid"),
                    ("channel", "team.alpha/channel.b-chan"),
                    ("channel", "team.alpha/channel.c-chan"),
                    ("team_member", "team.alpha/member.bob"),
                    ("team_member", "team.alpha/member.cid"),
                ]
