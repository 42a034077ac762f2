"""Drift: how the server differs from the workspace, and who changed it.

Drift is the plan read the other way round: every change the plan would make
to an object the workspace declares is a difference made outside git (in the
System Console, with mmctl, …): an update (field by field, live vs declared),
an archive or restore, a removal, or a create of a declared object that is
gone. The plan is rendered with `RenderOptions(drift=True)`.

Attribution: when the token can read the audit log (`GET /api/v4/audits`, a
system admin's), the most recent entries (at most `AUDIT_LIMIT`, newest
first) are matched against each drifted object by its server ids in the
entry's `action` (the API path, e.g. `/api/v4/channels/<id>/patch`) or
`extra_info`. A match becomes a note ("changed by alice at … (audit log)"),
which every renderer shows, and an `attribution` object in the JSON. Ids in
the reported action are masked (`{id}`): an incoming webhook's id is its
credential.

Mattermost records only some writes (settled on the real server, docs/fidelity.md):
a drifted object without an entry gets a note that says so plainly, naming the
writes Mattermost keeps no record of when the change is of that kind.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from reconciler.errors import ApiError, ForbiddenError
from reconciler.kinds.lookup import load_usernames
from reconciler.plan import Plan, ResourceChange
from reconciler.render import RenderOptions, render_plan

if TYPE_CHECKING:
    from reconciler.client import Client
    from reconciler.engine.planner import Planned
    from reconciler.kinds.base import Observation

AUDIT_PATH = "/api/v4/audits"
# What Mattermost writes no audit row for (real server 11.1), by the kind of a drifted object.
UNRECORDED = {
    "settings": "a config patch (PUT /api/v4/config/patch, as mmctl makes it; the System "
    "Console's saves are recorded)",
    "team": "a team's privacy or a full update (only PUT /api/v4/teams/{id}/patch is recorded)",
    "bot": "changes to bots",
    "moderation": "channel moderation",
    "team_member": "team memberships",
}
AUDIT_PAGE = 200
AUDIT_LIMIT = 1000
_ID = r"[a-z0-9]{26}"
_ID_RE = re.compile(rf"(?<![a-z0-9]){_ID}(?![a-z0-9])")
UNREADABLE = (
    "attribution: the audit log is not readable with this token (GET /api/v4/audits needs "
    "a system admin); drift is shown without who changed it"
)


@dataclass(frozen=True, slots=True)
class Attribution:
    """Who changed a drifted object, and when, according to the audit log."""

    user_id: str
    username: str
    at: int  # milliseconds since the epoch (the entry's create_at)
    action: str  # the API path, ids masked

    @property
    def at_iso(self) -> str:
        return dt.datetime.fromtimestamp(self.at / 1000, tz=dt.UTC).isoformat(timespec="seconds")

    def to_dict(self) -> dict[str, str]:
        return {
            "user": self.user_id,
            "username": self.username,
            "at": self.at_iso,
            "action": self.action,
        }

    def note(self) -> str:
        return f"changed by {self.username} at {self.at_iso} (audit log)"


@dataclass(frozen=True)
class AuditRead:
    entries: tuple[Mapping[str, Any], ...] = ()
    available: bool = False
    reason: str = ""


@dataclass
class DriftReport:
    """The drift plan (attribution notes added) and what the audit log said."""

    plan: Plan
    attributions: dict[str, Attribution] = field(default_factory=dict)
    audit: AuditRead | None = None  # None: attribution not asked for

    @property
    def drifted(self) -> bool:
        return not self.plan.is_empty


def mask_ids(path: str) -> str:
    """`/api/v4/hooks/incoming/<26 chars>` → `/api/v4/hooks/incoming/{id}`."""
    return _ID_RE.sub("{id}", path)


def read_audits(client: Client, limit: int = AUDIT_LIMIT) -> AuditRead:
    """The newest `limit` audit entries, or why they cannot be read."""
    entries: list[Mapping[str, Any]] = []
    page = 0
    while len(entries) < limit:
        try:
            rows = client.get(AUDIT_PATH, {"page": page, "per_page": AUDIT_PAGE})
        except ForbiddenError:
            return AuditRead(available=False, reason=UNREADABLE)
        except ApiError as error:
            return AuditRead(
                available=False,
                reason=f"attribution: the audit log could not be read ({error.status or 'no answer'})",
            )
        rows = [r for r in rows or () if isinstance(r, Mapping)]
        entries.extend(rows)
        if len(rows) < AUDIT_PAGE:
            break
        page += 1
    return AuditRead(tuple(entries[:limit]), available=True)


def _ids(change: ResourceChange, observation: Observation) -> tuple[list[str], list[str]]:
    """(path regexes, ids) that identify `change`'s object in audit entries."""
    address = change.address
    live = observation.resolve(address)
    kind = change.kind
    if kind == "settings":
        return [r"^/api/v4/config(/patch)?$"], []
    if kind in ("channel_member", "team_member", "moderation"):
        parent_address = address.rsplit("/", 1)[0]
        parent = observation.resolve(parent_address)
        if parent is None:
            return [], []
        if kind == "moderation":
            return [rf"^/api/v4/channels/{parent.id}/moderations(/patch)?$"], []
        username = address.rsplit("/", 1)[1].split(".", 1)[1]
        user = observation.users.get(username) or {}
        user_id = str(user.get("id") or (live.id if live is not None else ""))
        if not user_id:
            return [], []
        base = "channels" if kind == "channel_member" else "teams"
        return [rf"^/api/v4/{base}/{parent.id}/members/{user_id}(/.*)?$"], []
    if live is None:
        return [], []
    object_id = re.escape(live.id)
    patterns = {
        "team": [rf"^/api/v4/teams/{object_id}(/(patch|privacy|restore))?$"],
        "channel": [
            rf"^/api/v4/channels/{object_id}(/(patch|privacy|restore|convert|convert_to_channel))?$"
        ],
        "incoming_webhook": [rf"^/api/v4/hooks/incoming/{object_id}(/.*)?$"],
        "outgoing_webhook": [rf"^/api/v4/hooks/outgoing/{object_id}(/.*)?$"],
        "command": [rf"^/api/v4/commands/{object_id}(/.*)?$"],
        "bot": [rf"^/api/v4/bots/{object_id}(/.*)?$", rf"^/api/v4/users/{object_id}(/.*)?$"],
    }.get(kind, [rf"/{object_id}(/|$)"])
    return patterns, [live.id]


