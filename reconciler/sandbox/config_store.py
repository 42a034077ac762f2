"""Server configuration: stored, environment-pinned and effective config.

Mirrors MM server/config (Store.Set, environment.go, utils.go → desanitize):
- `stored` is what would be persisted (config.json / the DB); `effective` is
  stored with the `MM_<SECTION>_<FIELD>` environment pins applied. Reads see
  the effective config.
- `update(body, patch=False)` is PUT /config: SetDefaults on the body, so
  omitted settings go back to their defaults; `patch=True` is PUT
  /config/patch: only present keys change, lists and maps are replaced whole.
  Both then desanitize (a mask sent back keeps the secret), re-apply the
  environment, validate, and persist without the pinned values, so a write to
  a pinned field answers 200 with the env value and changes nothing.
- `sanitized()` masks secrets with exactly 32 asterisks (model.FakeSetting).
"""

from __future__ import annotations

import copy
import hashlib
import json
import secrets
import string
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from reconciler.sandbox.app import AppError, invalid_body_param
from reconciler.sandbox.config_defaults import (
    ALWAYS_MASKED,
    FAKE_SETTING,
    MAP_PATHS,
    MASKED_IF_SET,
    MASKED_LISTS,
    NON_POINTER_PATHS,
    OBJECT_LIST_PATHS,
    Path,
    default_at,
    default_config,
    leaf_paths,
)

if TYPE_CHECKING:
    from reconciler.sandbox.app import Sandbox

_TRUE = {"1", "t", "T", "TRUE", "true", "True"}
_FALSE = {"0", "f", "F", "FALSE", "false", "False"}


def _random_key() -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(32))


def get_path(tree: dict[str, Any], path: Path) -> Any:
    node: Any = tree
    for key in path:
        if not isinstance(node, dict) or key not in node:
            raise KeyError(".".join(path))
        node = node[key]
    return node


def set_path(tree: dict[str, Any], path: Path, value: Any) -> None:
    node = tree
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = value


def has_path(tree: dict[str, Any], path: Path) -> bool:
    try:
        get_path(tree, path)
    except KeyError:
        return False
    return True


def parse_env_value(raw: str, default: Any) -> tuple[bool, Any]:
    """(ok, value) for an environment string against the type of the field's default."""
    if isinstance(default, bool):
        if raw in _TRUE:
            return True, True
        if raw in _FALSE:
            return True, False
        return False, None
    if isinstance(default, int):
        try:
            return True, int(raw.strip())
        except ValueError:
            return False, None
    if isinstance(default, list):
        if default and isinstance(default[0], dict):
            try:
                return True, json.loads(raw)
            except ValueError:
                return False, None
        return True, [part for part in raw.split(" ") if part]
    if isinstance(default, dict):
        try:
            value = json.loads(raw)
        except ValueError:
            return False, None
        return isinstance(value, dict), value
    return True, raw


def environment_pins(environment: dict[str, str]) -> dict[Path, Any]:
    """The config leaves an environment pins: `MM_<SECTION>_<FIELD>`, case-insensitive."""
    upper = {name.upper(): value for name, value in environment.items()}
    pins: dict[Path, Any] = {}
    for path in leaf_paths():
        name = "MM_" + "_".join(part.upper() for part in path)
        if name in upper:
            ok, value = parse_env_value(upper[name], default_at(path))
            if ok:
                pins[path] = value
    return pins


def _type_ok(value: Any, default: Any, path: Path) -> bool:
    if path in MAP_PATHS:
        return isinstance(value, dict)
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, int):
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(default, str):
        return isinstance(value, str)
    if isinstance(default, list):
        if not isinstance(value, list):
            return False
        item_type: type = dict if path in OBJECT_LIST_PATHS else str
        return all(isinstance(item, item_type) for item in value)
    return True


def _match_key(body: dict[str, Any], key: str) -> str | None:
    """Go's encoding/json matches struct field names case-insensitively."""
    if key in body:
        return key
    lowered = key.lower()
    for candidate in body:
        if candidate.lower() == lowered:
            return candidate
    return None


def with_defaults(body: Any, defaults: dict[str, Any], prefix: Path = ()) -> dict[str, Any]:
    """SetDefaults over a decoded body: unknown keys dropped, missing/null → default.
    A value of the wrong JSON type is a decode error (400 invalid_body_param config)."""
    if not isinstance(body, dict):
        raise invalid_body_param("config")
    result: dict[str, Any] = {}
    for key, default in defaults.items():
        path = (*prefix, key)
        found = _match_key(body, key)
        value = body[found] if found is not None else None
        if isinstance(default, dict) and path not in MAP_PATHS:
            result[key] = with_defaults(value if value is not None else {}, default, path)
        elif value is None:
            result[key] = copy.deepcopy(default)
        elif not _type_ok(value, default, path):
            raise invalid_body_param("config")
        else:
            result[key] = copy.deepcopy(value)
    return result


