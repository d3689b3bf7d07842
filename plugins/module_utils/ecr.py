# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""ECR calls for the ecr_tag and ecr_repository_info modules: what community.aws.ecs_ecr does not do.

``client`` is ``PlatformAWSModule.client("ecr")`` (module_utils/retries.py): single calls pass
``aws_retry=True``; listings retry as a whole (``@retry_listing``). Errors are raised as
AnsibleECRError for the module to report once.
"""

from __future__ import annotations

import json

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.tagging import (
    ansible_dict_to_boto3_tag_list,
    boto3_tag_list_to_ansible_dict,
)
from ansible_collections.teamf.platform.plugins.module_utils.retries import retry_listing


class AnsibleECRError(AnsibleAWSError):
    pass


class ECRErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleECRError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code(["RepositoryNotFoundException", "LifecyclePolicyNotFoundException"])


@ECRErrorHandler.common_error_handler("list repositories")
@retry_listing
def list_repositories(client):
    """Every repository of the registry, as DescribeRepositories returns them."""
    return client.get_paginator("describe_repositories").paginate().build_full_result().get("repositories", [])


@ECRErrorHandler.list_error_handler("describe repository", default_value=None)
def get_repository(client, name):
    """The repository ``name``, or None."""
    return client.describe_repositories(repositoryNames=[name], aws_retry=True)["repositories"][0]


@ECRErrorHandler.list_error_handler("count images", default_value=0)
@retry_listing
def count_images(client, name):
    """How many images (digests, whatever their tags) ``name`` holds."""
    pages = client.get_paginator("describe_images").paginate(repositoryName=name)
    return len(pages.build_full_result().get("imageDetails", []))


@ECRErrorHandler.list_error_handler("describe images", default_value=[])
@retry_listing
def list_images(client, name):
    """``name``'s images (digest, sorted tags, push time), newest push first."""
    pages = client.get_paginator("describe_images").paginate(repositoryName=name)
    details = sorted(
        pages.build_full_result().get("imageDetails", []), key=lambda d: str(d.get("imagePushedAt", "")), reverse=True
    )
    return [
        {
            "digest": d["imageDigest"],
            "tags": sorted(d.get("imageTags", [])),
            "pushed_at": d["imagePushedAt"].isoformat() if hasattr(d.get("imagePushedAt"), "isoformat") else "",
        }
        for d in details
    ]


@ECRErrorHandler.list_error_handler("get lifecycle policy", default_value=None)
def get_lifecycle_policy(client, name):
    """The repository's lifecycle policy as a dict, or None."""
    text = client.get_lifecycle_policy(repositoryName=name, aws_retry=True)["lifecyclePolicyText"]
    return json.loads(text)


@ECRErrorHandler.common_error_handler("list tags")
def get_tags(client, arn):
    return boto3_tag_list_to_ansible_dict(client.list_tags_for_resource(resourceArn=arn, aws_retry=True)["tags"])


@ECRErrorHandler.common_error_handler("tag repository (tags)")
def tag_repository(client, arn, tags):
    client.tag_resource(resourceArn=arn, tags=ansible_dict_to_boto3_tag_list(tags), aws_retry=True)


@ECRErrorHandler.common_error_handler("untag repository (tags)")
def untag_repository(client, arn, keys):
    client.untag_resource(resourceArn=arn, tagKeys=list(keys), aws_retry=True)


def repository_result(client, repository):
    """The ecr_repository_info entry of a DescribeRepositories ``repository``."""
    name = repository["repositoryName"]
    return {
        "repository_name": name,
        "repository_arn": repository["repositoryArn"],
        "repository_uri": repository["repositoryUri"],
        "registry_id": repository["registryId"],
        "image_tag_mutability": repository.get("imageTagMutability"),
        "scan_on_push": bool(repository.get("imageScanningConfiguration", {}).get("scanOnPush")),
        "image_count": count_images(client, name),
        "lifecycle_policy": get_lifecycle_policy(client, name),
        "tags": get_tags(client, repository["repositoryArn"]),
    }
