"""A subset of Mattermost's Config.IsValid (MM server/public/model/config.go): the
first failed check, in the server's order, is 400 `model.config.is_valid.<field>.app_error`."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from reconciler.sandbox.app import AppError

_POSITIVE = "Must be a positive number."


def validate(cfg: dict[str, Any]) -> None:
    service, team, files = cfg["ServiceSettings"], cfg["TeamSettings"], cfg["FileSettings"]
    rate = cfg["RateLimitSettings"]
    site_url = urlparse(service["SiteURL"]) if service["SiteURL"] else None
    checks: tuple[tuple[bool, str, str], ...] = (
        (
            site_url is not None
            and (site_url.scheme not in ("http", "https") or not site_url.netloc),
            "site_url",
            "Site URL must be a valid URL and start with http:// or https://.",
        ),
        (
            service["MaximumLoginAttempts"] <= 0,
            "login_attempts",
            f"Invalid maximum login attempts for service settings. {_POSITIVE}",
        ),
        (service["ReadTimeout"] <= 0, "read_timeout", "Invalid value for read timeout."),
        (service["WriteTimeout"] <= 0, "write_timeout", "Invalid value for write timeout."),
        (
            service["OutgoingIntegrationRequestsTimeout"] <= 0,
            "outgoing_integrations_request_timeout",
            "Invalid value for outgoing integrations request timeout.",
        ),
        (
            service["MaximumPayloadSizeBytes"] <= 0,
            "max_payload_size",
            "Invalid max payload size for service settings.",
        ),
        (
            team["MaxUsersPerTeam"] <= 0,
            "max_users",
            f"Invalid maximum users per team for team settings. {_POSITIVE}",
        ),
        (
            team["MaxChannelsPerTeam"] <= 0,
            "max_channels",
            f"Invalid maximum channels per team for team settings. {_POSITIVE}",
        ),
        (
            team["MaxNotificationsPerChannel"] <= 0,
            "max_notify_per_channel",
            f"Invalid maximum notifications per channel for team settings. {_POSITIVE}",
        ),
        (
            team["RestrictDirectMessage"] not in ("any", "team"),
            "restrict_direct_message",
            "Invalid restrict direct message. Must be 'any', or 'team'.",
        ),
        (
            team["TeammateNameDisplay"] not in ("username", "nickname_full_name", "full_name"),
            "teammate_name_display",
            "Invalid teammate display. Must be 'full_name', 'nickname_full_name' or 'username'.",
        ),
        (
            len(team["SiteName"]) > 30,
            "sitename_length",
            "Site name must be less than or equal to 30 characters.",
        ),
        (
            cfg["SqlSettings"]["DriverName"] not in ("postgres", "mysql"),
            "sql_driver",
            "Invalid driver name for SQL settings. Must be 'mysql' or 'postgres'.",
        ),
        (
            files["MaxFileSize"] <= 0,
            "max_file_size",
            "Invalid max file size for file settings. Must be a whole number greater than zero.",
        ),
        (
            files["DriverName"] not in ("local", "amazons3"),
            "file_driver",
            "Invalid driver name for file settings. Must be 'local' or 'amazons3'.",
        ),
        (
            not 5 <= cfg["PasswordSettings"]["MinimumLength"] <= 72,
            "password_length",
            "Minimum password length must be a whole number greater than or equal to 5 and "
            "less than or equal to 72.",
        ),
        (
            cfg["CacheSettings"]["CacheType"] not in ("lru", "redis"),
            "cache_type",
            "Cache type must be either lru or redis.",
        ),
        (
            rate["MemoryStoreSize"] <= 0,
            "rate_mem",
            f"Invalid memory store size for rate limit settings. {_POSITIVE}",
        ),
        (
            rate["PerSec"] <= 0,
            "rate_sec",
            f"Invalid per second for rate limit settings. {_POSITIVE}",
        ),
        (rate["MaxBurst"] <= 0, "max_burst", "Maximum burst size must be greater than zero."),
    )
    for failed, field, message in checks:
        if failed:
            raise AppError(400, f"model.config.is_valid.{field}.app_error", message)
