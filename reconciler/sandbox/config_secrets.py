"""Secrets in the config: which settings GET /config masks (model.Config.Sanitize,
exactly 32 asterisks, model.FakeSetting), and putting the real values back when a
client sends a mask back (desanitize: a mask means "unchanged").
"""

from __future__ import annotations

import copy
from typing import Any

from reconciler.sandbox.config_tree import Path, get_path, has_path, set_path

FAKE_SETTING = "********************************"  # model.FakeSetting: 32 asterisks

# Masked in GET /config only when non-empty (MM model/config.go → Sanitize).
MASKED_IF_SET: tuple[Path, ...] = (
    ("GitLabSettings", "Secret"),
    ("GoogleSettings", "Secret"),
    ("Office365Settings", "Secret"),
    ("OpenIdSettings", "Secret"),
    ("LdapSettings", "BindPassword"),
    ("FileSettings", "AmazonS3SecretAccessKey"),
    ("FileSettings", "ExportAmazonS3SecretAccessKey"),
    ("EmailSettings", "SMTPPassword"),
    ("MessageExportSettings", "GlobalRelaySettings", "SMTPPassword"),
)
# Always masked, empty or not.
ALWAYS_MASKED: tuple[Path, ...] = (
    ("FileSettings", "PublicLinkSalt"),
    ("SqlSettings", "DataSource"),
    ("SqlSettings", "AtRestEncryptKey"),
    ("ElasticsearchSettings", "Password"),
    ("ServiceSettings", "SplitKey"),
    ("CacheSettings", "RedisPassword"),
)
# Slices whose every element is masked.
MASKED_LISTS: tuple[Path, ...] = (
    ("SqlSettings", "DataSourceReplicas"),
    ("SqlSettings", "DataSourceSearchReplicas"),
)


def sanitize(cfg: dict[str, Any]) -> dict[str, Any]:
    result = copy.deepcopy(cfg)
    for path in MASKED_IF_SET:
        if has_path(result, path) and get_path(result, path):
            set_path(result, path, FAKE_SETTING)
    for path in ALWAYS_MASKED:
        if has_path(result, path):
            set_path(result, path, FAKE_SETTING)
    for path in MASKED_LISTS:
        if has_path(result, path):
            set_path(result, path, [FAKE_SETTING for _ in get_path(result, path)])
    for lag in result["SqlSettings"].get("ReplicaLagSettings") or []:
        if isinstance(lag, dict) and "DataSource" in lag:
            lag["DataSource"] = FAKE_SETTING
    return result


def desanitize(actual: dict[str, Any], target: dict[str, Any]) -> None:
    """A mask sent back means "unchanged": put the actual secret in its place."""
    for path in (*MASKED_IF_SET, *ALWAYS_MASKED):
        if path == ("CacheSettings", "RedisPassword"):
            continue  # not in MM's desanitize (reference: UNCONFIRMED bug), kept as is
        if get_path(target, path) == FAKE_SETTING:
            set_path(target, path, get_path(actual, path))
    for path in MASKED_LISTS:
        values = get_path(target, path)
        if values and values[0] == FAKE_SETTING:
            set_path(target, path, copy.deepcopy(get_path(actual, path)))
