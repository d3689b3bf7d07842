#!/usr/bin/python

# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# Ansible reads DOCUMENTATION/EXAMPLES/RETURN first, so the imports follow them.

DOCUMENTATION = r"""
---
module: ecr_repository_info
short_description: Describe ECR repositories with their tags, lifecycle policy and image count
version_added: 0.3.0
description:
  - Reads ECR repositories as DescribeRepositories reports them, plus what that call leaves out (the
    tags, the lifecycle policy, and how many images each holds, which a deletion would take along).
author: teamf platform engineers (@teamf)
options:
  names:
    description:
      - Repository names, for example V(teamf/auth-api). Names that do not exist are left out of
        RV(repositories); when not set, every repository of the registry is described.
    type: list
    elements: str
  images:
    description:
      - Also list each repository's images in RV(repositories[].images), with digest, tags and push time as
        DescribeImages reports them. Tells which tags name the digest a service runs.
    type: bool
    default: false
    version_added: 0.4.0
notes:
  - Read-only; runs in check mode too.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - teamf.platform.retries
"""

EXAMPLES = r"""
- name: Read the platform's repositories
  teamf.platform.ecr_repository_info:
    names: [teamf/auth-api, teamf/users-api]
  register: repositories

- name: The tags of the digests the platform's repositories hold
  teamf.platform.ecr_repository_info:
    names: [teamf/auth-api]
    images: true
  register: auth_images

- name: Images each would lose with it
  ansible.builtin.debug:
    msg: "{{ repositories.repositories | items2dict(key_name='repository_name', value_name='image_count') }}"
"""

RETURN = r"""
repositories:
  description: The repositories found, in the order of O(names) (by name when O(names) is not set).
  returned: always
  type: list
  elements: dict
  contains:
    repository_name:
      description: Name of the repository.
      type: str
      sample: teamf/auth-api
    repository_arn:
      description: ARN of the repository.
      type: str
      sample: arn:aws:ecr:ap-northeast-2:123456789012:repository/teamf/auth-api
    repository_uri:
      description: URI images are pushed to and pulled from.
      type: str
      sample: 123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/teamf/auth-api
    registry_id:
      description: Account ID of the registry.
      type: str
    image_tag_mutability:
      description: V(MUTABLE) or V(IMMUTABLE).
      type: str
    scan_on_push:
      description: Whether images are scanned when pushed.
      type: bool
    image_count:
      description: Number of images (digests), tagged or not.
      type: int
    lifecycle_policy:
      description: The lifecycle policy as a dict; null when the repository has none.
      type: dict
    tags:
      description: Tags of the repository.
      type: dict
    images:
      description: With O(images), the repository's images, newest push first.
      returned: when O(images=true)
      type: list
      elements: dict
      contains:
        digest:
          description: The image manifest's digest.
          type: str
          sample: sha256:3f850fbafa3cc062c08cc165b8a8eb9f70e305eebf9f7c587e9fee4b1bbc87fb
        tags:
          description: The tags naming it, sorted; empty when untagged.
          type: list
          elements: str
          sample: ["1.0.0", "72d3ac356a6580d4f611b0c5aebd87cc52c13a46"]
        pushed_at:
          description: When it was pushed (ISO 8601).
          type: str
aws_retries:
  description: The AWS calls that were retried, one entry per retry (see the notes on retries).
  returned: when a call was retried
  type: list
  elements: dict
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.teamf.platform.plugins.module_utils.ecr import (
    get_repository,
    list_images,
    list_repositories,
    repository_result,
)
from ansible_collections.teamf.platform.plugins.module_utils.errors import fail_with_context
from ansible_collections.teamf.platform.plugins.module_utils.retries import PlatformAWSModule


def describe(client, names, images=False):
    if names is None:
        found = sorted(list_repositories(client), key=lambda repository: repository["repositoryName"])
    else:
        # One call per name: DescribeRepositories fails as a whole when one name is missing, and a listing
        # would need permission on every repository of the registry.
        found = [repository for repository in (get_repository(client, name) for name in names) if repository]
    results = [repository_result(client, repository) for repository in found]
    if images:
        for result in results:
            result["images"] = list_images(client, result["repository_name"])
    return results


def main():
    module = PlatformAWSModule(
        argument_spec=dict(names=dict(type="list", elements="str"), images=dict(type="bool", default=False)),
        supports_check_mode=True,
    )
    client = module.client("ecr")
    try:
        repositories = describe(client, module.params["names"], module.params["images"])
    except AnsibleAWSError as exc:
        fail_with_context(module, exc, f"names {module.params['names']}")
    module.exit_json(changed=False, repositories=repositories)


if __name__ == "__main__":
    main()