def attribute(
    plan: Plan, observation: Observation, entries: Sequence[Mapping[str, Any]]
) -> dict[str, tuple[str, int, str]]:
    """address → (user id, create_at, action) of the newest entry about each drifted object."""
    found: dict[str, tuple[str, int, str]] = {}
    for change in plan.changes:
        patterns, ids = _ids(change, observation)
        compiled = [re.compile(p) for p in patterns]
        for entry in entries:  # newest first
            action = str(entry.get("action") or "")
            extra = str(entry.get("extra_info") or "")
            if any(p.search(action) for p in compiled) or any(i and i in extra for i in ids):
                found[change.address] = (
                    str(entry.get("user_id") or ""),
                    int(entry.get("create_at") or 0),
                    mask_ids(action),
                )
                break
    return found


def drift_report(planned: Planned, client: Client, *, attribution: bool = True) -> DriftReport:
    """The drift in `planned`, with audit-log attribution when asked for and readable."""
    plan = planned.plan
    if not attribution or plan.is_empty:
        return DriftReport(plan)
    audit = read_audits(client)
    if not audit.available:
        return DriftReport(replace(plan, warnings=(*plan.warnings, audit.reason)), audit=audit)
    observation = planned.observation
    matches = attribute(plan, observation, audit.entries)
    load_usernames(client, observation, [user for user, _, _ in matches.values() if user])
    attributions = {
        address: Attribution(user, observation.username_of(user) if user else "", at, action)
        for address, (user, at, action) in matches.items()
    }
    changes = tuple(
        replace(c, notes=(*c.notes, attributions[c.address].note()))
        if c.address in attributions
        else replace(c, notes=(*c.notes, unattributed_note(c, len(audit.entries))))
        for c in plan.changes
    )
    return DriftReport(replace(plan, changes=changes), attributions, audit)


def unattributed_note(change: ResourceChange, entries: int) -> str:
    """Why nobody is named for `change`: Mattermost keeps no record of such writes, or none
    of the newest `entries` audit entries is about it."""
    unrecorded = UNRECORDED.get(change.kind)
    if unrecorded is None and change.kind == "incoming_webhook" and change.action.value == "create":
        unrecorded = "an incoming webhook's deletion"
    if unrecorded is not None:
        return f"not attributable: Mattermost records no audit entry for {unrecorded}"
    return f"not attributed: no entry about it among the newest {entries} audit entries"


def render_drift(report: DriftReport, fmt: str, options: RenderOptions | None = None) -> str:
    """text / markdown: the drift view of the plan; json: the plan JSON plus, per change,
    `attribution` (or null) and `live`/`declared` per field, and a `drift` summary."""
    options = replace(options or RenderOptions(), drift=True)
    rendered = render_plan(report.plan, fmt, options)
    if fmt != "json":
        return rendered
    data = json.loads(rendered)
    for change in data.get("changes", []):
        found = report.attributions.get(change["address"])
        change["attribution"] = found.to_dict() if found is not None else None
        for item in change.get("fields", []):
            item["live"] = item.get("before")
            item["declared"] = item.get("after")
    audit = report.audit
    data["drift"] = {
        "detected": report.drifted,
        "objects": len(report.plan.changes),
        "attribution": {
            "checked": audit is not None,
            "available": bool(audit and audit.available),
            "entries_read": len(audit.entries) if audit else 0,
            "reason": audit.reason if audit else "",
        },
    }
    return json.dumps(data, indent=2) + "\n"
