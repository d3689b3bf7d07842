# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""ECS task definition calls, raising AnsibleECSError for the module to report once.

``client`` is ``PlatformAWSModule.client("ecs")`` (module_utils/retries.py): single calls pass
``aws_retry=True``; the paginated listing retries as a whole (``@retry_listing``).
"""

from __future__ import annotations

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_message
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.tagging import (
    ansible_dict_to_boto3_tag_list,
    boto3_tag_list_to_ansible_dict,
)
from ansible_collections.teamf.platform.plugins.module_utils.retries import retry_listing


class AnsibleECSError(AnsibleAWSError):
    pass


class ECSTaskDefinitionErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleECSError

    @classmethod
    def _is_missing(cls):
        # ECS answers a family without an ACTIVE revision with a generic ClientException.
        return is_boto3_error_message("Unable to describe task definition")


@ECSTaskDefinitionErrorHandler.list_error_handler("describe task definition", (None, {}))
def describe_latest_task_definition(client, family):
    """The latest ACTIVE revision of ``family`` and its tags, or ``(None, {})``."""
    result = client.describe_task_definition(taskDefinition=family, include=["TAGS"], aws_retry=True)
    return result["taskDefinition"], boto3_tag_list_to_ansible_dict(result.get("tags") or [], "key", "value")


@ECSTaskDefinitionErrorHandler.common_error_handler("register task definition")
def register_task_definition(client, definition, tags):
    kwargs = dict(definition)
    if tags:
        kwargs["tags"] = ansible_dict_to_boto3_tag_list(tags, "key", "value")
    return client.register_task_definition(**kwargs, aws_retry=True)["taskDefinition"]


@ECSTaskDefinitionErrorHandler.list_error_handler("list task definitions", [])
@retry_listing
def list_active_task_definition_arns(client, family):
    """ARNs of the ACTIVE revisions of exactly ``family`` (familyPrefix also matches longer names)."""
    paginator = client.get_paginator("list_task_definitions")
    arns = paginator.paginate(familyPrefix=family, status="ACTIVE").build_full_result()["taskDefinitionArns"]
    return [arn for arn in arns if arn.rsplit("/", 1)[-1].rsplit(":", 1)[0] == family]


@ECSTaskDefinitionErrorHandler.common_error_handler("deregister task definition")
def deregister_task_definition(client, arn):
    client.deregister_task_definition(taskDefinition=arn, aws_retry=True)
    return True


@ECSTaskDefinitionErrorHandler.common_error_handler("tag task definition")
def tag_task_definition(client, arn, tags):
    client.tag_resource(resourceArn=arn, tags=ansible_dict_to_boto3_tag_list(tags, "key", "value"), aws_retry=True)


@ECSTaskDefinitionErrorHandler.common_error_handler("untag task definition")
def untag_task_definition(client, arn, keys):
    client.untag_resource(resourceArn=arn, tagKeys=list(keys), aws_retry=True)
