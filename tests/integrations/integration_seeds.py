"""The organisation's integrations from the seeds (shared/seeds), as workspace YAML.

n8n posts Redmine, Zammad, ERPNext and Grafana notifications through incoming
webhooks, `!ticket` reaches n8n through an outgoing webhook, `/reply` is a
slash command handled by n8n, and people sign in with GitLab (public
authorize URL, internal token and user API URLs).
"""

from __future__ import annotations

SETTINGS = """\
settings:
  integrations:
    incoming_webhooks: true
    outgoing_webhooks: true
    slash_commands: true
    post_username_override: true
    post_icon_override: true
    bot_account_creation: true
  sso:
    gitlab:
      enable: true
      id: "asd-gitlab-application-id"
      secret: ${env:GITLAB_OAUTH_SECRET}
      auth_endpoint: "{{ gitlab_public }}/oauth/authorize"
      token_endpoint: http://asd-gitlab/oauth/token
      user_api_endpoint: http://asd-gitlab/api/v4/user
"""

TEAM = """\
vars:
  gitlab_public: https://gitlab.asd-pma.nl
{settings}
bots:
  - {{username: n8n-bot, display_name: n8n, description: "n8n workflows"}}
teams:
  - name: asd
    display_name: ASD-PMA
    prune: {{webhooks: {prune}, commands: {prune}}}
    channels:
      - {{name: team-support, display_name: Support, visibility: public}}
      - {{name: project-development, display_name: Development, visibility: public}}
      - {{name: topic-business, display_name: Business, visibility: public}}
      - {{name: alert-monitoring, display_name: Alerts, visibility: public}}
    incoming_webhooks:
      - display_name: Redmine
        channel: {redmine_channel}
        username: redmine-bot
        icon_url: https://redmine.org/favicon.ico
        owner: n8n-bot
      - {{display_name: Zammad, channel: team-support, username: zammad-bot, description: "Zammad ticket alerts"}}
      - {{display_name: ERPNext, channel: topic-business, description: "ERPNext business events"}}
{grafana}
    outgoing_webhooks:
      - display_name: n8n ticket trigger
        channel: team-support
        trigger_words: {trigger_words}
        trigger_when: first_word
        callback_urls: [{callback}]
        content_type: application/json
        owner: {outgoing_owner}
    commands:
      - trigger: reply
        url: http://asd-n8n:5678/webhook/mattermost-reply
        method: POST
        display_name: Reply
        description: Reply to a Redmine, Zammad or ERPNext ticket
        autocomplete: true
        autocomplete_hint: "[ticket] message"
        owner: {command_owner}
"""

GRAFANA = """\
      - {display_name: Grafana, channel: alert-monitoring, description: "Grafana alerts via n8n"}
"""


def workspace(
    *,
    settings: str = SETTINGS,
    redmine_channel: str = "project-development",
    grafana: bool = True,
    trigger_words: str = '["!ticket"]',
    callback: str = "http://asd-n8n:5678/webhook/mattermost-ticket",
    outgoing_owner: str = "sysadmin",
    command_owner: str = "sysadmin",
    prune: bool = False,
) -> str:
    return "version: 1\n" + TEAM.format(
        settings=settings,
        redmine_channel=redmine_channel,
        grafana=GRAFANA.rstrip("\n") if grafana else "",
        trigger_words=trigger_words,
        callback=callback,
        outgoing_owner=outgoing_owner,
        command_owner=command_owner,
        prune="true" if prune else "false",
    )


# The seeds' payloads (Dutch originals): a Zammad ticket alert and an approval with buttons.
ZAMMAD_PAYLOAD = {
    "channel": "team-support",
    "username": "zammad-bot",
    "icon_emoji": ":ticket:",
    "text": "**Urgent Ticket**\n\n**ZD#74001**: Server down\nPriority: High\nCustomer: Acme Corp",
}
APPROVAL_PAYLOAD = {
    "text": "Approve deployment?",
    "attachments": [
        {
            "actions": [
                {
                    "id": "approve",
                    "name": "Approve",
                    "integration": {
                        "url": "https://n8n.example.com/webhook/approve",
                        "context": {"deployment_id": "deploy-123"},
                    },
                },
                {
                    "id": "reject",
                    "name": "Reject",
                    "style": "danger",
                    "integration": {
                        "url": "https://n8n.example.com/webhook/reject",
                        "context": {"deployment_id": "deploy-123"},
                    },
                },
            ]
        }
    ],
}
