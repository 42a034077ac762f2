"""Renderers for what `apply` did (an `ApplyResult`): text, markdown, json.

The text view lists every change with its outcome, then each failure with the
server's error id and request id (what an administrator greps the server log
for), then one line: `Apply complete! 3 applied.`,
`Apply failed: 2 applied, 1 failed, 4 not attempted.` or, after Ctrl-C,
`Apply interrupted: 2 applied, 0 failed, 5 not attempted.`
"""

from __future__ import annotations

import json
from collections.abc import Callable

from reconciler.outcome import ApplyResult, ChangeOutcome
from reconciler.render import wording
from reconciler.render.markdown import md_text
from reconciler.render.options import RenderOptions
from reconciler.render.text import ACTION_COLORS, BOLD, GREEN, RED, painter

APPLY_MARKER = "<!-- mmrc-apply -->"
FAILURES_SHOWN = 50

_STATUS_WORDS = {"applied": "applied", "failed": "failed", "not_attempted": "not attempted"}


def summary_line(result: ApplyResult) -> str:
    counts = result.counts()
    if result.ok:
        return f"Apply complete! {counts['applied']} applied."
    verb = "interrupted" if result.interrupted else "failed"
    return (
        f"Apply {verb}: {counts['applied']} applied, {counts['failed']} failed, "
        f"{counts['not_attempted']} not attempted."
    )


def render_result_text(result: ApplyResult, options: RenderOptions) -> str:
    paint = painter(options.color)
    lines: list[str] = []
    for outcome in result.outcomes:
        glyph = paint(ACTION_COLORS[outcome.action], f"{outcome.action.glyph:>3}")
        status = _STATUS_WORDS[outcome.status]
        if outcome.status == "failed":
            status = paint(BOLD + RED, status)
        lines.append(f"{glyph} {_heading(outcome)}: {status}")
    for failure in result.failures():
        lines += ["", f"{paint(BOLD + RED, 'Error:')} {_heading(failure)}: {_error(failure)}"]
        lines += [f"  {line}" for line in _ids(failure)]
    if lines:
        lines.append("")
    lines.append(f"Finished in {result.duration_s:.1f}s.")
    lines.append(paint(BOLD + (GREEN if result.ok else RED), summary_line(result)))
    return "\n".join(lines) + "\n"


def render_result_markdown(result: ApplyResult, options: RenderOptions) -> str:
    title = options.title or "mmrc apply"
    parts = [f"{APPLY_MARKER}\n### {md_text(title)}\n"]
    if options.commit:
        safe = "".join(ch for ch in options.commit if ch.isalnum() or ch in "._-/")
        parts.append(f"Applied commit `{safe[:12]}`\n")
    parts.append(f"**{summary_line(result)}** ({result.duration_s:.1f}s)\n")
    failures = result.failures()
    for failure in failures[:FAILURES_SHOWN]:
        ids = "".join(f"<br>{md_text(line)}" for line in _ids(failure))
        parts.append(f"- **{md_text(_heading(failure))}**: {md_text(_error(failure))}{ids}")
    if len(failures) > FAILURES_SHOWN:
        parts.append(f"- … and {len(failures) - FAILURES_SHOWN} more failures")
    return "\n".join(parts) + "\n"


def render_result_json(result: ApplyResult, options: RenderOptions) -> str:
    return json.dumps(result.to_dict(), indent=2, sort_keys=False) + "\n"


RESULT_RENDERERS: dict[str, Callable[[ApplyResult, RenderOptions], str]] = {
    "text": render_result_text,
    "markdown": render_result_markdown,
    "json": render_result_json,
}


def _heading(outcome: ChangeOutcome) -> str:
    return f"{wording.clean(outcome.address)} ({wording.label(outcome.action, False)})"


def _error(outcome: ChangeOutcome) -> str:
    return wording.clean(outcome.error or "unknown error")


def _ids(outcome: ChangeOutcome) -> list[str]:
    lines = []
    if outcome.error_id:
        lines.append(f"error id: {wording.clean(outcome.error_id)}")
    if outcome.request_id:
        lines.append(f"request id: {wording.clean(outcome.request_id)}")
    return lines
