#!/usr/bin/python

# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# Ansible reads DOCUMENTATION/EXAMPLES/RETURN first, so the imports follow them.

DOCUMENTATION = r"""
---
module: ecr_tag
short_description: Manage the tags of an ECR repository
version_added: 0.3.0
description:
  - Sets and removes the tags of an existing ECR repository, which M(community.aws.ecs_ecr) creates
    but cannot tag.
  - Like M(amazon.aws.ec2_tag), but for one repository found by its name.
author: teamf platform engineers (@teamf)
options:
  repository:
    description:
      - Name of the repository, for example V(teamf/auth-api). It must exist.
    type: str
    required: true
notes:
  - Supports check mode and diff mode. In check mode nothing is tagged or untagged.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
  - teamf.platform.retries
"""

EXAMPLES = r"""
- name: Tag the repository ecs_ecr created (tags not listed are removed)
  teamf.platform.ecr_tag:
    repository: teamf/auth-api
    tags:
      ManagedBy: teamf.platform
      Team: platform
"""

RETURN = r"""
repository_arn:
  description: ARN of the repository.
  returned: always
  type: str
  sample: arn:aws:ecr:ap-northeast-2:123456789012:repository/teamf/auth-api
tags:
  description: Tags of the repository after the run (in check mode, the tags it would have).
  returned: always
  type: dict
  sample: {ManagedBy: teamf.platform}
added_tags:
  description: Tags set or changed.
  returned: always
  type: dict
removed_tags:
  description: Keys of the tags removed.
  returned: always
  type: list
  elements: str
diff:
  description: Tags before and after the run.
  returned: in diff mode
  type: dict
aws_retries:
  description: The AWS calls that were retried, one entry per retry (see the notes on retries).
  returned: when a call was retried
  type: list
  elements: dict
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags
from ansible_collections.teamf.platform.plugins.module_utils.ecr import (
    get_repository,
    get_tags,
    tag_repository,
    untag_repository,
)
from ansible_collections.teamf.platform.plugins.module_utils.errors import fail_with_context
from ansible_collections.teamf.platform.plugins.module_utils.retries import PlatformAWSModule


def ensure_tags(module, client):
    name = module.params["repository"]
    repository = get_repository(client, name)
    if repository is None:
        module.fail_json(msg=f"repository: {name!r} does not exist; create it first (community.aws.ecs_ecr)")
    arn = repository["repositoryArn"]
    current = get_tags(client, arn)
    wanted = module.params["tags"]
    to_set, to_unset = ({}, [])
    if wanted is not None:
        to_set, to_unset = compare_aws_tags(current, wanted, module.params["purge_tags"])
    after = {k: v for k, v in current.items() if k not in to_unset} | to_set
    result = {
        "changed": bool(to_set or to_unset),
        "repository_arn": arn,
        "tags": dict(sorted(after.items())),
        "added_tags": to_set,
        "removed_tags": sorted(to_unset),
    }
    if module._diff:
        result["diff"] = {"before": {"tags": dict(sorted(current.items()))}, "after": {"tags": result["tags"]}}
    if module.check_mode or not result["changed"]:
        return result
    if to_unset:
        untag_repository(client, arn, to_unset)
    if to_set:
        tag_repository(client, arn, to_set)
    result["tags"] = dict(sorted(get_tags(client, arn).items()))
    return result


def main():
    argument_spec = dict(
        repository=dict(type="str", required=True),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = PlatformAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    client = module.client("ecr")
    try:
        result = ensure_tags(module, client)
    except AnsibleAWSError as exc:
        fail_with_context(module, exc, f"repository {module.params['repository']}")
    module.exit_json(**result)


if __name__ == "__main__":
    main()
