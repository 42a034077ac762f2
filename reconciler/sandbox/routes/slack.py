"""Slack-compatible webhook payloads as Mattermost stores them: `<url|text>` links and
`<!channel>` mentions in markdown (model.ParseSlackLinksToMarkdown, ProcessSlackText),
attachments with every field present and field values as strings."""

from __future__ import annotations

import json
import re
from typing import Any

_SLACK_LINK = re.compile(r"<([^<>|]+)\|([^<>]+)>")
_SLACK_MENTIONS = (("<!channel>", "@channel"), ("<!here>", "@here"), ("<!all>", "@all"))


def slack_to_markdown(text: str) -> str:
    """model.ParseSlackLinksToMarkdown plus ProcessSlackText's mention forms."""
    for slack, markdown in _SLACK_MENTIONS:
        text = text.replace(slack, markdown)
    return _SLACK_LINK.sub(r"[\2](\1)", text)


def _stringify(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return json.dumps(value) if isinstance(value, (dict, list)) else str(value)


_ATTACHMENT_TEXT_FIELDS = (
    "fallback", "color", "pretext", "author_name", "author_link", "author_icon",
    "title", "title_link", "text",
)  # fmt: skip
_ATTACHMENT_TAIL_FIELDS = ("image_url", "thumb_url", "footer", "footer_icon")
_ACTION_FIELDS = (
    "id", "type", "name", "disabled", "style", "data_source", "options",
    "default_option", "integration", "cookie",
)  # fmt: skip


def _normalize_action(raw: Any) -> dict[str, Any] | None:
    if not isinstance(raw, dict):
        return None
    action = {key: raw[key] for key in _ACTION_FIELDS if raw.get(key) not in (None, "", False, [])}
    integration = action.get("integration")
    if isinstance(integration, dict):
        action["integration"] = {
            key: integration[key] for key in ("url", "context") if integration.get(key)
        }
    return action


def normalize_attachment(raw: Any) -> dict[str, Any] | None:
    """A SlackAttachment as the server stores it: every field present, field values
    stringified, `<url|text>` turned into markdown in text/pretext/field values."""
    if not isinstance(raw, dict):
        return None
    out: dict[str, Any] = {"id": raw.get("id") if isinstance(raw.get("id"), int) else 0}
    for key in _ATTACHMENT_TEXT_FIELDS:
        out[key] = raw.get(key) if isinstance(raw.get(key), str) else ""
    out["text"] = slack_to_markdown(out["text"])
    out["pretext"] = slack_to_markdown(out["pretext"])
    fields = []
    for field in raw.get("fields") or []:
        if isinstance(field, dict):
            fields.append(
                {
                    "title": _stringify(field.get("title")),
                    "value": slack_to_markdown(_stringify(field.get("value"))),
                    "short": bool(field.get("short")),
                }
            )
    out["fields"] = fields or None
    for key in _ATTACHMENT_TAIL_FIELDS:
        out[key] = raw.get(key) if isinstance(raw.get(key), str) else ""
    out["ts"] = raw.get("ts")
    actions = [a for a in (_normalize_action(x) for x in raw.get("actions") or []) if a]
    if actions:
        out["actions"] = actions
    return out
