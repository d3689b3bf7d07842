"""emulator.fixes.ecr_authorization_token, over HTTP."""

import base64
import json
import time
import urllib.request
from datetime import UTC, datetime, timedelta

import boto3


def verify(emulator, password: str) -> dict:
    req = urllib.request.Request(
        f"{emulator.url}/moto-api/teamf/ecr/verify-authorization-token",
        data=json.dumps({"password": password}).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())


def test_token_lasts_twelve_hours_and_names_the_registry(aws, emulator):
    before = datetime.now(UTC)
    [data] = aws("ecr").get_authorization_token()["authorizationData"]
    assert data["proxyEndpoint"] == "https://123456789012.dkr.ecr.ap-northeast-2.amazonaws.com"
    assert timedelta(hours=12) - timedelta(seconds=5) <= data["expiresAt"] - before <= timedelta(hours=12, seconds=5)
    user, _, password = base64.b64decode(data["authorizationToken"]).decode().partition(":")
    assert user == "AWS"
    claims = verify(emulator, password)
    assert claims["valid"] is True
    assert (claims["registryId"], claims["region"], claims["scope"]) == ("123456789012", "ap-northeast-2", None)
    assert abs(claims["expiresAt"] - data["expiresAt"].timestamp()) <= 1


def test_each_call_issues_a_fresh_token(aws):
    ecr = aws("ecr")
    first = ecr.get_authorization_token()["authorizationData"][0]["authorizationToken"]
    assert ecr.get_authorization_token()["authorizationData"][0]["authorizationToken"] != first


def test_forged_and_tampered_passwords_are_refused(aws, emulator):
    token = aws("ecr").get_authorization_token()["authorizationData"][0]["authorizationToken"]
    password = base64.b64decode(token).decode().partition(":")[2]
    payload, _, signature = password.partition(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["e"] += 86400  # try to extend it
    longer = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    for bad in ["123456789012-auth-token", f"{longer}.{signature}", f"{payload}.", "", "é"]:
        assert verify(emulator, bad) == {"valid": False, "reason": "not an authorization token issued by this emulator"}


def test_expired_token_is_refused(emulator_factory):
    short_lived = emulator_factory(TEAMF_EMULATOR_ECR_TOKEN_SECONDS="1")
    session = boto3.session.Session(aws_access_key_id="t", aws_secret_access_key="t", region_name="ap-northeast-2")
    ecr = session.client("ecr", endpoint_url=short_lived.url)
    token = ecr.get_authorization_token()["authorizationData"][0]["authorizationToken"]
    password = base64.b64decode(token).decode().partition(":")[2]
    assert verify(short_lived, password)["valid"] is True
    time.sleep(1.5)
    assert verify(short_lived, password) == {
        "valid": False,
        "reason": "Your authorization token has expired. Reauthenticate and try again.",
    }


def test_bare_moto_issues_the_same_token_already_expired(bare_moto):
    """Marker: the behaviour this fix exists for.
    Failing here means moto issues fresh tokens valid for 12 hours itself now: the fix can go."""
    ecr = bare_moto("ecr")
    [data] = ecr.get_authorization_token()["authorizationData"]
    assert data["expiresAt"] < datetime.now(UTC)
    assert ecr.get_authorization_token()["authorizationData"][0]["authorizationToken"] == data["authorizationToken"]
