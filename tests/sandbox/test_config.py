"""Server config: defaults, masking, PUT vs patch, env pins, validation, permissions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sandbox_helpers import add_user, assert_error, make_sandbox, set_config

from reconciler.sandbox import Sandbox
from reconciler.sandbox.config_defaults import FAKE_SETTING, leaf_paths
from reconciler.sandbox.config_store import environment_pins, parse_env_value

MASK = "*" * 32
Clients = Callable[[str | None], httpx.Client]
NO_CACHE = "no-cache, no-store, must-revalidate"


def test_mask_is_exactly_32_asterisks() -> None:
    assert FAKE_SETTING == MASK and len(FAKE_SETTING) == 32


def test_defaults_match_mattermost(http: httpx.Client) -> None:
    r = http.get("/api/v4/config")
    assert r.status_code == 200
    assert r.headers["cache-control"] == NO_CACHE
    cfg = r.json()
    service = cfg["ServiceSettings"]
    assert (
        service["EnableIncomingWebhooks"],
        service["EnableOutgoingWebhooks"],
        service["EnableCommands"],
    ) == (True, True, True)
    assert (service["EnablePostUsernameOverride"], service["EnablePostIconOverride"]) == (
        False,
        False,
    )
    assert (
        service["EnableUserAccessTokens"],
        service["EnableBotAccountCreation"],
        service["EnableDeveloper"],
    ) == (False, False, False)
    assert service["EnableOAuthServiceProvider"] is True
    assert service["OutgoingIntegrationRequestsTimeout"] == 30
    assert "EnableOnlyAdminIntegrations" not in service
    team = cfg["TeamSettings"]
    assert (
        team["MaxUsersPerTeam"],
        team["MaxChannelsPerTeam"],
        team["ExperimentalDefaultChannels"],
    ) == (50, 2000, [])
    assert cfg["RateLimitSettings"] == {
        "Enable": False, "PerSec": 10, "MaxBurst": 100, "MemoryStoreSize": 10000,
        "VaryByRemoteAddr": True, "VaryByUser": False, "VaryByHeader": "",
    }  # fmt: skip
    assert cfg["GuestAccountsSettings"]["AllowEmailAccounts"] is True
    assert cfg["OpenIdSettings"]["ButtonColor"] == "#145DBF"
    assert cfg["GoogleSettings"]["Scope"] == "profile email"
    assert (
        cfg["Office365Settings"]["Scope"] == "User.Read"
        and "ButtonText" not in cfg["Office365Settings"]
    )
    assert cfg["PluginSettings"]["Plugins"] == {}
    # the prepackaged plugins' states, as a fresh real server (11.1) has them
    assert cfg["PluginSettings"]["PluginStates"]["playbooks"] == {"Enable": True}


def test_masking(http: httpx.Client, sandbox: Sandbox) -> None:
    cfg = http.get("/api/v4/config").json()
    # always masked, even when empty
    assert cfg["SqlSettings"]["DataSource"] == MASK
    assert cfg["FileSettings"]["PublicLinkSalt"] == MASK
    assert cfg["ServiceSettings"]["SplitKey"] == MASK
    # masked only when set
    assert cfg["GitLabSettings"]["Secret"] == ""
    assert cfg["EmailSettings"]["SMTPPassword"] == ""
    secrets = {
        "GitLabSettings.Secret": "gl-secret-1",
        "LdapSettings.BindPassword": "ldap-pw",
        "FileSettings.AmazonS3SecretAccessKey": "s3-key",
        "EmailSettings.SMTPPassword": "smtp-pw",
        "SqlSettings.DataSourceReplicas": ["postgres://replica"],
    }
    for path, value in secrets.items():
        set_config(sandbox, path, value)
    text = http.get("/api/v4/config").text
    for value in ("gl-secret-1", "ldap-pw", "s3-key", "smtp-pw", "postgres://replica"):
        assert value not in text
    cfg = http.get("/api/v4/config").json()
    assert cfg["GitLabSettings"]["Secret"] == MASK
    assert cfg["SqlSettings"]["DataSourceReplicas"] == [MASK]


def test_put_resets_omitted_settings_to_defaults(http: httpx.Client, sandbox: Sandbox) -> None:
    set_config(sandbox, "TeamSettings.MaxUsersPerTeam", 500)
    set_config(sandbox, "GitLabSettings.Secret", "keep-me")
    cfg = http.get("/api/v4/config").json()
    body = {
        "ServiceSettings": {"SiteURL": cfg["ServiceSettings"]["SiteURL"], "EnableCommands": False},
        "GitLabSettings": {"Secret": MASK, "Enable": True},
    }
    r = http.put("/api/v4/config", json=body)
    assert r.status_code == 200 and r.headers["cache-control"] == NO_CACHE
    new = r.json()
    assert new["ServiceSettings"]["EnableCommands"] is False
    assert new["TeamSettings"]["MaxUsersPerTeam"] == 50  # omitted → default
    assert new["ServiceSettings"]["EnableIncomingWebhooks"] is True
    assert new["GitLabSettings"]["Secret"] == MASK
    assert sandbox.config.get("GitLabSettings.Secret") == "keep-me"  # mask sent back keeps it
    # PUT of the whole GET output changes nothing, except CacheSettings.RedisPassword,
    # which MM's desanitize forgets (reference §5): the mask itself gets stored.
    before = sandbox.config.effective()
    assert http.put("/api/v4/config", json=http.get("/api/v4/config").json()).status_code == 200
    after = sandbox.config.effective()
    assert after["CacheSettings"].pop("RedisPassword") == MASK
    before["CacheSettings"].pop("RedisPassword")
    assert after == before


def test_patch_merges_and_replaces_maps_whole(http: httpx.Client, sandbox: Sandbox) -> None:
    set_config(sandbox, "TeamSettings.MaxUsersPerTeam", 500)
    set_config(sandbox, "GitLabSettings.Secret", "old")
    set_config(sandbox, "PluginSettings.Plugins", {"mmrc": {"a": "1"}, "other": {"b": 2}})
    set_config(sandbox, "RateLimitSettings.VaryByHeader", "X-Forwarded-For")
    r = http.put(
        "/api/v4/config/patch",
        json={
            "ServiceSettings": {"EnablePostUsernameOverride": True},
            "PluginSettings": {"Plugins": {"mmrc": {"fp": "x"}}},
        },
    )
    assert r.status_code == 200 and r.headers["cache-control"] == NO_CACHE
    assert sandbox.config.get("ServiceSettings.EnablePostUsernameOverride") is True
    assert sandbox.config.get("TeamSettings.MaxUsersPerTeam") == 500  # untouched
    assert sandbox.config.get("GitLabSettings.Secret") == "old"
    assert sandbox.config.get("PluginSettings.Plugins") == {
        "mmrc": {"fp": "x"}
    }  # whole map replaced
    assert sandbox.config.get("RateLimitSettings.VaryByHeader") == ""  # Go non-pointer field
    http.put("/api/v4/config/patch", json={"GitLabSettings": {"Secret": MASK}})
    assert sandbox.config.get("GitLabSettings.Secret") == "old"
    http.put("/api/v4/config/patch", json={"GitLabSettings": {"Secret": "new"}})
    assert sandbox.config.get("GitLabSettings.Secret") == "new"


def test_write_errors(http: httpx.Client) -> None:
    assert_error(
        http.put("/api/v4/config", json={"ServiceSettings": {}}),
        400,
        "api.config.update_config.clear_siteurl.app_error",
    )
    assert_error(
        http.put("/api/v4/config/patch", json={"ServiceSettings": {"SiteURL": ""}}),
        400,
        "api.config.update_config.clear_siteurl.app_error",
    )
    assert_error(
        http.put("/api/v4/config/patch", json={"PluginSettings": {"EnableUploads": True}}),
        403,
        "api.config.update_config.not_allowed_security.app_error",
    )
    assert_error(
        http.put("/api/v4/config/patch", json={"ServiceSettings": {"EnableCommands": "yes"}}),
        400,
        "api.context.invalid_body_param.app_error",
    )
    assert_error(
        http.put("/api/v4/config/patch", content=b"[1]"),
        400,
        "api.context.invalid_body_param.app_error",
    )


@pytest.mark.parametrize(
    ("patch", "error_id"),
    [
        ({"RateLimitSettings": {"PerSec": 0}}, "model.config.is_valid.rate_sec.app_error"),
        ({"RateLimitSettings": {"MaxBurst": -1}}, "model.config.is_valid.max_burst.app_error"),
        ({"RateLimitSettings": {"MemoryStoreSize": 0}}, "model.config.is_valid.rate_mem.app_error"),
        ({"TeamSettings": {"MaxUsersPerTeam": 0}}, "model.config.is_valid.max_users.app_error"),
        (
            {"TeamSettings": {"MaxChannelsPerTeam": 0}},
            "model.config.is_valid.max_channels.app_error",
        ),
        (
            {"ServiceSettings": {"SiteURL": "chat.example.com"}},
            "model.config.is_valid.site_url.app_error",
        ),
        (
            {"ServiceSettings": {"OutgoingIntegrationRequestsTimeout": 0}},
            "model.config.is_valid.outgoing_integrations_request_timeout.app_error",
        ),
    ],
)
def test_validation_ids(
    http: httpx.Client, sandbox: Sandbox, patch: dict[str, Any], error_id: str
) -> None:
    before = sandbox.config.effective()
    assert_error(http.put("/api/v4/config/patch", json=patch), 400, error_id)
    assert sandbox.config.effective() == before


def test_permissions(client_for: Clients, login: Callable[[object], str], sandbox: Sandbox) -> None:
    user = client_for(login(add_user(sandbox, "jan.devries")))
    for response in (
        user.get("/api/v4/config"),
        user.put("/api/v4/config/patch", json={}),
        user.put("/api/v4/config", json={}),
        user.get("/api/v4/config/environment"),
    ):
        assert_error(response, 403, "api.context.permissions.app_error")
    assert_error(
        client_for(None).get("/api/v4/config"), 401, "api.context.session_expired.app_error"
    )


def test_client_config(client_for: Clients) -> None:
    anonymous = client_for(None)
    r = anonymous.get("/api/v4/config/client", params={"format": "old"})
    assert r.status_code == 200
    assert r.json()["EnableCommands"] == "true" and r.json()["SiteName"] == "Mattermost"
    assert_error(
        anonymous.get("/api/v4/config/client"), 501, "api.config.client.old_format.app_error"
    )


def test_version_hash_follows_client_config(sandbox: Sandbox) -> None:
    before = sandbox.config.hash()
    set_config(sandbox, "ServiceSettings.EnableCommands", False)
    assert sandbox.config.hash() != before
    assert sandbox.version_id().split(".")[-2] == sandbox.config.hash()


# -- environment pins ---------------------------------------------------------------------------
ENV = {
    "MM_GITLABSETTINGS_ENABLE": "true",
    "MM_GITLABSETTINGS_SECRET": "from-env",
    "MM_SERVICESETTINGS_ENABLEINCOMINGWEBHOOKS": "false",
    "MM_TEAMSETTINGS_EXPERIMENTALDEFAULTCHANNELS": "dev alerts",
    "mm_guestaccountssettings_enable": "1",
    "MM_SERVICESETTINGS_ENABLECOMMANDS": "maybe",  # invalid bool: ignored
    "MM_SERVICESETTINGS_NOSUCHFIELD": "x",
}


@pytest.fixture
def pinned() -> Sandbox:
    return make_sandbox(environment=ENV)


def test_env_pins_apply_and_are_listed(pinned: Sandbox) -> None:
    cfg = pinned.config
    assert cfg.get("GitLabSettings.Enable") is True
    assert cfg.get("GitLabSettings.Secret") == "from-env"
    assert cfg.get("ServiceSettings.EnableIncomingWebhooks") is False
    assert cfg.get("TeamSettings.ExperimentalDefaultChannels") == ["dev", "alerts"]
    assert cfg.get("GuestAccountsSettings.Enable") is True
    assert cfg.get("ServiceSettings.EnableCommands") is True
    assert cfg.environment_overrides() == {
        "GitLabSettings": {"Enable": True, "Secret": True},
        "GuestAccountsSettings": {"Enable": True},
        "ServiceSettings": {"EnableIncomingWebhooks": True},
        "TeamSettings": {"ExperimentalDefaultChannels": True},
    }


def test_writes_to_pinned_fields_answer_200_and_change_nothing(pinned: Sandbox) -> None:
    from reconciler.sandbox.server import SandboxTransport

    with httpx.Client(
        transport=SandboxTransport(pinned),
        base_url="http://sandbox",
        headers={"Authorization": f"Bearer {pinned.options.admin_token}"},
    ) as http:
        env = http.get("/api/v4/config/environment")
        assert env.headers["cache-control"] == NO_CACHE
        assert env.json()["GitLabSettings"] == {"Enable": True, "Secret": True}
        r = http.put(
            "/api/v4/config/patch",
            json={
                "GitLabSettings": {"Enable": False, "Id": "app-id"},
                "ServiceSettings": {"EnableIncomingWebhooks": True},
            },
        )
        assert r.status_code == 200
        assert r.json()["GitLabSettings"]["Enable"] is True  # the env value
        assert r.json()["GitLabSettings"]["Id"] == "app-id"  # an unpinned field did change
        assert r.json()["ServiceSettings"]["EnableIncomingWebhooks"] is False
    stored = pinned.config.stored()
    assert stored["GitLabSettings"]["Enable"] is False  # the default persisted, not the write
    assert stored["GitLabSettings"]["Secret"] == ""
    assert stored["GitLabSettings"]["Id"] == "app-id"


def test_env_names_cover_nested_sections() -> None:
    pins = environment_pins({"MM_MESSAGEEXPORTSETTINGS_GLOBALRELAYSETTINGS_SMTPPASSWORD": "pw"})
    assert pins == {("MessageExportSettings", "GlobalRelaySettings", "SMTPPassword"): "pw"}
    assert ("PluginSettings", "Plugins") in leaf_paths()
    assert parse_env_value("42", 10) == (True, 42)
    assert parse_env_value("x", 10) == (False, None)
    assert parse_env_value('{"a": {}}', {}) == (True, {"a": {}})


def test_store_api(sandbox: Sandbox) -> None:
    cfg = sandbox.config
    assert cfg.get_bool("ServiceSettings.EnableCommands") is True
    assert cfg.developer_mode() is False
    set_config(sandbox, "ServiceSettings.EnableDeveloper", True)
    assert cfg.developer_mode() is True
    with pytest.raises(KeyError):
        cfg.get("ServiceSettings.Nope")
    effective = cfg.effective()
    effective["ServiceSettings"]["EnableCommands"] = False
    assert cfg.get("ServiceSettings.EnableCommands") is True  # a copy
    assert cfg.sanitized()["SqlSettings"]["DataSource"] == MASK
