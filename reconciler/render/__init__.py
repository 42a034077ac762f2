"""Renderers: pure functions from a `Plan` (or an `ApplyResult`) to a string.

`RENDERERS` maps a `--format` name to its plan renderer; `render_plan` and
`render_result` pick one. No I/O, no HTTP, and no imports of the client, the
kinds or the engine (an import-linter contract): renderers only read the data
they are given, and every renderer runs the plan through `redact_plan` first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from reconciler.outcome import ApplyResult
from reconciler.plan import Plan
from reconciler.render.json import render_json
from reconciler.render.markdown import render_markdown
from reconciler.render.options import RenderOptions
from reconciler.render.result import RESULT_RENDERERS
from reconciler.render.text import render_text

__all__ = [
    "RENDERERS",
    "RESULT_RENDERERS",
    "RenderOptions",
    "render_plan",
    "render_result",
]

RENDERERS: dict[str, Callable[[Plan, RenderOptions], str]] = {
    "text": render_text,
    "markdown": render_markdown,
    "json": render_json,
}


def render_plan(plan: Plan, fmt: str = "text", options: RenderOptions | None = None) -> str:
    return _pick(RENDERERS, fmt)(plan, options or RenderOptions())


def render_result(
    result: ApplyResult, fmt: str = "text", options: RenderOptions | None = None
) -> str:
    return _pick(RESULT_RENDERERS, fmt)(result, options or RenderOptions())


T = TypeVar("T")


def _pick(renderers: dict[str, T], fmt: str) -> T:
    try:
        return renderers[fmt]
    except KeyError:
        raise ValueError(
            f"unknown output format {fmt!r}; choose one of {', '.join(renderers)}"
        ) from None
