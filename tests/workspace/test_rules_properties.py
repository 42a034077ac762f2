"""Property tests: our name rules agree with the server's regexes from the reference.

The oracle regexes and limits are copied from
/work/shared/reference/mattermost-teams-channels-guests.md §3 and
mattermost-integrations-config-auth.md, independently of rules.py.
"""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from reconciler.workspace import rules

CHANNEL_ORACLE = re.compile(r"^[a-z0-9]+([a-z\-\_0-9]+|(__)?)[a-z0-9]*$")
TEAM_ORACLE = re.compile(r"^[a-z0-9]+([a-z\-0-9]+|(__)?)[a-z0-9]+$")
USERNAME_ORACLE = re.compile(r"^[a-z0-9.\-_]+$")
RESERVED_TEAM = (
    "admin api channel claim error files help landing login mfa oauth plug plugins post "
)
RESERVED_TEAM += "signup boards playbooks"
RESERVED_USERS = {"all", "channel", "matterbot", "system"}

NAMEISH = st.text(alphabet="abcxyz019-_.A Zé\n", min_size=0, max_size=70)
VALID_CHANNEL = st.from_regex(r"[a-z0-9][a-z0-9\-_]{0,62}[a-z0-9]", fullmatch=True)


def _channel_oracle(name: str) -> bool:
    dm_like = re.fullmatch(r"[a-z0-9]{26}__[a-z0-9]{26}", name)
    gm_like = re.fullmatch(r"[0-9a-f]{40}", name)
    # fullmatch: Go's `$` ends the text (Python's `match` would also accept "abc\n")
    return bool(CHANNEL_ORACLE.fullmatch(name)) and len(name) <= 64 and not dm_like and not gm_like


def _team_oracle(name: str) -> bool:
    reserved = any(name.lower().startswith(word) for word in RESERVED_TEAM.split())
    return bool(TEAM_ORACLE.fullmatch(name)) and 2 <= len(name) <= 64 and not reserved


def _username_oracle(name: str) -> bool:
    valid = bool(USERNAME_ORACLE.fullmatch(name))
    return valid and 1 <= len(name) <= 64 and name not in RESERVED_USERS


@given(NAMEISH)
def test_channel_names_agree_with_the_server(name: str) -> None:
    assert (rules.channel_name_problem(name) is None) == _channel_oracle(name)


@given(VALID_CHANNEL)
def test_generated_valid_channel_names_are_accepted(name: str) -> None:
    assert CHANNEL_ORACLE.match(name)
    if _channel_oracle(name):  # not DM/GM-like
        assert rules.channel_name_problem(name) is None


@given(st.from_regex(r"[a-z0-9]{1,30}(-[a-z0-9]{1,30})?", fullmatch=True))
def test_team_names_agree_with_the_server(name: str) -> None:
    assert (rules.team_name_problem(name) is None) == _team_oracle(name)


@given(NAMEISH)
def test_team_names_agree_on_arbitrary_text(name: str) -> None:
    assert (rules.team_name_problem(name) is None) == _team_oracle(name)


@given(
    st.sampled_from(RESERVED_TEAM.split()),
    st.from_regex(r"[a-z0-9\-]{0,10}[a-z0-9]", fullmatch=True),
)
def test_reserved_team_prefixes_are_refused(word: str, rest: str) -> None:
    assert rules.team_name_problem(word + rest) is not None
    assert rules.team_name_problem((word + rest).upper()) is not None


@given(NAMEISH)
def test_usernames_agree_with_the_server(name: str) -> None:
    assert (rules.username_problem(name) is None) == _username_oracle(name)


@given(st.from_regex(r"[a-z0-9.\-_]{1,64}", fullmatch=True))
def test_generated_valid_usernames_are_accepted(name: str) -> None:
    assert (rules.username_problem(name) is None) == (name not in RESERVED_USERS)


@given(st.text(alphabet="abc/ XY_-", min_size=0, max_size=140))
def test_command_triggers(trigger: str) -> None:
    oracle = (
        1 <= len(trigger.encode()) <= 128
        and not trigger.startswith("/")
        and " " not in trigger
        and trigger == trigger.lower()
        and trigger not in rules.BUILTIN_COMMAND_TRIGGERS
    )
    assert (rules.command_trigger_problem(trigger) is None) == oracle


def test_known_examples() -> None:
    assert rules.channel_name_problem("team-support") is None
    assert rules.channel_name_problem("dev_") is None  # a trailing '_' is accepted
    assert rules.channel_name_problem("-dev") is not None
    assert rules.team_name_problem("a_b") is not None  # a single '_' is invalid
    assert rules.team_name_problem("a__b") is None
    assert rules.team_name_problem("postgres") is not None
    assert rules.http_url_problem("http://asd-n8n:5678/webhook/x") is None
    assert rules.http_url_problem("mailto:x@example.com") is not None


def test_a_trailing_newline_is_refused_as_the_real_server_refuses_it() -> None:
    """Settled on the real server (docs/fidelity.md): "abc\n" is no channel, team or user
    name, although Python's `$` matches before a final newline."""
    assert rules.channel_name_problem("abc\n") is not None
    assert rules.team_name_problem("abc\n") is not None
    assert rules.username_problem("abc\n") is not None
