"""Names the importer makes up: environment variables for secrets, and the policy baseline.

- `secret_env_name("sso.gitlab", "secret")` → `MM_GITLAB_SECRET`: the variable an
  imported workspace references (`${env:MM_GITLAB_SECRET}`) instead of a value
  the importer never sees (Mattermost only shows a mask).
- `naming_exceptions(channels, policy)`: the channels whose names break the
  naming policy, as `PolicyException`s, so the imported file validates and the
  team adopts the convention one rename at a time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from reconciler.workspace.models import Policy, PolicyException
from reconciler.workspace.policy import naming_problem

ENV_PREFIX = "MM_"
EXCEPTION_REASON = "legacy name, kept by mmrc import"
EXCEPTION_COMMENT = "imported: breaks the naming policy"

_NOT_NAME = re.compile(r"[^A-Z0-9]+")


def env_token(text: str) -> str:
    """`sso.gitlab` → `GITLAB`; any run of other characters becomes one underscore."""
    return _NOT_NAME.sub("_", text.upper()).strip("_")


def secret_env_name(group: str, field: str, taken: Iterable[str] = ()) -> str:
    """The environment variable for the secret `field` of settings group `group`.

    `sso.gitlab` + `secret` → `MM_GITLAB_SECRET`. A name already in `taken` gets a
    numeric suffix, so two secrets never share a variable."""
    parts = [p for p in group.split(".") if p != "sso"]
    base = ENV_PREFIX + env_token("_".join([*parts, field]))
    used = set(taken)
    name, counter = base, 2
    while name in used:
        name, counter = f"{base}_{counter}", counter + 1
    return name


@dataclass(frozen=True, slots=True)
class NamingException:
    """One channel outside the convention, and why."""

    team: str
    channel: str
    problem: str

    def as_policy(self) -> PolicyException:
        return PolicyException(team=self.team, channel=self.channel, reason=EXCEPTION_REASON)


def naming_exceptions(
    channels: Iterable[tuple[str, str]], policy: Policy | None = None
) -> list[NamingException]:
    """The (team, channel) pairs that break `policy` (default: the format's default
    policy), in the order given, each once."""
    policy = policy or Policy()
    found: dict[tuple[str, str], NamingException] = {}
    for team, channel in channels:
        problem = naming_problem(team, channel, policy)
        if problem is not None and (team, channel) not in found:
            found[(team, channel)] = NamingException(team, channel, problem)
    return list(found.values())
