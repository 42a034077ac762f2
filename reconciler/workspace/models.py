"""The workspace file as frozen pydantic models (the engine's desired state).

Structure and types only: Mattermost's value rules (name regexes, lengths,
references) live in `rules.py`/`validate.py`, so that templated strings are
never rejected by the schema. Optional fields default to None, meaning "not
managed": the engine diffs only `model_fields_set`.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from reconciler.workspace.secrets import SECRET_REF_PATTERN

Names = tuple[str, ...]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _secret(description: str) -> Any:
    return Field(
        default=None,
        description=description + " A reference: ${env:NAME} or ${file:path}; never a literal.",
        json_schema_extra={"pattern": SECRET_REF_PATTERN + "|^$"},
    )


class GuestModeration(_Model):
    post: bool | None = Field(None, description="Guests may post (create_post).")
    reactions: bool | None = Field(None, description="Guests may react (create_reactions).")
    channel_mentions: bool | None = Field(
        None, description="Guests may use @channel/@here (use_channel_mentions)."
    )


class MemberModeration(_Model):
    post: bool | None = Field(None, description="Members may post (create_post).")
    reactions: bool | None = Field(None, description="Members may react (create_reactions).")
    channel_mentions: bool | None = Field(
        None, description="Members may use @channel/@here (use_channel_mentions)."
    )
    manage_members: bool | None = Field(
        None, description="Members may add and remove channel members (manage_members)."
    )


class Moderation(_Model):
    """Channel moderation (needs a licensed server)."""

    guests: GuestModeration | None = Field(None, description="What guests may do here.")
    members: MemberModeration | None = Field(None, description="What members may do here.")


class Channel(_Model):
    name: str = Field(description="URL name, e.g. team-support (lowercase, digits, - and _).")
    display_name: str = Field(description="Shown name, 1-64 characters.")
    visibility: Literal["public", "private"] | None = Field(
        None, description="public (O) or private (P); defaults to the naming class's."
    )
    purpose: str | None = Field(None, description="At most 250 characters.")
    header: str | None = Field(None, description="At most 1024 characters (markdown).")
    members: Names | None = Field(
        None, description="Usernames of members; absent = membership not managed."
    )
    guests: Names | None = Field(
        None, description="Usernames of guests added to this channel; absent = not managed."
    )
    moderation: Moderation | None = Field(None, description="Channel moderation overrides.")
    renamed_from: Names = Field((), description="Earlier names; an existing one is renamed.")
    archived: bool | None = Field(None, description="true archives the channel.")
    prevent_archive: bool | None = Field(
        None, description="Refuse plans that archive this channel."
    )


class Prune(_Model):
    """What to delete when it exists on the server but not in the file."""

    channels: bool = Field(False, description="Archive undeclared channels.")
    members: bool = Field(False, description="Remove undeclared team/channel members.")
    webhooks: bool = Field(False, description="Delete undeclared webhooks.")
    commands: bool = Field(False, description="Delete undeclared slash commands.")


class IncomingWebhook(_Model):
    display_name: str = Field(description="Key within the team; at most 64 characters.")
    channel: str = Field(description="Name of a channel of this team.")
    description: str | None = Field(None, description="At most 500 characters.")
    username: str | None = Field(None, description="Post as this name (needs override on).")
    icon_url: str | None = Field(None, description="Post with this icon (needs override on).")
    channel_locked: bool | None = Field(None, description="Posts only to its own channel.")
    owner: str | None = Field(None, description="A declared bot or a username.")
    prevent_destroy: bool | None = Field(
        None, description="Refuse plans that delete it (a replace deletes the old one)."
    )


class OutgoingWebhook(_Model):
    display_name: str = Field(description="Key within the team; at most 64 characters.")
    channel: str | None = Field(None, description="A public channel of this team (optional).")
    trigger_words: Names | None = Field(None, description="Words that fire the webhook.")
    trigger_when: Literal["first_word", "starts_with"] | None = Field(
        None, description="first_word: exact first word (0); starts_with: prefix (1)."
    )
    callback_urls: Names = Field(description="http(s) URLs the post is sent to.")
    content_type: Literal["application/x-www-form-urlencoded", "application/json"] | None = Field(
        None, description="Body encoding of the callback."
    )
    description: str | None = Field(None, description="At most 500 characters.")
    username: str | None = Field(None, description="Reply username (needs override on).")
    icon_url: str | None = Field(None, description="Reply icon (needs override on).")
    owner: str | None = Field(None, description="A declared bot or a username.")
    prevent_destroy: bool | None = Field(
        None, description="Refuse plans that delete it (a replace deletes the old one)."
    )


class Command(_Model):
    trigger: str = Field(description="Key within the team: the word after '/', lowercase.")
    url: str = Field(description="http(s) URL Mattermost calls.")
    method: Literal["POST", "GET"] | None = Field(None, description="POST (P) or GET (G).")
    display_name: str | None = Field(None, description="At most 64 characters.")
    description: str | None = Field(None, description="At most 128 characters.")
    username: str | None = Field(None, description="Response username (needs override on).")
    icon_url: str | None = Field(None, description="Response icon (needs override on).")
    autocomplete: bool | None = Field(None, description="Offer in the autocomplete list.")
    autocomplete_description: str | None = Field(None, description="Autocomplete help text.")
    autocomplete_hint: str | None = Field(None, description="Autocomplete argument hint.")
    owner: str | None = Field(None, description="A declared bot or a username.")
    prevent_destroy: bool | None = Field(
        None, description="Refuse plans that delete it (a replace deletes the old one)."
    )


class Team(_Model):
    name: str = Field(description="URL name, immutable; 2-64 lowercase letters, digits, '-'.")
    display_name: str = Field(description="Shown name, 1-64 characters.")
    visibility: Literal["open", "invite-only"] | None = Field(
        None, description="open (O, open invite) or invite-only (I)."
    )
    description: str | None = Field(None, description="At most 255 characters.")
    allowed_domains: Names | None = Field(None, description="Email domains allowed to join.")
    members: Names | None = Field(None, description="Usernames; absent = not managed.")
    guests: Names | None = Field(None, description="Guest usernames; absent = not managed.")
    prune: Prune = Field(default_factory=Prune, description="Delete what the file omits.")
    prevent_archive: Names = Field((), description="Channel names plans may never archive.")
    prevent_destroy: Names = Field(
        (),
        description="Webhook display names and command triggers plans may never delete.",
    )
    channels: tuple[Channel, ...] = Field((), description="Channels of the team.")
    incoming_webhooks: tuple[IncomingWebhook, ...] = Field((), description="Incoming webhooks.")
    outgoing_webhooks: tuple[OutgoingWebhook, ...] = Field((), description="Outgoing webhooks.")
    commands: tuple[Command, ...] = Field((), description="Custom slash commands.")


class Bot(_Model):
    username: str = Field(description="Bot username (lowercase letters, digits, '.', '-', '_').")
    display_name: str | None = Field(None, description="At most 64 characters.")
    description: str | None = Field(None, description="At most 1024 characters.")


class IntegrationSettings(_Model):
    incoming_webhooks: bool | None = Field(None, description="EnableIncomingWebhooks.")
    outgoing_webhooks: bool | None = Field(None, description="EnableOutgoingWebhooks.")
    slash_commands: bool | None = Field(None, description="EnableCommands.")
    post_username_override: bool | None = Field(None, description="EnablePostUsernameOverride.")
    post_icon_override: bool | None = Field(None, description="EnablePostIconOverride.")
    bot_account_creation: bool | None = Field(None, description="EnableBotAccountCreation.")
    user_access_tokens: bool | None = Field(None, description="EnableUserAccessTokens.")


class GuestAccountSettings(_Model):
    enable: bool | None = Field(None, description="GuestAccountsSettings.Enable.")
    allow_email_accounts: bool | None = Field(None, description=".AllowEmailAccounts.")
    enforce_mfa: bool | None = Field(None, description=".EnforceMultifactorAuthentication.")
    restrict_domains: Names | None = Field(None, description=".RestrictCreationToDomains.")


class _OAuthProvider(_Model):
    """The fields every OAuth/OpenID provider section shares (Mattermost's SSOSettings)."""

    enable: bool | None = Field(None, description="Enable sign-in with this provider.")
    id: str | None = Field(None, description="OAuth application id.")
    secret: str | None = _secret("OAuth application secret.")
    scope: str | None = Field(None, description="OAuth scope.")
    auth_endpoint: str | None = Field(None, description="Browser-facing authorize URL.")
    token_endpoint: str | None = Field(None, description="Token URL (server to server).")
    user_api_endpoint: str | None = Field(None, description="User API URL (server to server).")
    discovery_endpoint: str | None = Field(None, description="OpenID discovery URL.")


class SsoProvider(_OAuthProvider):
    button_text: str | None = Field(None, description="Login button text.")
    button_color: str | None = Field(None, description="Login button colour.")


class Office365Sso(_OAuthProvider):
    directory_id: str | None = Field(None, description="Azure AD directory (tenant) id.")


class SsoSettings(_Model):
    gitlab: SsoProvider | None = Field(None, description="GitLabSettings.")
    google: SsoProvider | None = Field(None, description="GoogleSettings.")
    office365: Office365Sso | None = Field(None, description="Office365Settings.")
    openid: SsoProvider | None = Field(None, description="OpenIdSettings.")


class Settings(_Model):
    integrations: IntegrationSettings | None = Field(None, description="ServiceSettings.*.")
    guest_accounts: GuestAccountSettings | None = Field(None, description="Guest accounts.")
    sso: SsoSettings | None = Field(None, description="Single sign-on providers.")


class ChannelClass(_Model):
    """A naming class: channels named `<prefix><rest>` get its defaults and constraints."""

    prefix: str | None = Field(None, description="Name prefix; defaults to '<class>-'.")
    visibility: Literal["public", "private"] | None = Field(
        None, description="Default and required visibility of the class's channels."
    )
    allow_guests: bool = Field(True, description="false forbids guests and guest moderation.")
    require_purpose: bool = Field(False, description="Channels must declare a purpose.")
    moderation: Moderation | None = Field(None, description="Default moderation.")


class PolicyException(_Model):
    team: str = Field(description="Team name.")
    channel: str = Field(description="Channel name exempt from the naming rules.")
    reason: str = Field(description="Why this channel breaks the convention.")


def _default_classes() -> dict[str, ChannelClass]:
    return {name: ChannelClass() for name in ("team", "project", "topic", "alert")}


class Policy(_Model):
    exempt: Names = Field(
        ("town-square", "off-topic"), description="Channel names outside the prefix rules."
    )
    classes: dict[str, ChannelClass] = Field(
        default_factory=_default_classes, description="Naming classes by name (prefix)."
    )
    exceptions: tuple[PolicyException, ...] = Field(
        (), description="Baseline of channels allowed to break the rules."
    )


class Workspace(_Model):
    """The desired state of one Mattermost server."""

    version: Literal[1] = Field(description="Format version; always 1.")
    include: Names = Field((), description="Further files (teams/bots), relative to this one.")
    vars: dict[str, Any] = Field(
        default_factory=dict, description="Variables for Jinja2 in string values."
    )
    policy: Policy = Field(default_factory=Policy, description="Channel naming policy.")
    settings: Settings | None = Field(None, description="Server settings.")
    bots: tuple[Bot, ...] = Field((), description="Bot accounts.")
    teams: tuple[Team, ...] = Field((), description="Teams and what they hold.")
