"""Secret references and the policy's effective channels."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.errors import ReconcilerError
from reconciler.workspace import (
    Channel,
    ChannelClass,
    Moderation,
    Policy,
    SecretRef,
    channel_class,
    effective_channel,
    parse_secret_ref,
    resolve_secret,
)
from reconciler.workspace.secrets import secret_problem


def test_parse_secret_refs() -> None:
    assert parse_secret_ref("${env:GITLAB_SECRET}") == SecretRef("env", "GITLAB_SECRET")
    assert parse_secret_ref("${file:secrets/gitlab}") == SecretRef("file", "secrets/gitlab")
    assert parse_secret_ref("${env:BAD-NAME}") is None
    assert parse_secret_ref("hunter2") is None
    assert secret_problem("${env:X}") is None
    assert secret_problem("hunter2") is not None


def test_resolve_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MMRC_TEST_SECRET", "s3cret")
    assert resolve_secret("${env:MMRC_TEST_SECRET}") == "s3cret"
    monkeypatch.delenv("MMRC_TEST_SECRET")
    with pytest.raises(ReconcilerError, match="MMRC_TEST_SECRET is not set"):
        resolve_secret("${env:MMRC_TEST_SECRET}")


def test_resolve_file_never_shows_the_value(tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("top-secret\n", encoding="utf-8")
    assert resolve_secret("${file:secret.txt}", tmp_path) == "top-secret"
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    with pytest.raises(ReconcilerError) as caught:
        resolve_secret("${file:empty.txt}", tmp_path)
    assert "empty.txt" in str(caught.value)
    with pytest.raises(ReconcilerError, match=r"cannot read .*missing\.txt"):
        resolve_secret("${file:missing.txt}", tmp_path)
    with pytest.raises(ReconcilerError) as literal:
        resolve_secret("hunter2")
    assert "hunter2" not in str(literal.value)


POLICY = Policy.model_validate(
    {
        "classes": {
            "alert": {
                "visibility": "public",
                "allow_guests": False,
                "moderation": {"members": {"post": False}, "guests": {"post": False}},
            },
            "team": {"visibility": "private"},
            "teamx": {"prefix": "team-x-"},
        }
    }
)


def test_channel_class_longest_prefix() -> None:
    found = channel_class("team-x-ops", POLICY)
    assert found is not None and found[0] == "teamx"
    assert channel_class("team-", POLICY) is None  # the prefix alone is not a name
    assert channel_class("dev", POLICY) is None


def test_effective_channel_fills_defaults_as_set_fields() -> None:
    channel = Channel.model_validate({"name": "alert-ops", "display_name": "Ops"})
    effective = effective_channel(channel, POLICY)
    assert effective.visibility == "public"
    assert effective.moderation == Moderation.model_validate({"members": {"post": False}})
    assert {"visibility", "moderation"} <= effective.model_fields_set
    assert effective.moderation is not None and effective.moderation.guests is None
    assert "moderation" not in channel.model_fields_set  # the user's model is untouched


def test_effective_channel_keeps_what_the_user_wrote() -> None:
    channel = Channel.model_validate(
        {
            "name": "alert-ops",
            "display_name": "Ops",
            "moderation": {"members": {"reactions": False}},
        }
    )
    effective = effective_channel(channel, POLICY)
    assert effective.moderation is not None and effective.moderation.members is not None
    members = effective.moderation.members
    assert (members.post, members.reactions) == (False, False)
    assert members.model_fields_set == {"post", "reactions"}
    private = Channel.model_validate({"name": "team-a", "display_name": "A"})
    assert effective_channel(private, POLICY).visibility == "private"
    other = Channel.model_validate({"name": "off-topic", "display_name": "Off"})
    assert effective_channel(other, POLICY) is other


def test_default_policy_classes() -> None:
    assert sorted(Policy().classes) == ["alert", "project", "team", "topic"]
    assert Policy().exempt == ("town-square", "off-topic")
    assert ChannelClass().allow_guests is True
