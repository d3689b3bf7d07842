# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""KMS calls and the adoption rule for the kms_key_adopt module.

A key with an alias is two calls on AWS: CreateKey (which takes the tags, so the key is tagged from
its first moment) and CreateAlias. A run stopped between them leaves a key no alias names; a rerun
that looks the key up by alias does not find it and creates a second one. ``adoptable_keys`` finds
such keys by their tags so the module can give the oldest one the alias instead.

``client`` is ``PlatformAWSModule.client("kms")`` (module_utils/retries.py): single calls pass
``aws_retry=True``, paginated listings retry as a whole (``@retry_listing``). AWS errors are raised as
AnsibleKMSError for the module to report once.

AWS documentation followed:
- CreateKey, ``Tags``: https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html
  ("Assigns one or more tags to the KMS key"; CreateKey has no idempotency token: each call makes a key)
- CreateAlias: https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html (an alias names
  one customer managed key, unique per account and Region)
- ListAliases ``TargetKeyId``, ListResourceTags, DescribeKey ``KeyState`` / ``KeyManager``:
  https://docs.aws.amazon.com/kms/latest/developerguide/manage-tags-api.html
"""

from __future__ import annotations

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.teamf.platform.plugins.module_utils.retries import retry_listing


class AnsibleKMSError(AnsibleAWSError):
    pass


class KMSErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleKMSError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("NotFoundException")


def canonical_alias(name):
    """``teamf-staging-eks-secrets`` -> ``alias/teamf-staging-eks-secrets`` (as ListAliases names it)."""
    return name if name.startswith("alias/") else f"alias/{name}"


def carries(tags, wanted):
    """True when ``tags`` (a dict) holds every key of ``wanted`` with the same value."""
    return all(tags.get(key) == value for key, value in wanted.items())


def adoptable(metadata, tags, aliased_key_ids, wanted_tags):
    """Whether a key may be adopted: customer managed, Enabled, named by no alias, carrying ``wanted_tags``.

    Keys pending deletion, disabled or still being imported are left alone: they are not the
    half-made key of an interrupted run (which is Enabled from CreateKey on).
    """
    return (
        metadata.get("KeyManager") == "CUSTOMER"
        and metadata.get("KeyState") == "Enabled"
        and metadata["KeyId"] not in aliased_key_ids
        and carries(tags, wanted_tags)
    )


def oldest_first(keys):
    """Candidates by creation date, then ARN (a stable choice when several share a second)."""
    return sorted(keys, key=lambda key: (key["creation_date"], key["key_arn"]))


@KMSErrorHandler.list_error_handler("list aliases", [])
@retry_listing
def list_aliases(client):
    return client.get_paginator("list_aliases").paginate().build_full_result()["Aliases"]


@KMSErrorHandler.list_error_handler("list keys", [])
@retry_listing
def list_keys(client):
    return client.get_paginator("list_keys").paginate().build_full_result()["Keys"]


@KMSErrorHandler.list_error_handler("describe key")
def describe_key(client, key_id):
    return client.describe_key(KeyId=key_id, aws_retry=True)["KeyMetadata"]


@KMSErrorHandler.list_error_handler("list key tags", {})
@retry_listing
def key_tags(client, key_id):
    pages = client.get_paginator("list_resource_tags").paginate(KeyId=key_id).build_full_result()
    return {tag["TagKey"]: tag["TagValue"] for tag in pages.get("Tags", [])}


def find_alias(client, alias):
    """The ListAliases entry of ``alias`` (``AliasName``, ``TargetKeyId``, ...), or None."""
    for entry in list_aliases(client):
        if entry["AliasName"] == alias:
            return entry
    return None


def adoptable_keys(client, wanted_tags):
    """Every adoptable key (see ``adoptable``), oldest first, as ``key_id``, ``key_arn``, ``creation_date``."""
    aliased = {entry["TargetKeyId"] for entry in list_aliases(client) if entry.get("TargetKeyId")}
    found = []
    for key in list_keys(client):
        if key["KeyId"] in aliased:
            continue
        metadata = describe_key(client, key["KeyId"])
        # Tags are read only for keys that might qualify (a ListResourceTags call per key).
        if metadata is None or metadata.get("KeyManager") != "CUSTOMER" or metadata.get("KeyState") != "Enabled":
            continue
        if adoptable(metadata, key_tags(client, key["KeyId"]), aliased, wanted_tags):
            found.append(
                {
                    "key_id": metadata["KeyId"],
                    "key_arn": metadata["Arn"],
                    "creation_date": metadata["CreationDate"].isoformat(),
                }
            )
    return oldest_first(found)


@KMSErrorHandler.common_error_handler("create alias")
def create_alias(client, alias, key_id):
    client.create_alias(AliasName=alias, TargetKeyId=key_id, aws_retry=True)
