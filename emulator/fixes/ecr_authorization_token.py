"""ECR GetAuthorizationToken: tokens valid for 12 hours that the registry stand-in can verify.

What moto 5.2.5 does: every call returns the password ``<account>-auth-token`` (the same string
forever, so nothing can tell an issued token from a guessed one) with ``expiresAt`` fixed at
2015-01-01, so any client that checks the expiry thinks it has expired.

What AWS documents:
https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_GetAuthorizationToken.html
https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_AuthorizationData.html
https://docs.aws.amazon.com/AmazonECR/latest/userguide/registry_auth.html

The token is base64 of ``AWS:<password>``, "valid for 12 hours"; ``expiresAt`` is when it expires;
``proxyEndpoint`` is the registry URL ``https://<account>.dkr.ecr.<region>.amazonaws.com``.

What the fix changes: the password is ``<payload>.<signature>`` (URL-safe base64): the payload is
JSON naming the account, the region and the expiry, the signature an HMAC-SHA256 over it with a key
the emulator process draws at start and never shares; every call mints a new one. ``expiresAt`` is
12 hours after the call. The registry stand-in accepts a password for the account and region it
names only.
Whoever holds a password can ask the emulator whether it issued it:

    POST /moto-api/teamf/ecr/verify-authorization-token   (application/json) {"password": "<password>"}
    → 200 {"valid": true, "registryId": "...", "region": "...", "expiresAt": <epoch s>, "scope": null}
    → 200 {"valid": false, "reason": "..."}   (malformed, not issued by this process, or expired)

That is how ``emulator.registry`` (the OCI registry stand-in) admits only passwords ECR issued,
without a shared secret to distribute: it already knows the emulator's endpoint. A restarted
emulator is a new AWS as far as tokens go; clients log in again, as they would after 12 hours.
``TEAMF_EMULATOR_ECR_TOKEN_SECONDS`` (read by the server process at each call) shortens the lifetime
for tests of expiry. ``issue_password`` also mints narrower, shorter-lived passwords (``scope``) for
``ecr_layer_download_url``'s download URLs.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import secrets
import time
from datetime import UTC, datetime
from typing import Any

from moto.core.responses import ActionResult
from moto.ecr.responses import ECRResponse
from moto.moto_api._internal import urls as moto_api_urls

TOKEN_LIFETIME_S = 12 * 3600
TOKEN_SECONDS_ENV = "TEAMF_EMULATOR_ECR_TOKEN_SECONDS"
VERIFY_PATH = "/moto-api/teamf/ecr/verify-authorization-token"
_KEY = secrets.token_bytes(32)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def issue_password(registry_id: str, region: str, expires_at: float, scope: str | None = None) -> str:
    claims = {"a": registry_id, "r": region, "e": int(expires_at), "s": scope, "n": secrets.token_hex(8)}
    payload = _b64(json.dumps(claims).encode())
    signature = _b64(hmac.new(_KEY, payload.encode("ascii"), hashlib.sha256).digest())
    return f"{payload}.{signature}"


def verify_password(password: str, now: float | None = None) -> dict[str, Any]:
    payload, _, signature = password.partition(".")
    try:
        expected = _b64(hmac.new(_KEY, payload.encode("ascii"), hashlib.sha256).digest())
        if not signature or not hmac.compare_digest(signature, expected):
            return {"valid": False, "reason": "not an authorization token issued by this emulator"}
        claims = json.loads(_unb64(payload))
    except (UnicodeEncodeError, binascii.Error, ValueError):
        return {"valid": False, "reason": "not an authorization token issued by this emulator"}
    if claims["e"] <= (time.time() if now is None else now):
        return {"valid": False, "reason": "Your authorization token has expired. Reauthenticate and try again."}
    return {
        "valid": True,
        "registryId": claims["a"],
        "region": claims["r"],
        "expiresAt": claims["e"],
        "scope": claims["s"],
    }


def token_lifetime() -> float:
    try:
        return float(os.environ.get(TOKEN_SECONDS_ENV) or TOKEN_LIFETIME_S)
    except ValueError:
        return TOKEN_LIFETIME_S


def get_authorization_token(self: ECRResponse) -> ActionResult:
    expires_at = time.time() + token_lifetime()
    auth_data = []
    for registry_id in self._get_param("registryIds") or [self.current_account]:
        password = issue_password(registry_id, self.region, expires_at)
        auth_data.append(
            {
                "authorizationToken": base64.b64encode(f"AWS:{password}".encode("ascii")).decode("ascii"),
                "expiresAt": datetime.fromtimestamp(int(expires_at), tz=UTC),
                "proxyEndpoint": f"https://{registry_id}.dkr.ecr.{self.region}.amazonaws.com",
            }
        )
    return ActionResult({"authorizationData": auth_data})


def verify_authorization_token(request, full_url, headers):
    if request.method != "POST":
        return 405, {"Content-Type": "application/json"}, json.dumps({"error": "POST a JSON body {password}"})
    try:
        password = json.loads(request.data or b"{}")["password"]
    except (ValueError, KeyError, TypeError):
        return 400, {"Content-Type": "application/json"}, json.dumps({"error": 'expected JSON {"password": "..."}'})
    return 200, {"Content-Type": "application/json"}, json.dumps(verify_password(str(password)))


def apply() -> None:
    ECRResponse.get_authorization_token = get_authorization_token
    moto_api_urls.url_paths.setdefault("{0}" + VERIFY_PATH, verify_authorization_token)
