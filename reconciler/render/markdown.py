"""The plan as a GitHub PR comment (or a drift issue body).

Layout: a hidden marker line (workflows find and edit the same comment), a
title, the commit, a summary line, what the safety guards will refuse (a
caution block), then one collapsible `<details>` section per team (server-wide
changes in their own) holding a ```diff block, then warnings as a blockquote
list and the unmanaged objects (listed in a collapsed section). In diff fences
`+` is green, `-` red and `!` (updates and renames) orange on GitHub; a
replace shows each field's old value as a `-` line and its new value as a `+`
line, so a reviewer sees both.

Two promises: the comment stays under `options.max_chars` (GitHub refuses
comments over 65,536 characters) by dropping whole changes from the end and
saying how many were left out; and user-controlled strings cannot break out of
their place (HTML-escaped in `<summary>`, markdown-escaped in text, fences
longer than any backtick run they enclose, control characters escaped).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from reconciler.plan import Action, Plan, ResourceChange
from reconciler.render import wording
from reconciler.render.options import RenderOptions
from reconciler.render.redact import redact_plan

PLAN_MARKER = "<!-- mmrc-plan -->"
DRIFT_MARKER = "<!-- mmrc-drift -->"
MAX_LINE = 1000  # longer lines (huge values) are clipped; the JSON has them whole
WARNINGS_SHOWN = 50
UNMANAGED_SHOWN = 50

_DIFF_GLYPHS = {
    Action.CREATE: "+",
    Action.RESTORE: "+",
    Action.ENABLE: "+",
    Action.UPDATE: "!",
    Action.RENAME: "!",
    Action.ARCHIVE: "-",
    Action.REMOVE: "-",
    Action.DISABLE: "-",
    Action.REPLACE: "-",
}
_MD_SPECIAL = frozenset("\\`*_[]<>&|~#!")
_SHA = re.compile(r"[0-9a-f]{40}")


def render_markdown(plan: Plan, options: RenderOptions) -> str:
    plan = redact_plan(plan)
    head = _head(plan, options) + _refusals(options.refusals)
    tail = _tail(plan)
    sections = [_section(team, changes, options.drift) for team, changes in wording.by_team(plan)]
    document = _finish(head + "".join(section.render() for section in sections) + tail)
    if len(document) <= options.max_chars:
        return document
    return _truncated(head, sections, tail, len(plan.changes), options.max_chars)


def md_text(text: str) -> str:
    """`text` safe as inline markdown: control characters and markup escaped."""
    return "".join(f"\\{ch}" if ch in _MD_SPECIAL else ch for ch in wording.clean(text))


def html_text(text: str) -> str:
    """`text` safe inside an HTML element (backticks too, so nothing reads as a fence)."""
    return html.escape(wording.clean(text)).replace("`", "&#96;")


def truncation_note(hidden: int) -> str:
    noun = "change" if hidden == 1 else "changes"
    return f"… {hidden} more {noun} not shown; see the full plan (mmrc plan --format json)\n"


@dataclass(frozen=True, slots=True)
class _Section:
    summary: str  # HTML, already escaped
    blocks: tuple[str, ...]  # one per change, each ending in a newline
    fence: str

    def render(self, shown: int | None = None) -> str:
        count = len(self.blocks) if shown is None else shown
        summary = self.summary
        if count < len(self.blocks):
            summary += f" (first {count} of {len(self.blocks)} shown)"
        body = "".join(self.blocks[:count])
        return (
            f"<details><summary>{summary}</summary>\n\n"
            f"{self.fence}diff\n{body}{self.fence}\n\n</details>\n\n"
        )

    def fit(self, budget: int) -> int:
        """How many of this section's changes fit in `budget` characters."""
        used = len(self.render(0)) + len(f" (first {len(self.blocks)} of {len(self.blocks)} shown)")
        for shown, block in enumerate(self.blocks):
            used += len(block)
            if used > budget:
                return shown
        return len(self.blocks)


def _section(team: str | None, changes: tuple[ResourceChange, ...], drift: bool) -> _Section:
    where = "server-wide" if team is None else f"team <b>{html_text(team)}</b>"
    if drift:
        verb = "differs" if len(changes) == 1 else "differ"
        what = f"{wording.objects(len(changes))} {verb}"
    else:
        what = wording.counts_phrase(Plan(changes=changes).counts(), always=())
    blocks = tuple(_block(change, drift) for change in changes)
    longest = max((len(run) for run in re.findall("`+", "".join(blocks))), default=0)
    return _Section(f"{where}: {what}", blocks, "`" * max(3, longest + 1))


