#!/usr/bin/env bash
# Turn a freshly started Mattermost (compose.yaml, or a CI service container) into one mmrc
# can talk to, and print the two variables mmrc and the live test suite read:
#
#   eval "$(scripts/bootstrap-mattermost.sh)"    # → export MM_URL=… MM_TOKEN=…
#
# Steps: wait for /api/v4/system/ping; log in as the admin, creating it first if the server has
# no such user (the first account on a server becomes its system admin); switch on personal
# access tokens, bot accounts and integrations with PUT /api/v4/config/patch (settings pinned by
# MM_* environment variables cannot be changed this way; the script says so); create a personal
# access token for the admin. Safe to run again: an existing admin is logged in, not recreated,
# and every run adds one new token.
#
# Environment (all optional):
#   MM_URL                 server to bootstrap            (default http://127.0.0.1:9107)
#   MM_ADMIN_USERNAME      admin account                  (default sysadmin)
#   MM_ADMIN_PASSWORD      its password                   (default Sysadmin-local-only-1)
#   MM_ADMIN_EMAIL         its e-mail, on creation        (default sysadmin@example.com)
#   MM_BOOTSTRAP_TIMEOUT   seconds to wait for the ping   (default 300)
#
# Needs curl and python3 (for JSON; no jq). Progress goes to stderr, the exports to stdout.
set -euo pipefail

MM_URL="${MM_URL:-http://127.0.0.1:9107}"
MM_URL="${MM_URL%/}"
admin_username="${MM_ADMIN_USERNAME:-sysadmin}"
admin_password="${MM_ADMIN_PASSWORD:-Sysadmin-local-only-1}"
admin_email="${MM_ADMIN_EMAIL:-sysadmin@example.com}"
wait_seconds="${MM_BOOTSTRAP_TIMEOUT:-300}"

log() { printf 'bootstrap: %s\n' "$*" >&2; }
die() {
    log "error: $*"
    exit 1
}

command -v curl >/dev/null 2>&1 || die "curl is required"
command -v python3 >/dev/null 2>&1 || die "python3 is required"

workdir="$(mktemp -d)"
trap 'rm -rf "$workdir"' EXIT
chmod 700 "$workdir"
auth_header_file="$workdir/auth-header" # the session token goes in a file, never in argv
: >"$auth_header_file"

status=""

# api METHOD PATH [JSON]: sets $status; the body lands in $workdir/body, headers in $workdir/headers.
api() {
    local method="$1" path="$2" data="${3-}"
    local args=(-sS -X "$method" -o "$workdir/body" -D "$workdir/headers" -w '%{http_code}'
        -H 'Accept: application/json' -H 'X-Requested-With: XMLHttpRequest'
        -H "@$auth_header_file" --max-time 30)
    if [[ -n "$data" ]]; then
        args+=(-H 'Content-Type: application/json' --data-binary "$data")
    fi
    : >"$workdir/body"
    status="$(curl "${args[@]}" "$MM_URL$path" 2>/dev/null)" || status="000"
}

# json EXPR: evaluates a Python expression over the last response body, bound to `d`.
json() {
    python3 - "$workdir/body" "$1" <<'PY'
import json, sys
try:
    with open(sys.argv[1], encoding="utf-8") as handle:
        d = json.load(handle)
except ValueError:
    d = None
value = eval(sys.argv[2], {"d": d})  # the expressions are this script's own, never input
print("" if value is None else value)
PY
}

# body_json KEY VALUE [KEY VALUE ...]: a JSON object of strings, built without shell quoting traps.
body_json() {
    python3 -c 'import json, sys; a = sys.argv[1:]; print(json.dumps(dict(zip(a[::2], a[1::2]))))' "$@"
}

# error_text: the AppError id and message of the last response, for diagnostics.
error_text() {
    json '(d.get("id", "") + ": " + d.get("message", "")) if isinstance(d, dict) else "no JSON body"'
}

