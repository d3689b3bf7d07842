# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""IAM OpenID Connect provider calls and compare helpers, for the iam_oidc_provider module.

``client`` is ``PlatformAWSModule.client("iam")`` (module_utils/retries.py): calls pass ``aws_retry=True``.
AWS errors are raised as AnsibleIAMOIDCError for the module to report once.
"""

from __future__ import annotations

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.tagging import (
    ansible_dict_to_boto3_tag_list,
    boto3_tag_list_to_ansible_dict,
)


class AnsibleIAMOIDCError(AnsibleAWSError):
    pass


class OIDCProviderErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleIAMOIDCError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("NoSuchEntity")


def provider_id(url):
    """IAM's identifier of a provider: the issuer URL without ``https://`` and trailing slash.

    It is what GetOpenIDConnectProvider returns as ``Url`` and what follows ``oidc-provider/`` in the ARN.
    """
    return url.removeprefix("https://").rstrip("/")


def compare_client_ids(current, wanted):
    """``(to_add, to_remove)``: client IDs are a set, order does not matter."""
    return [c for c in wanted if c not in current], [c for c in current if c not in wanted]


def thumbprints_to_set(current, wanted):
    """The thumbprint list to set, or None when ``wanted`` is unset or the same (case-insensitive) set."""
    if wanted is None or {t.lower() for t in wanted} == {t.lower() for t in current}:
        return None
    return list(wanted)


def provider_result(arn, url, provider):
    """The module's return values from a GetOpenIDConnectProvider answer."""
    return {
        "arn": arn,
        "url": url,
        "client_ids": list(provider.get("ClientIDList") or []),
        "thumbprints": list(provider.get("ThumbprintList") or []),
        "tags": boto3_tag_list_to_ansible_dict(provider.get("Tags") or []),
    }


@OIDCProviderErrorHandler.common_error_handler("list OIDC providers")
def find_provider_arn(client, url):
    """ARN of the provider of ``url``, or None."""
    suffix = "oidc-provider/" + provider_id(url)
    for provider in client.list_open_id_connect_providers(aws_retry=True)["OpenIDConnectProviderList"]:
        if provider["Arn"].endswith(suffix):
            return provider["Arn"]
    return None


@OIDCProviderErrorHandler.list_error_handler("get OIDC provider")
def get_provider(client, arn):
    return client.get_open_id_connect_provider(OpenIDConnectProviderArn=arn, aws_retry=True)


@OIDCProviderErrorHandler.common_error_handler("create OIDC provider")
def create_provider(client, url, client_ids, thumbprints, tags):
    kwargs = {"Url": url, "ClientIDList": list(client_ids)}
    # AWS no longer needs thumbprints (it trusts the issuer's CA); send them only when given.
    if thumbprints:
        kwargs["ThumbprintList"] = list(thumbprints)
    if tags:
        kwargs["Tags"] = ansible_dict_to_boto3_tag_list(tags)
    return client.create_open_id_connect_provider(**kwargs, aws_retry=True)["OpenIDConnectProviderArn"]


@OIDCProviderErrorHandler.common_error_handler("add client ID (client_ids)")
def add_client_id(client, arn, client_id):
    client.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID=client_id, aws_retry=True)


@OIDCProviderErrorHandler.common_error_handler("remove client ID (client_ids)")
def remove_client_id(client, arn, client_id):
    client.remove_client_id_from_open_id_connect_provider(
        OpenIDConnectProviderArn=arn, ClientID=client_id, aws_retry=True
    )


@OIDCProviderErrorHandler.common_error_handler("update thumbprints (thumbprints)")
def update_thumbprints(client, arn, thumbprints):
    client.update_open_id_connect_provider_thumbprint(
        OpenIDConnectProviderArn=arn, ThumbprintList=list(thumbprints), aws_retry=True
    )


@OIDCProviderErrorHandler.common_error_handler("tag OIDC provider (tags)")
def tag_provider(client, arn, tags):
    client.tag_open_id_connect_provider(
        OpenIDConnectProviderArn=arn, Tags=ansible_dict_to_boto3_tag_list(tags), aws_retry=True
    )


@OIDCProviderErrorHandler.common_error_handler("untag OIDC provider (tags)")
def untag_provider(client, arn, keys):
    client.untag_open_id_connect_provider(OpenIDConnectProviderArn=arn, TagKeys=list(keys), aws_retry=True)


@OIDCProviderErrorHandler.deletion_error_handler("delete OIDC provider")
def delete_provider(client, arn):
    client.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn, aws_retry=True)
    return True
