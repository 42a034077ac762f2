"""Fingerprints of the secrets mmrc wrote, kept in the server's own config.

Mattermost never returns a secret setting (`GET /config` shows 32 asterisks
for every non-empty one), so a plan cannot compare the workspace's value with
the live one. Instead, whenever mmrc writes a secret it also stores a salted,
deliberately slow fingerprint of the value (scrypt, random 16-byte salt per
secret, bound to the setting's address) at

    PluginSettings.Plugins["mmrc"]["fingerprints"]["settings.sso.gitlab.secret"]
        = "scrypt$n=16384,r=8,p=1$<salt b64>$<hash b64>"

Mattermost keeps plugin settings for plugins that are not installed, so the
next CI run on another machine reads the fingerprints back with the rest of
the config and decides whether the workspace's value differs from the last
one written. No plaintext is ever stored or logged; see docs/secrets.md.

`PluginSettings.Plugins` is one map that `PUT /config/patch` replaces whole:
`plugins_patch` always starts from the current map and merges mmrc's key, so
other plugins' settings are sent back unchanged.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import os
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

PLUGIN_ID = "mmrc"
FINGERPRINTS_KEY = "fingerprints"
SCHEME = "scrypt"
MASK = "*" * 32  # Mattermost's FakeSetting

# scrypt cost: 2**14 × 8 × 128 B = 16 MiB and ~50-100 ms per fingerprint.
_N = 2**14
_R = 8
_P = 1
_DKLEN = 32
_SALT_BYTES = 16


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _kdf(path: str, value: str, salt: bytes, n: int, r: int, p: int, dklen: int) -> bytes:
    # The address is part of the input, so a fingerprint copied to another key never matches.
    material = path.encode("utf-8") + b"\x00" + value.encode("utf-8")
    return hashlib.scrypt(material, salt=salt, n=n, r=r, p=p, dklen=dklen, maxmem=64 * 1024 * 1024)


def make_fingerprint(path: str, value: str, *, salt: bytes | None = None) -> str:
    """A new fingerprint of `value` for the setting at `path` (fresh random salt)."""
    salt = os.urandom(_SALT_BYTES) if salt is None else salt
    digest = _kdf(path, value, salt, _N, _R, _P, _DKLEN)
    return f"{SCHEME}$n={_N},r={_R},p={_P}${_b64(salt)}${_b64(digest)}"


def verify_fingerprint(path: str, value: str, stored: str) -> bool:
    """Whether `value` is the value `stored` was made from. Malformed → False."""
    try:
        scheme, params, salt_b64, hash_b64 = stored.split("$")
        if scheme != SCHEME:
            return False
        parsed = dict(item.split("=", 1) for item in params.split(","))
        n, r, p = int(parsed["n"]), int(parsed["r"]), int(parsed["p"])
        salt = base64.b64decode(salt_b64, validate=True)
        expected = base64.b64decode(hash_b64, validate=True)
    except (ValueError, KeyError):
        return False
    if not (2 <= n <= 2**20 and 1 <= r <= 32 and 1 <= p <= 16 and 16 <= len(expected) <= 64):
        return False
    try:
        actual = _kdf(path, value, salt, n, r, p, len(expected))
    except ValueError:
        return False
    return hmac.compare_digest(actual, expected)


def read_fingerprints(config: Mapping[str, Any] | None) -> dict[str, str]:
    """The fingerprints stored in a (sanitized) config; {} when there are none."""
    if not config:
        return {}
    plugins = (config.get("PluginSettings") or {}).get("Plugins") or {}
    entry = _plugin_entry(plugins)
    stored = entry.get(FINGERPRINTS_KEY) if isinstance(entry, Mapping) else None
    if not isinstance(stored, Mapping):
        return {}
    return {str(k).lower(): str(v) for k, v in stored.items() if isinstance(v, str)}


def _plugin_entry(plugins: Mapping[str, Any]) -> Any:
    # Mattermost may lower-case plugin ids when it reloads a file store; "mmrc" already is.
    for key, value in plugins.items():
        if str(key).lower() == PLUGIN_ID:
            return value
    return None


def plugins_patch(
    config: Mapping[str, Any] | None, updates: Mapping[str, str | None]
) -> dict[str, Any]:
    """The whole `PluginSettings.Plugins` map to send: current map + mmrc's fingerprints.

    `updates` maps a setting address to its new fingerprint, or None to forget it
    (the secret was cleared). Other plugins' entries are returned untouched.
    """
    current = ((config or {}).get("PluginSettings") or {}).get("Plugins") or {}
    plugins: dict[str, Any] = copy.deepcopy(dict(current))
    for key in [k for k in plugins if str(k).lower() == PLUGIN_ID and k != PLUGIN_ID]:
        plugins.setdefault(PLUGIN_ID, plugins.pop(key))
    entry = plugins.get(PLUGIN_ID)
    entry = dict(entry) if isinstance(entry, Mapping) else {}
    fingerprints = read_fingerprints(config)
    for path, fingerprint in updates.items():
        if fingerprint is None:
            fingerprints.pop(path.lower(), None)
        else:
            fingerprints[path.lower()] = fingerprint
    entry[FINGERPRINTS_KEY] = dict(sorted(fingerprints.items()))
    plugins[PLUGIN_ID] = entry
    return plugins


class SecretState(StrEnum):
    """What the plan concluded about one secret setting."""

    IN_SYNC = "in_sync"  # fingerprint matches the workspace's value: nothing to write
    CHANGED = "changed"  # fingerprint differs: write
    MISSING = "missing"  # the server holds no value: write
    CLEAR = "clear"  # the workspace clears a value the server holds: write ""
    UNKNOWN = "unknown"  # the server holds a value mmrc never wrote: warn, write only on rotate
    ROTATE = "rotate"  # --rotate-secrets forces the write
    ABSENT = "absent"  # both empty: nothing to do


@dataclass(frozen=True, slots=True)
class SecretDecision:
    state: SecretState

    @property
    def write(self) -> bool:
        return self.state in (
            SecretState.CHANGED,
            SecretState.MISSING,
            SecretState.CLEAR,
            SecretState.ROTATE,
        )

    @property
    def reason(self) -> str:
        return _REASONS[self.state]


_REASONS = {
    SecretState.IN_SYNC: "matches the fingerprint of the value mmrc last wrote",
    SecretState.CHANGED: "differs from the fingerprint of the value mmrc last wrote",
    SecretState.MISSING: "the server holds no value",
    SecretState.CLEAR: "the workspace clears it",
    SecretState.UNKNOWN: (
        "the server holds a value mmrc never wrote (no fingerprint), so it cannot be "
        "compared; not written (`mmrc apply --rotate-secrets` writes it)"
    ),
    SecretState.ROTATE: "written again because of --rotate-secrets",
    SecretState.ABSENT: "empty on both sides",
}


def decide(
    path: str,
    desired: str,
    live: str,
    stored: str | None,
    *,
    rotate: bool = False,
) -> SecretDecision:
    """Whether to write a secret: `desired` plaintext (resolved now), `live` as GET shows it.

    `live` is the sanitized value: the mask when set, "" when empty. `stored`
    is the fingerprint read from the server (None when mmrc never wrote one).
    """
    live_set = live != ""
    if desired == "":
        return SecretDecision(SecretState.CLEAR if live_set else SecretState.ABSENT)
    if not live_set:
        return SecretDecision(SecretState.MISSING)
    if rotate:
        return SecretDecision(SecretState.ROTATE)
    if stored is None:
        return SecretDecision(SecretState.UNKNOWN)
    if verify_fingerprint(path, desired, stored):
        return SecretDecision(SecretState.IN_SYNC)
    return SecretDecision(SecretState.CHANGED)
