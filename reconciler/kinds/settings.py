"""Server settings: integration switches, guest accounts and SSO (a singleton; update only).

Each group is one address (`settings.integrations`, `settings.guest_accounts`,
`settings.sso.gitlab`, …) and one `PUT /api/v4/config/patch` with only its
changed fields; the full `PUT /config` is never used (it resets everything it
is not sent to the defaults). Settings come first in the kind order, so
switches that webhooks and bots need are on before those are written.

What real Mattermost does that the plan accounts for:

- Secrets are write-only (`GET /config` shows 32 asterisks). The plan shows
  `(sensitive)` and decides from the fingerprint of the value mmrc last wrote
  (reconciler.secret_state); `--rotate-secrets` forces the write. A secret the
  server holds but mmrc never wrote is not compared: a warning, no write.
- A setting pinned by an environment variable (`GET /config/environment`)
  accepts writes with 200 and keeps its value: the plan reports it as
  "managed by the server's environment (MM_…)" instead of planning it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from reconciler import secret_state
from reconciler.errors import ApplyError, ForbiddenError, ReconcilerError
from reconciler.kinds.base import UserRef
from reconciler.kinds.integration_support import config_value, env_pinned
from reconciler.plan import SENSITIVE, Action, FieldChange, ResourceChange
from reconciler.workspace.secrets import parse_secret_ref, resolve_secret

if TYPE_CHECKING:
    from reconciler.client import Client
    from reconciler.kinds.base import ApplyContext, PlanContext
    from reconciler.workspace.models import Workspace

name = "settings"

SECRET_REF = "secret_ref"  # key in `after`: the reference (never the value) apply resolves


@dataclass(frozen=True, slots=True)
class Setting:
    field: str  # workspace field
    key: str  # config field
    form: str = "plain"  # plain | domains | secret


_SSO = (
    Setting("enable", "Enable"),
    Setting("id", "Id"),
    Setting("secret", "Secret", "secret"),
    Setting("scope", "Scope"),
    Setting("auth_endpoint", "AuthEndpoint"),
    Setting("token_endpoint", "TokenEndpoint"),
    Setting("user_api_endpoint", "UserAPIEndpoint"),
    Setting("discovery_endpoint", "DiscoveryEndpoint"),
    Setting("button_text", "ButtonText"),
    Setting("button_color", "ButtonColor"),
    Setting("directory_id", "DirectoryId"),
)

# group (address suffix) → (config section, settings)
GROUPS: dict[str, tuple[str, tuple[Setting, ...]]] = {
    "integrations": (
        "ServiceSettings",
        (
            Setting("incoming_webhooks", "EnableIncomingWebhooks"),
            Setting("outgoing_webhooks", "EnableOutgoingWebhooks"),
            Setting("slash_commands", "EnableCommands"),
            Setting("post_username_override", "EnablePostUsernameOverride"),
            Setting("post_icon_override", "EnablePostIconOverride"),
            Setting("bot_account_creation", "EnableBotAccountCreation"),
            Setting("user_access_tokens", "EnableUserAccessTokens"),
        ),
    ),
    "guest_accounts": (
        "GuestAccountsSettings",
        (
            Setting("enable", "Enable"),
            Setting("allow_email_accounts", "AllowEmailAccounts"),
            Setting("enforce_mfa", "EnforceMultifactorAuthentication"),
            Setting("restrict_domains", "RestrictCreationToDomains", "domains"),
        ),
    ),
    "sso.gitlab": ("GitLabSettings", _SSO),
    "sso.google": ("GoogleSettings", _SSO),
    "sso.office365": ("Office365Settings", _SSO),
    "sso.openid": ("OpenIdSettings", _SSO),
}

_PATCH_LOCK = threading.Lock()  # PluginSettings.Plugins is read-modified-written


def address_of(group: str) -> str:
    return f"settings.{group}"


def references(workspace: Workspace) -> Iterable[UserRef]:
    return ()


def observe(client: Client, context: PlanContext) -> None:
    """Read the sanitized config and the environment pins, when anything here needs them.

    Settings plan from them, and the integration kinds read the switches
    (incoming/outgoing webhooks, commands, overrides, bot creation) from them.
    Without a system console read permission the config stays None.
    """
    workspace = context.workspace
    needed = (
        workspace.settings is not None
        or bool(workspace.bots)
        or any(
            team.incoming_webhooks or team.outgoing_webhooks or team.commands
            for team in workspace.teams
        )
    )
    observation = context.observation
    if not needed or observation.config is not None:
        return
    try:
        observation.config = client.get("/api/v4/config")
        observation.environment = dict(client.get("/api/v4/config/environment") or {})
    except ForbiddenError:
        observation.config = None


def declared_groups(workspace: Workspace) -> list[tuple[str, BaseModel, tuple[str | int, ...]]]:
    """(group, model, path) for every settings group the workspace declares."""
    settings = workspace.settings
    found: list[tuple[str, BaseModel, tuple[str | int, ...]]] = []
    if settings is None:
        return found
    if settings.integrations is not None:
        found.append(("integrations", settings.integrations, ("settings", "integrations")))
    if settings.guest_accounts is not None:
        found.append(("guest_accounts", settings.guest_accounts, ("settings", "guest_accounts")))
    if settings.sso is not None:
        for provider in ("gitlab", "google", "office365", "openid"):
            model = getattr(settings.sso, provider)
            if model is not None:
                found.append((f"sso.{provider}", model, ("settings", "sso", provider)))
    return found


def from_config(setting: Setting, value: Any) -> Any:
    if setting.form == "domains":
        return [d.strip() for d in str(value or "").split(",") if d.strip()]
    if setting.form == "secret":
        return "" if not value else SENSITIVE
    return value


def to_config(setting: Setting, value: Any) -> Any:
    if setting.form == "domains":
        return ",".join(value or ())
    return value


def _same(setting: Setting, want: Any, have: Any) -> bool:
    if setting.form == "domains":
        return sorted(want or []) == sorted(have or [])
    return bool(want == have)


def _absolute_ref(ref: str, base: Path) -> str:
    parsed = parse_secret_ref(ref)
    if parsed is None or parsed.kind != "file":
        return ref
    path = Path(parsed.name).expanduser()
    return ref if path.is_absolute() else f"${{file:{(base / path).resolve()}}}"


def plan(context: PlanContext) -> Iterable[ResourceChange]:
    groups = declared_groups(context.workspace)
    if not groups:
        return []
    observation = context.observation
    if observation.config is None:
        context.error(
            ("settings",),
            "the server's config cannot be read (GET /api/v4/config needs a system console "
            "read permission), so settings cannot be planned",
        )
        return []
    rotate = bool(getattr(context.options, "rotate_secrets", False))
    fingerprints = secret_state.read_fingerprints(observation.config)
    base = Path(context.file).resolve().parent
    order = context.order_of(name)
    changes: list[ResourceChange] = []
    for group, model, path in groups:
        section, settings = GROUPS[group]
        address = address_of(group)
        before: dict[str, Any] = {}
        after: dict[str, Any] = {}
        fields: list[FieldChange] = []
        notes: list[str] = []
        for setting in settings:
            if setting.field not in type(model).model_fields:
                continue
            want = getattr(model, setting.field)
            if setting.field not in model.model_fields_set or want is None:
                continue
            raw = config_value(observation.config, section, setting.key)
            have = from_config(setting, raw)
            before[setting.field] = have
            pinned = env_pinned(observation.environment, section, setting.key)
            label = f"{address}.{setting.field}"
            if setting.form == "secret":
                after[setting.field] = SENSITIVE if want else ""
                if pinned:
                    context.warn(
                        f"{label} is managed by the server's environment ({pinned}); "
                        "mmrc does not write it"
                    )
                    continue
                try:
                    value = resolve_secret(want, base) if want else ""
                except ReconcilerError as error:
                    context.error((*path, setting.field), str(error))
                    continue
                decision = secret_state.decide(
                    label, value, str(raw or ""), fingerprints.get(label), rotate=rotate
                )
                if decision.state is secret_state.SecretState.UNKNOWN:
                    context.warn(f"{label}: {decision.reason}")
                if decision.write:
                    fields.append(FieldChange(setting.field, have, after[setting.field], True))
                    notes.append(f"{setting.field}: {decision.reason}")
                    if want:
                        after[SECRET_REF] = _absolute_ref(want, base)
                continue
            want = list(want) if setting.form == "domains" else want
            after[setting.field] = want
            if _same(setting, want, have):
                continue
            if pinned:
                after[setting.field] = have
                context.warn(
                    f"{label} is managed by the server's environment ({pinned}): it stays "
                    f"{have!r}; the workspace's {want!r} is not planned"
                )
                continue
            fields.append(FieldChange(setting.field, have, want))
        if fields:
            changes.append(
                ResourceChange(
                    address,
                    name,
                    Action.UPDATE,
                    before,
                    after,
                    tuple(fields),
                    tuple(notes),
                    order=order,
                )
            )
    return changes


def _secret_value(change: ResourceChange, context: ApplyContext) -> str:
    after = change.after or {}
    if not after.get("secret"):
        return ""
    if context.resolve_secret is not None:
        return context.resolve_secret(change.address, "secret")
    ref = after.get(SECRET_REF)
    if not ref:
        raise ApplyError(f"{change.address}: the plan holds no reference for the secret")
    return resolve_secret(str(ref))


def apply(change: ResourceChange, context: ApplyContext) -> None:
    group = change.address.removeprefix("settings.")
    section, settings = GROUPS[group]
    by_field = {s.field: s for s in settings}
    after = change.after or {}
    values: dict[str, Any] = {}
    fingerprints: dict[str, str | None] = {}
    for field in change.fields:
        setting = by_field[field.field]
        if setting.form == "secret":
            value = _secret_value(change, context)
            values[setting.key] = value
            label = f"{change.address}.{setting.field}"
            fingerprints[label] = secret_state.make_fingerprint(label, value) if value else None
        else:
            values[setting.key] = to_config(setting, after.get(field.field))
    patch: dict[str, Any] = {section: values}
    client = context.client
    with _PATCH_LOCK:
        if fingerprints:
            current = client.get("/api/v4/config")
            patch["PluginSettings"] = {"Plugins": secret_state.plugins_patch(current, fingerprints)}
        answer = client.put("/api/v4/config/patch", patch)
    _verify(change, section, by_field, values, answer)


def _verify(
    change: ResourceChange,
    section: str,
    by_field: Mapping[str, Setting],
    values: Mapping[str, Any],
    answer: Any,
) -> None:
    """The patch answers with the effective config: a field that did not take is an error."""
    if not isinstance(answer, Mapping):
        return
    stuck = []
    for field in change.fields:
        setting = by_field[field.field]
        if setting.form == "secret":
            continue
        have = config_value(answer, section, setting.key)
        if have is not None and not _same(
            setting, from_config(setting, values[setting.key]), from_config(setting, have)
        ):
            stuck.append(f"{section}.{setting.key}")
    if stuck:
        raise ApplyError(
            f"{change.address}: the server accepted the patch but kept {', '.join(stuck)} "
            "(pinned by its environment or config store?)"
        )