# 1. Wait until the server answers the ping.
log "waiting for $MM_URL/api/v4/system/ping (up to ${wait_seconds}s)"
deadline=$((SECONDS + wait_seconds))
while :; do
    api GET /api/v4/system/ping
    if [[ "$status" == 200 && "$(json 'd.get("status") if isinstance(d, dict) else ""')" == OK ]]; then
        break
    fi
    if ((SECONDS >= deadline)); then
        die "no healthy answer from $MM_URL/api/v4/system/ping after ${wait_seconds}s (last status $status)"
    fi
    sleep 3
done
version="$(grep -i '^x-version-id:' "$workdir/headers" | tr -d '\r' | cut -d' ' -f2 || true)"
log "server is up (X-Version-Id: ${version:-unknown})"

login_body="$(body_json login_id "$admin_username" password "$admin_password")"

# 2. Log in; create the admin first if it does not exist yet.
api POST /api/v4/users/login "$login_body"
if [[ "$status" != 200 ]]; then
    log "cannot log in as $admin_username ($status $(error_text)); creating the account"
    api POST /api/v4/users "$(body_json email "$admin_email" username "$admin_username" password "$admin_password")"
    if [[ "$status" != 201 ]]; then
        die "creating $admin_username failed: $status $(error_text). If the server already has users, set MM_ADMIN_USERNAME and MM_ADMIN_PASSWORD to a system admin's."
    fi
    api POST /api/v4/users/login "$login_body"
    [[ "$status" == 200 ]] || die "logging in as $admin_username failed: $status $(error_text)"
fi
user_id="$(json 'd["id"]')"
roles="$(json 'd.get("roles", "")')"
case " $roles " in
*" system_admin "*) ;;
*) die "$admin_username is not a system admin (roles: $roles); the first account on a server becomes the admin, so this server was set up by someone else" ;;
esac
session="$(grep -i '^token:' "$workdir/headers" | tr -d '\r' | cut -d' ' -f2 || true)"
[[ -n "$session" ]] || die "the login answer had no Token header"
printf 'Authorization: Bearer %s\n' "$session" >"$auth_header_file"
log "logged in as $admin_username ($user_id)"

# 3. Switch on what mmrc and the live suite need.
patch='{"ServiceSettings": {
  "EnableUserAccessTokens": true,
  "EnableBotAccountCreation": true,
  "EnableIncomingWebhooks": true,
  "EnableOutgoingWebhooks": true,
  "EnableCommands": true,
  "EnablePostUsernameOverride": true,
  "EnablePostIconOverride": true
}}'
api PUT /api/v4/config/patch "$patch"
[[ "$status" == 200 ]] || die "PUT /api/v4/config/patch failed: $status $(error_text)"
not_on="$(json '" ".join(k for k, v in d["ServiceSettings"].items() if k in ("EnableUserAccessTokens", "EnableBotAccountCreation", "EnableIncomingWebhooks", "EnableOutgoingWebhooks", "EnableCommands", "EnablePostUsernameOverride", "EnablePostIconOverride") and v is not True)')"
if [[ -n "$not_on" ]]; then
    log "warning: still off after the patch (pinned by MM_SERVICESETTINGS_* environment variables?): $not_on"
fi
log "personal access tokens, bot accounts and integrations are enabled"

# 4. A personal access token for the admin (shown once by the server).
api POST "/api/v4/users/$user_id/tokens" "$(body_json description "mmrc bootstrap $(date -u +%Y-%m-%dT%H:%M:%SZ)")"
[[ "$status" == 200 ]] || die "creating a personal access token failed: $status $(error_text)"
token="$(json 'd["token"]')"
[[ -n "$token" ]] || die "the token answer had no token"
log "created a personal access token for $admin_username"

printf 'export MM_URL=%q\n' "$MM_URL"
printf 'export MM_TOKEN=%q\n' "$token"
