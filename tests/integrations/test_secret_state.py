"""The fingerprint store: salted scrypt, bound to the setting's address, merged into Plugins."""

from __future__ import annotations

import pytest

from reconciler import secret_state
from reconciler.secret_state import SecretState, decide, make_fingerprint, verify_fingerprint

PATH = "settings.sso.gitlab.secret"
VALUE = "canary-Zq8r-secret-value"


def test_fingerprint_format_and_no_plaintext() -> None:
    fingerprint = make_fingerprint(PATH, VALUE)
    scheme, params, salt, digest = fingerprint.split("$")
    assert scheme == "scrypt"
    assert params == "n=16384,r=8,p=1"
    assert salt and digest
    assert VALUE not in fingerprint


def test_salt_is_random_per_fingerprint() -> None:
    assert make_fingerprint(PATH, VALUE) != make_fingerprint(PATH, VALUE)


def test_verify_matches_only_same_value_and_path() -> None:
    fingerprint = make_fingerprint(PATH, VALUE)
    assert verify_fingerprint(PATH, VALUE, fingerprint)
    assert not verify_fingerprint(PATH, VALUE + "x", fingerprint)
    assert not verify_fingerprint("settings.sso.google.secret", VALUE, fingerprint)


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "garbage",
        "scrypt$n=16384$x$y",
        "pbkdf2$n=1,r=1,p=1$AAAA$AAAA",
        "scrypt$n=3,r=8,p=1$!!$??",
    ],
)
def test_malformed_fingerprints_never_match(stored: str) -> None:
    assert not verify_fingerprint(PATH, VALUE, stored)


def test_excessive_cost_parameters_are_refused() -> None:
    salt, digest = make_fingerprint(PATH, VALUE).split("$")[2:]
    assert not verify_fingerprint(PATH, VALUE, f"scrypt$n={2**30},r=8,p=1${salt}${digest}")


MASK = "*" * 32


@pytest.mark.parametrize(
    ("desired", "live", "stored", "rotate", "state", "write"),
    [
        (VALUE, "", None, False, SecretState.MISSING, True),
        (VALUE, MASK, None, False, SecretState.UNKNOWN, False),
        (VALUE, MASK, None, True, SecretState.ROTATE, True),
        (VALUE, MASK, "match", False, SecretState.IN_SYNC, False),
        (VALUE, MASK, "match", True, SecretState.ROTATE, True),
        (VALUE, MASK, "other", False, SecretState.CHANGED, True),
        ("", MASK, "match", False, SecretState.CLEAR, True),
        ("", "", None, False, SecretState.ABSENT, False),
    ],
)
def test_decide(
    desired: str, live: str, stored: str | None, rotate: bool, state: SecretState, write: bool
) -> None:
    fingerprints = {
        "match": make_fingerprint(PATH, VALUE),
        "other": make_fingerprint(PATH, "previous-value"),
    }
    decision = decide(PATH, desired, live, fingerprints.get(stored or ""), rotate=rotate)
    assert decision.state is state
    assert decision.write is write
    assert VALUE not in decision.reason


def test_plugins_patch_keeps_other_plugins_and_merges() -> None:
    config = {
        "PluginSettings": {
            "Plugins": {
                "com.mattermost.calls": {"enableringing": True},
                "mmrc": {"fingerprints": {"settings.sso.google.secret": "scrypt$old"}, "x": 1},
            }
        }
    }
    plugins = secret_state.plugins_patch(config, {PATH: "scrypt$new"})
    assert plugins["com.mattermost.calls"] == {"enableringing": True}
    assert plugins["mmrc"]["x"] == 1
    assert plugins["mmrc"]["fingerprints"] == {
        "settings.sso.google.secret": "scrypt$old",
        PATH: "scrypt$new",
    }
    # the input is not mutated
    assert (
        "settings.sso.gitlab.secret"
        not in config["PluginSettings"]["Plugins"]["mmrc"]["fingerprints"]
    )  # type: ignore[index]


def test_plugins_patch_forgets_cleared_secrets_and_reads_lowercased_keys() -> None:
    config = {"PluginSettings": {"Plugins": {"MMRC": {"fingerprints": {PATH.upper(): "scrypt$a"}}}}}
    assert secret_state.read_fingerprints(config) == {PATH: "scrypt$a"}
    plugins = secret_state.plugins_patch(config, {PATH: None})
    assert plugins == {"mmrc": {"fingerprints": {}}}


def test_read_fingerprints_tolerates_missing_and_odd_shapes() -> None:
    assert secret_state.read_fingerprints(None) == {}
    assert secret_state.read_fingerprints({}) == {}
    assert secret_state.read_fingerprints({"PluginSettings": {"Plugins": {"mmrc": "x"}}}) == {}
    assert secret_state.read_fingerprints(
        {"PluginSettings": {"Plugins": {"mmrc": {"fingerprints": {"a": 1, "b": "s"}}}}}
    ) == {"b": "s"}
