"""Hand-built plans shared by the renderer tests (the fixtures in conftest.py wrap them)."""

from __future__ import annotations

from reconciler.plan import SENSITIVE, Action, FieldChange, Plan, ResourceChange

CANARY = "CANARY-s3cr3t-9f2c"


def change(
    address: str,
    action: Action,
    *fields: FieldChange,
    team: str | None = None,
    kind: str = "channel",
    notes: tuple[str, ...] = (),
    before: dict[str, object] | None = None,
    after: dict[str, object] | None = None,
) -> ResourceChange:
    return ResourceChange(
        address=address,
        kind=kind,
        action=action,
        before=before,
        after=after,
        fields=fields,
        notes=notes,
        team=team,
    )


def empty_plan() -> Plan:
    return Plan(server={"url": "http://localhost:8065", "version": "10.5.0"})


def full_plan() -> Plan:
    """Every action across two teams, a server-wide settings change with a secret."""
    asd = "team.asd"
    ops = "team.ops"
    return Plan(
        changes=(
            change(
                f"{asd}/channel.project-alpha",
                Action.CREATE,
                FieldChange("display_name", None, "Project Alpha"),
                FieldChange("visibility", None, "private"),
                team="asd",
                after={"name": "project-alpha", "display_name": "Project Alpha"},
            ),
            change(
                f"{asd}/channel.team-support",
                Action.UPDATE,
                FieldChange("display_name", "Support", "Team Support"),
                FieldChange("visibility", "public", "private"),
                team="asd",
                notes=("visibility changes through the privacy endpoint",),
            ),
            change(
                f"{asd}/channel.team-support",
                Action.RENAME,
                FieldChange("name", "support", "team-support"),
                team="asd",
            ),
            change(f"{asd}/channel.old-project", Action.ARCHIVE, team="asd"),
            change(f"{asd}/channel.returning", Action.RESTORE, team="asd"),
            change(f"{asd}/member.mallory", Action.REMOVE, team="asd", kind="member"),
            change(
                f"{ops}/outgoing_webhook.n8n ticket trigger",
                Action.DISABLE,
                team="ops",
                kind="outgoing_webhook",
            ),
            change(f"{ops}/command.reply", Action.ENABLE, team="ops", kind="command"),
            change(
                f"{ops}/command.deploy",
                Action.REPLACE,
                FieldChange("trigger", "deploy", "ship"),
                FieldChange("autocomplete_hint", "[env]", "[env] [version]"),
                team="ops",
                kind="command",
                notes=("the trigger is the key; the command is deleted and created again",),
            ),
            change(
                "bot.n8n-bot",
                Action.CREATE,
                FieldChange("display_name", None, "n8n"),
                kind="bot",
            ),
            change(
                "settings.sso.gitlab",
                Action.UPDATE,
                FieldChange("enable", False, True),
                FieldChange("secret", CANARY, CANARY + "-new", sensitive=True),
                FieldChange("restrict_domains", [], ["partner.example", "asd-pma.nl"]),
                kind="settings",
                before={"enable": False, "secret": CANARY},
                after={"enable": True, "secret": SENSITIVE},
            ),
        ),
        warnings=(
            "guest accounts are disabled on the server; guests: lists are ignored",
            "team ops: members are not managed (no members: key)",
        ),
        unmanaged=tuple(f"team.asd/channel.legacy-{n}" for n in range(7)),
        server={"url": "http://localhost:8065", "version": "10.5.0"},
        workspace={"file": "workspace.yaml", "sha256": "0" * 64},
    )


def drift_plan() -> Plan:
    return Plan(
        changes=(
            change(
                "team.asd/channel.team-support",
                Action.UPDATE,
                FieldChange("display_name", "Support (temp)", "Team Support"),
                FieldChange("purpose", "", "Ask us anything"),
                team="asd",
            ),
            change(
                "team.asd/channel.project-alpha",
                Action.CREATE,
                FieldChange("display_name", None, "Project Alpha"),
                team="asd",
            ),
            change("team.asd/channel.scratch", Action.ARCHIVE, team="asd"),
            change(
                "settings.sso.gitlab",
                Action.UPDATE,
                FieldChange("secret", CANARY, SENSITIVE, sensitive=True),
                kind="settings",
            ),
        ),
        unmanaged=("team.asd/channel.random",),
    )


def make_huge_plan(teams: int = 30, per_team: int = 100) -> Plan:
    changes = []
    for t in range(teams):
        for c in range(per_team):
            changes.append(
                change(
                    f"team.t{t:02d}/channel.project-{c:03d}",
                    (Action.CREATE, Action.UPDATE, Action.ARCHIVE)[c % 3],
                    FieldChange("display_name", f"Project {c}", f"Project {c} (t{t})"),
                    team=f"t{t:02d}",
                )
            )
    return Plan(changes=tuple(changes), warnings=("a huge plan",))
