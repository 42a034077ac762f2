"""The Terraform-like terminal view of a plan (or of drift).

    Team asd:
      + team.asd/channel.project-alpha (create)
      ~ team.asd/channel.team-support (update in place)
          display_name: "Support" → "Team Support"

then warnings, the unmanaged objects, and one summary line. ANSI colour only
when `options.color` (the CLI decides from isatty and `NO_COLOR`); user strings
are escaped so they can never emit escape codes themselves.
"""

from __future__ import annotations

from reconciler.plan import Action, Plan
from reconciler.render import wording
from reconciler.render.options import RenderOptions
from reconciler.render.redact import redact_plan

UNMANAGED_SHOWN = 5

RESET = "\x1b[0m"
BOLD = "\x1b[1m"
GREEN = "\x1b[32m"
YELLOW = "\x1b[33m"
RED = "\x1b[31m"
CYAN = "\x1b[36m"

ACTION_COLORS = {
    Action.CREATE: GREEN,
    Action.RESTORE: GREEN,
    Action.ENABLE: GREEN,
    Action.UPDATE: YELLOW,
    Action.RENAME: CYAN,
    Action.ARCHIVE: RED,
    Action.REMOVE: RED,
    Action.DISABLE: RED,
    Action.REPLACE: RED,
}


def render_text(plan: Plan, options: RenderOptions) -> str:
    plan = redact_plan(plan)
    drift = options.drift
    paint = painter(options.color)

    lines: list[str] = []
    if plan.changes:
        lines.append(
            wording.drift_headline(plan) + "."
            if drift
            else "mmrc will perform the following actions:"
        )
    for team, changes in wording.by_team(plan):
        lines += ["", paint(BOLD, f"{wording.team_title(team)}:")]
        for change in changes:
            glyph = paint(ACTION_COLORS[change.action], f"{change.action.glyph:>3}")
            lines.append(f"{glyph} {wording.heading(change, drift)}")
            lines += [f"      {line}" for line in wording.detail_lines(change, drift)]

    for warning in plan.warnings:
        lines += ["", f"{paint(BOLD + YELLOW, 'Warning:')} {wording.clean(warning)}"]

    if plan.unmanaged:
        lines += ["", f"{wording.UNMANAGED_TITLE}: {wording.objects(len(plan.unmanaged))}"]
        lines += [f"  {wording.clean(a)}" for a in plan.unmanaged[:UNMANAGED_SHOWN]]
        if len(plan.unmanaged) > UNMANAGED_SHOWN:
            lines.append(f"  … and {len(plan.unmanaged) - UNMANAGED_SHOWN} more")

    lines += ["", _summary(plan, drift, paint)]
    if lines[0] == "":
        lines.pop(0)
    return "\n".join(lines) + "\n"


def painter(color: bool) -> wording.Painter:
    def paint(code: str, text: str) -> str:
        return f"{code}{text}{RESET}" if color else text

    return paint


def _summary(plan: Plan, drift: bool, paint: wording.Painter) -> str:
    if plan.is_empty:
        return paint(BOLD + GREEN, wording.NO_DRIFT if drift else wording.NO_CHANGES)
    if drift:
        counts = wording.counts_phrase(plan.counts(), wording.DRIFT_ALWAYS_COUNTED)
        return f"{paint(BOLD, 'Drift:')} {wording.objects(len(plan.changes))} drifted ({counts})."
    return f"{paint(BOLD, 'Plan:')} {wording.counts_phrase(plan.counts())}."
