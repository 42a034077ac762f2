"""System routes: ping and the client licence."""

from __future__ import annotations

from reconciler.sandbox.app import (
    Request,
    Response,
    Sandbox,
    json_response,
    route,
)
from reconciler.sandbox.routes._core import require_old_format

LICENSE_FEATURES = (
    "Announcement",
    "Cluster",
    "Compliance",
    "CustomPermissionsSchemes",
    "CustomTermsOfService",
    "DataRetention",
    "Elasticsearch",
    "EmailNotificationContents",
    "GoogleOAuth",
    "GuestAccounts",
    "GuestAccountsPermissions",
    "IDLoadedPushNotifications",
    "LDAP",
    "LDAPGroups",
    "LockTeammateNameDisplay",
    "MFA",
    "MessageExport",
    "Metrics",
    "Office365OAuth",
    "OpenId",
    "OutgoingOAuthConnections",
    "RemoteClusterService",
    "SAML",
    "SharedChannels",
    "ThemeManagement",
)
LICENSE_ID = "sandboxlicense000000000000"


@route("GET", "/api/v4/system/ping", auth=False)
def ping(sb: Sandbox, req: Request) -> Response:
    body: dict[str, str] = {
        "status": "OK",
        "AndroidLatestVersion": "",
        "AndroidMinVersion": "",
        "IosLatestVersion": "",
        "IosMinVersion": "",
        "ActiveSearchBackend": "database",
    }
    if req.arg("get_server_status") == "true":  # r.FormValue(...) == "true", not ParseBool
        body["database_status"] = "OK"
        body["filestore_status"] = "OK"
    return json_response(body)


def client_license(sb: Sandbox) -> dict[str, str]:
    if not sb.core.is_licensed():
        return {"IsLicensed": "false"}
    out = {
        "IsLicensed": "true",
        "IsTrial": "false",
        "IsGovSku": "false",
        "Cloud": "false",
        "Id": LICENSE_ID,
        "Name": "Sandbox",
        "Company": "Sandbox",
        "SkuName": "Enterprise",
        "SkuShortName": "enterprise",
        "Users": "10000",
        "IssuedAt": "1700000000000",
        "StartsAt": "1700000000000",
        "ExpiresAt": "4102444800000",
    }
    out.update({feature: "true" for feature in LICENSE_FEATURES})
    return out


@route("GET", "/api/v4/license/client", auth=False)
def get_client_license(sb: Sandbox, req: Request) -> Response:
    require_old_format(req, "license", "license")
    return json_response(client_license(sb))
