"""The `settings:` an import writes: the groups the workspace format covers, from the config.

Secrets are written as `${env:…}` references (with a comment and a Summary
entry naming the variable to set), since the server only shows a mask;
settings the server's environment pins are left out with a comment. An SSO
provider is written only when it is in use (enabled, or an id or secret set).
Guest accounts that are off are left out when the import declares guests (the
format refuses guests with guest accounts off).
"""

from __future__ import annotations

from ruamel.yaml.comments import CommentedMap

from reconciler.importer.naming import secret_env_name
from reconciler.importer.summary import Summary
from reconciler.importer.yaml_doc import comment_before, put
from reconciler.kinds import settings
from reconciler.kinds.base import Observation
from reconciler.kinds.integration_support import config_value, env_pinned
from reconciler.plan import SENSITIVE
from reconciler.workspace.models import Office365Sso, SsoProvider

_SSO_PROVIDERS = ("gitlab", "google", "office365", "openid")


def settings_section(
    observation: Observation, summary: Summary, *, guests_declared: bool
) -> CommentedMap | None:
    """The settings document, or None when the config is not readable (or says nothing)."""
    if observation.config is None:
        return None
    out = CommentedMap()
    for group in ("integrations", "guest_accounts"):
        built = _group(observation, summary, group, 4, guests_declared)
        if built is not None:
            out[group] = built
    sso = CommentedMap()
    for provider in _SSO_PROVIDERS:
        if _sso_in_use(observation, provider):
            built = _group(observation, summary, f"sso.{provider}", 6, guests_declared)
            if built is not None:
                sso[provider] = built
    if sso:
        out["sso"] = sso
    for group in out:
        summary.count("settings groups", len(sso) if group == "sso" else 1)
    return out or None


def _sso_in_use(observation: Observation, provider: str) -> bool:
    section = settings.GROUPS[f"sso.{provider}"][0]
    values = [config_value(observation.config, section, key) for key in ("Enable", "Id", "Secret")]
    return any(bool(v) for v in values)


def _group(
    observation: Observation, summary: Summary, group: str, indent: int, guests_declared: bool
) -> CommentedMap | None:
    section, fields = settings.GROUPS[group]
    model = {"sso.office365": Office365Sso}.get(group, SsoProvider)
    out = CommentedMap()
    pinned_notes: list[str] = []
    for setting in fields:
        if group.startswith("sso.") and setting.field not in model.model_fields:
            continue
        raw = config_value(observation.config, section, setting.key)
        if raw is None:
            continue
        pinned = env_pinned(observation.environment, section, setting.key)
        if pinned:
            pinned_notes.append(
                f"{setting.field}: left out, pinned by the server's environment ({pinned})"
            )
            continue
        value = settings.from_config(setting, raw)
        guest_switch = group == "guest_accounts" and setting.field == "enable"
        if guest_switch and value is False and guests_declared:
            pinned_notes.append(
                "enable: left out: it is false on the server, yet the server has guests "
                "(imported under guests:), and the format refuses guests with guest "
                "accounts off"
            )
            continue
        if setting.form == "secret":
            if value != SENSITIVE:
                continue  # no secret set on the server: nothing to reference
            taken = [name for name, _ in summary.env_vars]
            var = secret_env_name(group, setting.field, taken)
            label = f"settings.{group}.{setting.field}"
            out[setting.field] = f"${{env:{var}}}"
            out.yaml_add_eol_comment(f"secret: set ${{env:{var}}} before plan", setting.field)
            summary.env_vars.append((var, label))
            continue
        put(out, setting.field, value)
    summary.notes += [f"settings.{group}.{n}" for n in pinned_notes]
    if pinned_notes and out:
        comment_before(out, next(iter(out)), pinned_notes, indent)
    return out or None
