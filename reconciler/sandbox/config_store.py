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

The tree operations are in config_tree, secrets in config_secrets, environment
pins in config_env, IsValid in config_validate, the defaults in config_defaults.
"""

from __future__ import annotations

import copy
import hashlib
import json
import secrets
import string
from typing import TYPE_CHECKING, Any

from reconciler.sandbox.app import AppError, invalid_body_param
from reconciler.sandbox.config_defaults import default_config
from reconciler.sandbox.config_env import environment_pins, parse_env_value
from reconciler.sandbox.config_secrets import ALWAYS_MASKED, desanitize, sanitize
from reconciler.sandbox.config_tree import (
    Path,
    get_path,
    merge_patch,
    sent,
    sent_any,
    set_path,
    with_defaults,
)
from reconciler.sandbox.config_validate import validate

if TYPE_CHECKING:
    from reconciler.sandbox.app import Sandbox

__all__ = ["ConfigStore", "environment_pins", "parse_env_value"]


def _random_key() -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(32))


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
            sent_site_url = sent(body, ("ServiceSettings", "SiteURL"))
            if current["ServiceSettings"]["SiteURL"] and sent_site_url == "":
                raise _clear_site_url()
            uploads = sent(body, ("PluginSettings", "EnableUploads"))
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
                if not sent_any(body, path):
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
