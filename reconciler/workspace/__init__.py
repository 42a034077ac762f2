"""The workspace file: models, loading with positions, templating, secrets, validation.

load_workspace(path, vars_override) -> LoadedWorkspace   (raises ConfigError)
effective_channel(channel, policy) -> Channel            (class defaults filled in)
referenced_users(workspace) -> (members, guests)         (usernames the file names)
resolve_secret(ref, base_dir) -> str                     (reads ${env:…} / ${file:…})
"""

from __future__ import annotations

from reconciler.workspace.loader import LoadedWorkspace, load_var_file, load_workspace
from reconciler.workspace.models import (
    Bot,
    Channel,
    ChannelClass,
    Command,
    GuestAccountSettings,
    GuestModeration,
    IncomingWebhook,
    IntegrationSettings,
    MemberModeration,
    Moderation,
    Office365Sso,
    OutgoingWebhook,
    Policy,
    PolicyException,
    Prune,
    Settings,
    SsoProvider,
    SsoSettings,
    Team,
    Workspace,
)
from reconciler.workspace.policy import channel_class, effective_channel
from reconciler.workspace.schema import workspace_json_schema
from reconciler.workspace.secrets import SecretRef, parse_secret_ref, resolve_secret
from reconciler.workspace.sourcemap import Position, SourceMap
from reconciler.workspace.users import referenced_users

__all__ = [
    "Bot",
    "Channel",
    "ChannelClass",
    "Command",
    "GuestAccountSettings",
    "GuestModeration",
    "IncomingWebhook",
    "IntegrationSettings",
    "LoadedWorkspace",
    "MemberModeration",
    "Moderation",
    "Office365Sso",
    "OutgoingWebhook",
    "Policy",
    "PolicyException",
    "Position",
    "Prune",
    "SecretRef",
    "Settings",
    "SourceMap",
    "SsoProvider",
    "SsoSettings",
    "Team",
    "Workspace",
    "channel_class",
    "effective_channel",
    "load_var_file",
    "load_workspace",
    "parse_secret_ref",
    "referenced_users",
    "resolve_secret",
    "workspace_json_schema",
]