def _block(change: ResourceChange, drift: bool) -> str:
    glyph = _DIFF_GLYPHS[change.action]
    lines = [f"{glyph} {wording.heading(change, drift)}"]
    if change.action is Action.REPLACE and not drift:
        for fc in change.fields:
            old, new = wording.field_sides(fc)
            lines += [f"-     {old}", f"+     {new}"]
        lines += [f"!     # {wording.clean(note)}" for note in change.notes]
    else:
        lines += [f"{glyph}     {line}" for line in wording.detail_lines(change, drift)]
    return "".join(_clip(line) + "\n" for line in lines)


def _clip(line: str) -> str:
    return line if len(line) <= MAX_LINE else line[: MAX_LINE - 1] + "…"


def _head(plan: Plan, options: RenderOptions) -> str:
    drift = options.drift
    title = options.title or ("mmrc drift" if drift else "mmrc plan")
    parts = [f"{DRIFT_MARKER if drift else PLAN_MARKER}\n### {md_text(title)}\n\n"]
    if options.commit:
        verb = "Checked" if drift else "Planned"
        parts.append(f"{verb} commit `{_short_commit(options.commit)}`\n\n")
    if plan.is_empty:
        parts.append(f"**{wording.NO_DRIFT if drift else wording.NO_CHANGES}**\n\n")
    elif drift:
        counts = _glyph_counts(plan, wording.DRIFT_ALWAYS_COUNTED)
        parts.append(f"**{wording.drift_headline(plan)}:** {counts}\n\n")
    else:
        parts.append(f"**Plan:** {_glyph_counts(plan)}\n\n")
    return "".join(parts)


def _glyph_counts(plan: Plan, always: tuple[Action, ...] = wording.ALWAYS_COUNTED) -> str:
    """`` `+` 3 to create · `!` 2 to update · `-` 0 to archive ``."""
    counts = plan.counts()
    return " · ".join(
        f"`{_DIFF_GLYPHS[action]}` {counts[action.value]} to {action.value}"
        for action in Action
        if counts[action.value] or action in always
    )


def _short_commit(commit: str) -> str:
    safe = "".join(ch for ch in commit if ch.isalnum() or ch in "._-/")
    return safe[:7] if _SHA.fullmatch(safe) else safe


def _tail(plan: Plan) -> str:
    parts: list[str] = []
    if plan.warnings:
        lines = ["> **Warnings**", ">"]
        lines += [f"> - {md_text(_clip(w))}" for w in plan.warnings[:WARNINGS_SHOWN]]
        if len(plan.warnings) > WARNINGS_SHOWN:
            lines.append(f"> - … and {len(plan.warnings) - WARNINGS_SHOWN} more warnings")
        parts.append("\n".join(lines) + "\n\n")
    if plan.unmanaged:
        title = f"{wording.UNMANAGED_TITLE}: {wording.objects(len(plan.unmanaged))}"
        lines = [f"- {md_text(_clip(address))}" for address in plan.unmanaged[:UNMANAGED_SHOWN]]
        if len(plan.unmanaged) > UNMANAGED_SHOWN:
            lines.append(f"- … and {len(plan.unmanaged) - UNMANAGED_SHOWN} more")
        parts.append(
            f"<details><summary>{html_text(title)}</summary>\n\n"
            + "\n".join(lines)
            + "\n\n</details>\n\n"
        )
    return "".join(parts)


def _refusals(reasons: tuple[str, ...]) -> str:
    if not reasons:
        return ""
    lines = ["> [!CAUTION]", f"> **{wording.REFUSED_TITLE}**: {md_text(wording.REFUSED_HOW)}."]
    lines += [f"> - {md_text(_clip(reason))}" for reason in reasons]
    return "\n".join(lines) + "\n\n"


def _finish(document: str) -> str:
    return document.rstrip("\n") + "\n"


def _truncated(head: str, sections: list[_Section], tail: str, total: int, max_chars: int) -> str:
    budget = max_chars - len(head) - len(tail) - len(truncation_note(total)) - 1
    shown_parts: list[str] = []
    shown = 0
    for section in sections:
        fits = section.fit(budget)
        if fits:
            part = section.render(fits)
            shown_parts.append(part)
            budget -= len(part)
            shown += fits
        if fits < len(section.blocks):
            break
    document = _finish(head + "".join(shown_parts) + truncation_note(total - shown) + "\n" + tail)
    if len(document) <= max_chars:
        return document
    return (head + truncation_note(total))[:max_chars]  # max_chars too small for anything more
