"""The words and value forms the human renderers share, so text and markdown
say the same thing about the same plan.

Nothing here decides anything about the plan: it names actions, formats values
(JSON literals, so `"Support"`, `true`, `["a", "b"]`), phrases the counts the
plan already computed, and neutralises control characters in user-controlled
strings (ANSI escapes, newlines, bidi overrides) so they cannot forge output.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable, Mapping

from reconciler.plan import SENSITIVE, Action, FieldChange, JSONValue, Plan, ResourceChange
from reconciler.render.redact import is_sensitive

Painter = Callable[[str, str], str]  # (ANSI code, text) → text; identity without colour

ACTION_LABELS: dict[Action, str] = {
    Action.CREATE: "create",
    Action.UPDATE: "update in place",
    Action.RENAME: "rename",
    Action.RESTORE: "restore",
    Action.ARCHIVE: "archive",
    Action.REMOVE: "remove",
    Action.DISABLE: "disable",
    Action.ENABLE: "enable",
    Action.REPLACE: "replace",
}

DRIFT_LABELS: dict[Action, str] = {
    Action.CREATE: "missing on the server",
    Action.UPDATE: "differs",
    Action.RENAME: "has another name on the server",
    Action.RESTORE: "archived on the server",
    Action.ARCHIVE: "active on the server, archived in the workspace",
    Action.REMOVE: "on the server, not in the workspace",
    Action.DISABLE: "enabled on the server, disabled in the workspace",
    Action.ENABLE: "disabled on the server, enabled in the workspace",
    Action.REPLACE: "differs in a field that cannot change in place",
}

# Shown in every summary line even when zero (what a reviewer looks for); others only when
# they occur.
ALWAYS_COUNTED = (Action.CREATE, Action.UPDATE, Action.RENAME, Action.ARCHIVE, Action.REPLACE)
DRIFT_ALWAYS_COUNTED = (Action.CREATE, Action.UPDATE, Action.ARCHIVE)

NO_CHANGES = "No changes. The server matches the workspace."
NO_DRIFT = "No drift. The server matches the workspace."
UNMANAGED_TITLE = "Unmanaged (left alone)"
REFUSED_TITLE = "Apply will refuse this plan"
REFUSED_HOW = "the safety guards stop it; --allow-destructive overrides them if this is intended"


def clean(text: str) -> str:
    """`text` with control, format and line-separator characters escaped."""
    if text.isprintable():
        return text
    return "".join(_escape(ch) for ch in text)


def _escape(ch: str) -> str:
    if unicodedata.category(ch) not in ("Cc", "Cf", "Zl", "Zp"):
        return ch
    if ch == "\n":
        return "\\n"
    if ch == "\t":
        return "\\t"
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def value(data: JSONValue) -> str:
    if data == SENSITIVE:
        return SENSITIVE
    return clean(json.dumps(data, ensure_ascii=False, default=str))


def label(action: Action, drift: bool) -> str:
    return (DRIFT_LABELS if drift else ACTION_LABELS)[action]


def heading(change: ResourceChange, drift: bool) -> str:
    """`team.asd/channel.dev (update in place)`, without the glyph."""
    return f"{clean(change.address)} ({label(change.action, drift)})"


def field_line(fc: FieldChange, action: Action, drift: bool) -> str:
    name = clean(fc.field)
    if is_sensitive(fc):
        return f"{name}: {SENSITIVE}"
    if drift:
        if action is Action.CREATE:
            return f"{name}: declared {value(fc.after)}"
        return f"{name}: live {value(fc.before)}, declared {value(fc.after)}"
    if action is Action.CREATE:
        return f"{name}: {value(fc.after)}"
    return f"{name}: {value(fc.before)} → {value(fc.after)}"


def field_sides(fc: FieldChange) -> tuple[str, str]:
    """A replaced field as its old and its new line (`name: old`, `name: new`)."""
    name = clean(fc.field)
    if is_sensitive(fc):
        return f"{name}: {SENSITIVE}", f"{name}: {SENSITIVE}"
    return f"{name}: {value(fc.before)}", f"{name}: {value(fc.after)}"


def detail_lines(change: ResourceChange, drift: bool) -> list[str]:
    """The field lines, then the notes as `# note`, for one change."""
    lines = [field_line(fc, change.action, drift) for fc in change.fields]
    lines += [f"# {clean(note)}" for note in change.notes]
    return lines


def counts_phrase(counts: Mapping[str, int], always: tuple[Action, ...] = ALWAYS_COUNTED) -> str:
    """`3 to create, 2 to update, 1 to rename, 0 to archive` in `Action` order."""
    return ", ".join(
        f"{counts.get(action.value, 0)} to {action.value}"
        for action in Action
        if counts.get(action.value, 0) or action in always
    )


def objects(count: int) -> str:
    return f"{count} object{'' if count == 1 else 's'}"


def drift_headline(plan: Plan) -> str:
    count = len(plan.changes)
    verb = "differs" if count == 1 else "differ"
    return f"Drift detected: {objects(count)} {verb} from the workspace"


def team_title(team: str | None) -> str:
    return "Server-wide" if team is None else f"Team {clean(team)}"


def by_team(plan: Plan) -> list[tuple[str | None, tuple[ResourceChange, ...]]]:
    """The changes grouped by team, teams in first-appearance order."""
    groups: dict[str | None, list[ResourceChange]] = {team: [] for team in plan.teams()}
    for change in plan.changes:
        groups[change.team].append(change)
    return [(team, tuple(changes)) for team, changes in groups.items()]
