"""How a renderer should present a plan; the CLI builds one from its flags.

`color` is decided by the caller (isatty, `NO_COLOR`), never here. `max_chars`,
`title` and `commit` only matter for markdown (PR comments); `drift` switches
the wording from "what apply will do" to "how the server differs". `refusals`
are the safety guards' reasons to refuse the plan (the engine finds them; the
markdown says so, since a reviewer reads only the comment).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RenderOptions:
    color: bool = False
    max_chars: int = 65_000  # GitHub rejects comments over 65,536 characters
    title: str | None = None
    commit: str | None = None
    drift: bool = False
    refusals: tuple[str, ...] = ()