def merge_patch(base: dict[str, Any], patch: Any, prefix: Path = ()) -> dict[str, Any]:
    """utils.Merge: present (non-null) keys replace, structs recurse, lists/maps whole;
    Go non-pointer fields absent from the patch become their zero value."""
    if not isinstance(patch, dict):
        raise invalid_body_param("config")
    result = copy.deepcopy(base)
    for key, current in base.items():
        path = (*prefix, key)
        found = _match_key(patch, key)
        value = patch[found] if found is not None else None
        if isinstance(current, dict) and path not in MAP_PATHS:
            result[key] = merge_patch(current, value if value is not None else {}, path)
        elif value is None:
            if path in NON_POINTER_PATHS:
                result[key] = ""
        elif not _type_ok(value, current, path):
            raise invalid_body_param("config")
        else:
            result[key] = copy.deepcopy(value)
    return result


def _is_valid_error(field: str, message: str) -> AppError:
    return AppError(400, f"model.config.is_valid.{field}.app_error", message)


def validate(cfg: dict[str, Any]) -> None:
    """A subset of Config.IsValid, with MM's error ids."""
    service = cfg["ServiceSettings"]
    site_url = service["SiteURL"]
    if site_url:
        parsed = urlparse(site_url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise _is_valid_error(
                "site_url", "Site URL must be a valid URL and start with http:// or https://."
            )
    if service["MaximumLoginAttempts"] <= 0:
        raise _is_valid_error(
            "login_attempts",
            "Invalid maximum login attempts for service settings. Must be a positive number.",
        )
    if service["ReadTimeout"] <= 0:
        raise _is_valid_error("read_timeout", "Invalid value for read timeout.")
    if service["WriteTimeout"] <= 0:
        raise _is_valid_error("write_timeout", "Invalid value for write timeout.")
    if service["OutgoingIntegrationRequestsTimeout"] <= 0:
        raise _is_valid_error(
            "outgoing_integrations_request_timeout",
            "Invalid value for outgoing integrations request timeout.",
        )
    if service["MaximumPayloadSizeBytes"] <= 0:
        raise _is_valid_error("max_payload_size", "Invalid max payload size for service settings.")
    team = cfg["TeamSettings"]
    if team["MaxUsersPerTeam"] <= 0:
        raise _is_valid_error(
            "max_users",
            "Invalid maximum users per team for team settings. Must be a positive number.",
        )
    if team["MaxChannelsPerTeam"] <= 0:
        raise _is_valid_error(
            "max_channels",
            "Invalid maximum channels per team for team settings. Must be a positive number.",
        )
    if team["MaxNotificationsPerChannel"] <= 0:
        raise _is_valid_error(
            "max_notify_per_channel",
            "Invalid maximum notifications per channel for team settings. Must be a positive number.",
        )
    if team["RestrictDirectMessage"] not in ("any", "team"):
        raise _is_valid_error(
            "restrict_direct_message", "Invalid restrict direct message. Must be 'any', or 'team'."
        )
    if team["TeammateNameDisplay"] not in ("username", "nickname_full_name", "full_name"):
        raise _is_valid_error(
            "teammate_name_display",
            "Invalid teammate display. Must be 'full_name', 'nickname_full_name' or 'username'.",
        )
    if len(team["SiteName"]) > 30:
        raise _is_valid_error(
            "sitename_length", "Site name must be less than or equal to 30 characters."
        )
    if cfg["SqlSettings"]["DriverName"] not in ("postgres", "mysql"):
        raise _is_valid_error(
            "sql_driver", "Invalid driver name for SQL settings. Must be 'mysql' or 'postgres'."
        )
    files = cfg["FileSettings"]
    if files["MaxFileSize"] <= 0:
        raise _is_valid_error(
            "max_file_size",
            "Invalid max file size for file settings. Must be a whole number greater than zero.",
        )
    if files["DriverName"] not in ("local", "amazons3"):
        raise _is_valid_error(
            "file_driver", "Invalid driver name for file settings. Must be 'local' or 'amazons3'."
        )
    if not 5 <= cfg["PasswordSettings"]["MinimumLength"] <= 72:
        raise _is_valid_error(
            "password_length",
            "Minimum password length must be a whole number greater than or equal to 5 and less than or equal to 72.",
        )
    if cfg["CacheSettings"]["CacheType"] not in ("lru", "redis"):
        raise AppError(
            400,
            "model.config.is_valid.cache_type.app_error",
            "Cache type must be either lru or redis.",
        )
    rate = cfg["RateLimitSettings"]
    if rate["MemoryStoreSize"] <= 0:
        raise _is_valid_error(
            "rate_mem",
            "Invalid memory store size for rate limit settings. Must be a positive number.",
        )
    if rate["PerSec"] <= 0:
        raise _is_valid_error(
            "rate_sec", "Invalid per second for rate limit settings. Must be a positive number."
        )
    if rate["MaxBurst"] <= 0:
        raise _is_valid_error("max_burst", "Maximum burst size must be greater than zero.")


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


def _nested_true(paths: list[Path]) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for path in paths:
        set_path(tree, path, True)
    return tree


class ConfigStore:
    """The server config. Reads: `get("ServiceSettings.EnableCommands")`, `get_bool`,
    `effective()`, `sanitized()`; writes: `update(body, patch=...)`, `set(path, value)`."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        options = sandbox.options
        stored = default_config()
        stored["ServiceSettings"]["SiteURL"] = options.site_url
        # A running server has generated these (SetDefaults(isUpdate=true)).
        stored["FileSettings"]["PublicLinkSalt"] = _random_key()
        stored["SqlSettings"]["AtRestEncryptKey"] = _random_key()
        self._pins = environment_pins(options.environment)
        self._stored = stored
        self._effective: dict[str, Any] = {}
        self._hash = ""
        self._refresh()

    # -- reads ---------------------------------------------------------------------------
    def get(self, path: str) -> Any:
        """A value of the effective config by dotted path (KeyError if unknown)."""
        return copy.deepcopy(get_path(self._effective, tuple(path.split("."))))

    def get_bool(self, path: str) -> bool:
        return bool(get_path(self._effective, tuple(path.split("."))))

    def effective(self) -> dict[str, Any]:
        return copy.deepcopy(self._effective)

    def stored(self) -> dict[str, Any]:
        return copy.deepcopy(self._stored)

    def sanitized(self) -> dict[str, Any]:
        return sanitize(self._effective)

    def environment_overrides(self) -> dict[str, Any]:
        """GET /config/environment: a nested map with `true` at every pinned field."""
        return _nested_true(sorted(self._pins))

    def pinned_paths(self) -> set[str]:
        return {".".join(path) for path in self._pins}

    def hash(self) -> str:
        """The client-config hash part of X-Version-Id."""
        return self._hash

    def developer_mode(self) -> bool:
        """ServiceSettings.EnableDeveloper: whether AppError bodies carry detailed_error."""
        return self.get_bool("ServiceSettings.EnableDeveloper")

    def site_url(self) -> str:
        return str(self._effective["ServiceSettings"]["SiteURL"])

    def client_config(self) -> dict[str, str]:
        """GET /config/client?format=old: a flat map of strings."""
        from reconciler.sandbox.app import BUILD_NUMBER

        cfg = self._effective
        service, team, email = cfg["ServiceSettings"], cfg["TeamSettings"], cfg["EmailSettings"]

        def flag(value: Any) -> str:
            return "true" if value else "false"

        return {
            "Version": self.sandbox.options.server_version,
            "BuildNumber": BUILD_NUMBER,
            "BuildDate": "",
            "BuildHash": "sandbox",
            "BuildEnterpriseReady": flag(self.sandbox.options.licensed),
            "SiteURL": service["SiteURL"],
            "SiteName": team["SiteName"],
            "EnableUserCreation": flag(team["EnableUserCreation"]),
            "EnableOpenServer": flag(team["EnableOpenServer"]),
            "EnableSignUpWithEmail": flag(email["EnableSignUpWithEmail"]),
            "EnableSignInWithEmail": flag(email["EnableSignInWithEmail"]),
            "EnableSignInWithUsername": flag(email["EnableSignInWithUsername"]),
            "EnableSignUpWithGitLab": flag(cfg["GitLabSettings"]["Enable"]),
            "EnableSignUpWithGoogle": flag(cfg["GoogleSettings"]["Enable"]),
            "EnableSignUpWithOffice365": flag(cfg["Office365Settings"]["Enable"]),
            "EnableSignUpWithOpenId": flag(cfg["OpenIdSettings"]["Enable"]),
            "GitLabButtonText": cfg["GitLabSettings"]["ButtonText"],
            "GitLabButtonColor": cfg["GitLabSettings"]["ButtonColor"],
            "OpenIdButtonText": cfg["OpenIdSettings"]["ButtonText"],
            "OpenIdButtonColor": cfg["OpenIdSettings"]["ButtonColor"],
            "EnableLdap": flag(cfg["LdapSettings"]["Enable"]),
            "EnableGuestAccounts": flag(cfg["GuestAccountsSettings"]["Enable"]),
            "EnableCustomBrand": flag(team["EnableCustomBrand"]),
            "EnableCommands": flag(service["EnableCommands"]),
            "EnableIncomingWebhooks": flag(service["EnableIncomingWebhooks"]),
            "EnableOutgoingWebhooks": flag(service["EnableOutgoingWebhooks"]),
            "EnablePostUsernameOverride": flag(service["EnablePostUsernameOverride"]),
            "EnablePostIconOverride": flag(service["EnablePostIconOverride"]),
            "EnableUserAccessTokens": flag(service["EnableUserAccessTokens"]),
            "EnableBotAccountCreation": flag(service["EnableBotAccountCreation"]),
            "EnableDeveloper": flag(service["EnableDeveloper"]),
            "EnableTesting": flag(service["EnableTesting"]),
        }

    # -- writes --------------------------------------------------------------------------
    def update(self, body: Any, *, patch: bool) -> dict[str, Any]:
        """PUT /config (patch=False) or PUT /config/patch (patch=True); returns the
        sanitized new effective config. Raises AppError (400/403) without changing state."""
        current = self._effective
        if patch:
            if not isinstance(body, dict):
                raise invalid_body_param("config")
            sent_site_url = _sent(body, ("ServiceSettings", "SiteURL"))
            if current["ServiceSettings"]["SiteURL"] and sent_site_url == "":
                raise _clear_site_url()
            uploads = _sent(body, ("PluginSettings", "EnableUploads"))
            if uploads is not None and uploads != current["PluginSettings"]["EnableUploads"]:
                raise AppError(
                    403,
                    "api.config.update_config.not_allowed_security.app_error",
                    "Changing EnableUploads is not allowed for security reasons.",
                )
            new = merge_patch(current, body)
        else:
            new = with_defaults(body, default_config())
            if current["ServiceSettings"]["SiteURL"] and not new["ServiceSettings"]["SiteURL"]:
                raise _clear_site_url()
            plugins = new["PluginSettings"]
            plugins["EnableUploads"] = current["PluginSettings"]["EnableUploads"]
            plugins["SignaturePublicKeyFiles"] = copy.deepcopy(
                current["PluginSettings"]["SignaturePublicKeyFiles"]
            )
            # Generated secrets a client never saw are kept when omitted.
            for path in ALWAYS_MASKED:
                if not _sent_any(body, path):
                    set_path(new, path, copy.deepcopy(get_path(current, path)))
        self._save(new)
        return self.sanitized()

    def set(self, path: str, value: Any) -> None:
        """Write one stored field directly (seeds, tests); env pins still win on reads."""
        set_path(self._stored, tuple(path.split(".")), copy.deepcopy(value))
        self._refresh()

    def _save(self, new: dict[str, Any]) -> None:
        """config.Store.Set: desanitize → env → validate → persist without env pins."""
        desanitize(self._effective, new)
        for path, value in self._pins.items():
            set_path(new, path, copy.deepcopy(value))
        validate(new)
        for path in self._pins:
            set_path(new, path, copy.deepcopy(get_path(self._stored, path)))
        self._stored = new
        self._refresh()

    def _refresh(self) -> None:
        effective = copy.deepcopy(self._stored)
        for path, value in self._pins.items():
            set_path(effective, path, copy.deepcopy(value))
        self._effective = effective
        digest = hashlib.md5(
            json.dumps(self.client_config(), sort_keys=True).encode(), usedforsecurity=False
        )
        self._hash = digest.hexdigest()

    # -- persistence ---------------------------------------------------------------------
    def dump(self) -> dict[str, Any]:
        return {"stored": self.stored()}

    def load(self, data: dict[str, Any]) -> None:
        stored = data.get("stored")
        if isinstance(stored, dict):
            self._stored = with_defaults(stored, default_config())
            self._refresh()


def _clear_site_url() -> AppError:
    return AppError(
        400,
        "api.config.update_config.clear_siteurl.app_error",
        "Site URL cannot be cleared.",
    )


def _sent(body: dict[str, Any], path: Path) -> Any:
    node: Any = body
    for key in path:
        if not isinstance(node, dict):
            return None
        found = _match_key(node, key)
        if found is None:
            return None
        node = node[found]
    return node


def _sent_any(body: Any, path: Path) -> bool:
    return isinstance(body, dict) and _sent(body, path) is not None
