"""emulator.fixes.iam_oidc_provider (and the OIDC behaviour moto already gets right), over HTTP."""

import pytest
from botocore.exceptions import ClientError
from botocore.parsers import ResponseParserError

URL = "https://oidc.eks.ap-northeast-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
THUMBPRINT = "9e99a48a9960b14926bb7f3b02e22da2b0ab7280"


@pytest.fixture
def iam(aws, clean_emulator):
    return aws("iam")


@pytest.fixture
def provider(iam):
    return iam.create_open_id_connect_provider(
        Url=URL, ClientIDList=["sts.amazonaws.com"], ThumbprintList=[THUMBPRINT], Tags=[{"Key": "team", "Value": "f"}]
    )["OpenIDConnectProviderArn"]


def _code(err):
    return err.value.response["Error"]["Code"]


def test_create_and_get(iam, provider):
    assert provider == f"arn:aws:iam::123456789012:oidc-provider/{URL.removeprefix('https://')}"
    got = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=provider)
    assert got["Url"] == URL.removeprefix("https://")
    assert got["ClientIDList"] == ["sts.amazonaws.com"]
    assert got["ThumbprintList"] == [THUMBPRINT]
    assert got["Tags"] == [{"Key": "team", "Value": "f"}]
    assert [p["Arn"] for p in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]] == [provider]


def test_duplicate_url(iam, provider):
    with pytest.raises(ClientError) as err:
        iam.create_open_id_connect_provider(Url=URL, ThumbprintList=[THUMBPRINT])
    assert _code(err) == "EntityAlreadyExists"
    assert URL in err.value.response["Error"]["Message"]


def test_url_must_be_https(iam):
    with pytest.raises(ClientError) as err:
        iam.create_open_id_connect_provider(Url="http://issuer.example.com", ThumbprintList=[THUMBPRINT])
    assert _code(err) == "ValidationError"


def test_client_ids_are_added_and_removed_idempotently(iam, provider):
    iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=provider, ClientID="my-app")
    iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=provider, ClientID="my-app")
    got = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=provider)
    assert got["ClientIDList"] == ["sts.amazonaws.com", "my-app"]
    iam.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=provider, ClientID="sts.amazonaws.com")
    iam.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=provider, ClientID="absent")
    assert iam.get_open_id_connect_provider(OpenIDConnectProviderArn=provider)["ClientIDList"] == ["my-app"]


def test_client_id_on_unknown_provider(iam):
    arn = "arn:aws:iam::123456789012:oidc-provider/unknown.example.com"
    with pytest.raises(ClientError) as err:
        iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="x")
    assert _code(err) == "NoSuchEntity"
    with pytest.raises(ClientError) as err:
        iam.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="x")
    assert _code(err) == "NoSuchEntity"


def test_thumbprint_and_tags(iam, provider):
    iam.update_open_id_connect_provider_thumbprint(OpenIDConnectProviderArn=provider, ThumbprintList=["a" * 40])
    assert iam.get_open_id_connect_provider(OpenIDConnectProviderArn=provider)["ThumbprintList"] == ["a" * 40]
    iam.tag_open_id_connect_provider(OpenIDConnectProviderArn=provider, Tags=[{"Key": "env", "Value": "dev"}])
    iam.untag_open_id_connect_provider(OpenIDConnectProviderArn=provider, TagKeys=["team"])
    tags = iam.list_open_id_connect_provider_tags(OpenIDConnectProviderArn=provider)["Tags"]
    assert tags == [{"Key": "env", "Value": "dev"}]


def test_delete(iam, provider):
    iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=provider)
    assert iam.list_open_id_connect_providers()["OpenIDConnectProviderList"] == []
    with pytest.raises(ClientError) as err:
        iam.get_open_id_connect_provider(OpenIDConnectProviderArn=provider)
    assert _code(err) == "NoSuchEntity"


def test_cluster_issuer_can_back_a_provider(aws, iam):
    eks = aws("eks")
    cluster = eks.create_cluster(
        name="demo", roleArn="arn:aws:iam::123456789012:role/eks", resourcesVpcConfig={"subnetIds": []}
    )["cluster"]
    issuer = eks.describe_cluster(name="demo")["cluster"]["identity"]["oidc"]["issuer"]
    assert issuer == cluster["identity"]["oidc"]["issuer"]
    arn = iam.create_open_id_connect_provider(Url=issuer, ClientIDList=["sts.amazonaws.com"])[
        "OpenIDConnectProviderArn"
    ]
    assert arn.endswith(issuer.removeprefix("https://"))


def test_bare_moto_cannot_change_client_ids_and_accepts_an_http_url(bare_moto):
    """Marker: the behaviour this fix exists for. Failing here means moto adds and removes client IDs, refuses
    non-https URLs and names the URL of a duplicate itself now: the fix can go."""
    iam = bare_moto("iam")
    url = "https://oidc.eks.ap-northeast-2.amazonaws.com/id/MARKERD539D4633E53DE1B71EXAMPLE"
    provider = iam.create_open_id_connect_provider(
        Url=url, ClientIDList=["sts.amazonaws.com"], ThumbprintList=[THUMBPRINT]
    )["OpenIDConnectProviderArn"]
    for call in (
        iam.add_client_id_to_open_id_connect_provider,
        iam.remove_client_id_from_open_id_connect_provider,
    ):
        with pytest.raises(ResponseParserError, match="500 Internal Server Error"):  # NotImplementedError
            call(OpenIDConnectProviderArn=provider, ClientID="sts.amazonaws.com")
    with pytest.raises(ClientError) as err:
        iam.create_open_id_connect_provider(Url=url, ThumbprintList=[THUMBPRINT])
    assert err.value.response["Error"]["Message"] == "Unknown"
    # accepted; AWS: the URL must begin with https://
    iam.create_open_id_connect_provider(Url="http://marker-issuer.example.com", ThumbprintList=[THUMBPRINT])
