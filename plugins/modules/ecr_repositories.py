#!/usr/bin/python

# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# Ansible reads DOCUMENTATION/EXAMPLES/RETURN first, so the imports follow them.

DOCUMENTATION = r"""
---
module: ecr_repositories
short_description: Manage a list of ECR repositories, their settings, lifecycle policy and tags in a single run
version_added: 0.4.0
description:
  - Converges every repository of O(repositories) in one module run, where a loop over
    M(community.aws.ecs_ecr) starts one process per repository, needs a second loop for the lifecycle
    policy (it cannot predict one in check mode) and cannot set tags at all.
  - Lists the registry once (C(DescribeRepositories)); reads each existing repository's lifecycle
    policy and tags once; creates the missing repositories with their tags, tag mutability and scan
    setting in the C(CreateRepository) call; then changes only what differs (C(PutImageTagMutability),
    C(PutImageScanningConfiguration), C(PutLifecyclePolicy), C(TagResource), C(UntagResource)).
  - Repositories of the registry that O(repositories) does not list are left alone.
  - O(state=absent) deletes the listed repositories that exist, and nothing else.
author: teamf platform engineers (@teamf)
options:
  repositories:
    description:
      - Full repository names, such as V(teamf/auth-api).
      - Every entry is checked against ECR's name rule before any AWS call, and named by its position
        when it breaks it (C(repositories[1]='Users_API' is not an ECR repository name)).
    type: list
    elements: str
    required: true
  image_tag_mutability:
    description: V(IMMUTABLE) refuses to move a tag to another image.
    type: str
    choices: [IMMUTABLE, MUTABLE]
    default: IMMUTABLE
  scan_on_push:
    description: Scan images for vulnerabilities when they are pushed.
    type: bool
    default: true
  lifecycle_policy:
    description:
      - The lifecycle policy of every listed repository, as the JSON document ECR takes (a dict).
      - Omitted, the repositories' policies are left as they are.
    type: dict
  tags:
    description: Tags of every listed repository. Omitted, the tags are left as they are.
    type: dict
  purge_tags:
    description: Remove tags that O(tags) does not list.
    type: bool
    default: true
  force:
    description:
      - With O(state=absent), delete repositories that still hold images, and their images.
      - Without it ECR refuses to delete a repository that holds images, and the module fails naming it.
    type: bool
    default: false
  state:
    description: V(present) creates and updates the listed repositories; V(absent) deletes them.
    type: str
    choices: [present, absent]
    default: present
notes:
  - Supports check mode and diff mode. In check mode nothing is created, changed or deleted; a
    repository that would be created is returned with the ARN and URI AWS will give it (the account
    and partition are read with C(sts:GetCallerIdentity), only then).
  - The diff shows, per repository, the tag mutability, the scan setting, the lifecycle policy and the
    tags before and after.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - teamf.platform.retries
"""

EXAMPLES = r"""
- name: Create the repositories, tags immutable, untagged images expired after 14 days
  teamf.platform.ecr_repositories:
    repositories: [teamf/auth-api, teamf/users-api]
    image_tag_mutability: IMMUTABLE
    scan_on_push: true
    lifecycle_policy:
      rules:
        - rulePriority: 1
          description: Expire untagged images 14 days after their push
          selection: {tagStatus: untagged, countType: sinceImagePushed, countUnit: days, countNumber: 14}
          action: {type: expire}
    tags: {ManagedBy: teamf.platform}
  register: repositories

- name: Their URIs, in the order given
  ansible.builtin.debug:
    msg: "{{ repositories.repositories | map(attribute='repository_uri') }}"

- name: Delete them, images included
  teamf.platform.ecr_repositories:
    repositories: [teamf/auth-api, teamf/users-api]
    state: absent
    force: true
"""

RETURN = r"""
repositories:
  description:
    - The repositories of O(repositories), in the same order.
    - In check mode a repository that would be created carries the ARN and URI it will get.
  returned: when O(state=present)
  type: list
  elements: dict
  contains:
    repository_name:
      description: Repository name.
      type: str
      sample: teamf/auth-api
    repository_arn:
      description: Repository ARN.
      type: str
      sample: arn:aws:ecr:ap-northeast-2:123456789012:repository/teamf/auth-api
    repository_uri:
      description: Repository URI, what C(docker push) takes.
      type: str
      sample: 123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/teamf/auth-api
    registry_id:
      description: The account of the registry.
      type: str
      sample: "123456789012"
    image_tag_mutability:
      description: V(IMMUTABLE) or V(MUTABLE).
      type: str
    scan_on_push:
      description: Whether pushed images are scanned.
      type: bool
    lifecycle_policy:
      description: The lifecycle policy as a dict, or null when there is none.
      type: dict
    tags:
      description: Tags, as a dict.
      type: dict
      sample: {ManagedBy: teamf.platform}
deleted:
  description: Names of the repositories deleted (or that would be, in check mode).
  returned: when O(state=absent)
  type: list
  elements: str
aws_retries:
  description: The AWS calls that were retried, one entry per retry (see the notes on retries).
  returned: when a call was retried
  type: list
  elements: dict
"""

from ansible_collections.teamf.platform.plugins.module_utils.ecr import (
    get_lifecycle_policy,
    get_tags,
    list_repositories,
    tag_repository,
    untag_repository,
)
from ansible_collections.teamf.platform.plugins.module_utils.ecr_repositories import (
    after_view,
    before_view,
    caller_arn,
    create_repository,
    delete_repository,
    plan,
    predicted_identity,
    put_lifecycle_policy,
    put_mutability,
    put_scanning,
    step_changes,
    validation_errors,
)
from ansible_collections.teamf.platform.plugins.module_utils.retries import PlatformAWSModule
from ansible_collections.teamf.platform.plugins.module_utils.set_manager import SetManager


class RepositoriesManager(SetManager):
    items = "repositories"

    def __init__(self, module, client):
        super().__init__(module, client)
        self.names = module.params["repositories"]

    def current(self):
        return {r["repositoryName"]: r for r in list_repositories(self.client)}

    def read(self, repository):
        """What plan needs of an existing repository: it, its lifecycle policy and its tags."""
        name = repository["repositoryName"]
        return dict(
            repository=repository,
            lifecycle_policy=get_lifecycle_policy(self.client, name),
            tags=get_tags(self.client, repository["repositoryArn"]),
        )

    def ensure_present(self, existing):
        want = self.params
        currents, steps = [], []
        for index, name in enumerate(self.names):
            self.field = f"repositories[{index}] {name}"
            current = self.read(existing[name]) if name in existing else None
            step = plan(name, current, want)
            currents.append(current)
            steps.append(step)
            if current is not None:
                self.before[name] = before_view(current)
            self.after[name] = after_view(step, current, want)
        self.result["changed"] = any(step_changes(step) for step in steps)

        caller = None
        results = []
        for index, step in enumerate(steps):
            current, name = currents[index], step["name"]
            self.field = f"repositories[{index}] {name}"
            repository = current["repository"] if current else None
            if step["create"] and not self.module.check_mode:
                repository = create_repository(
                    self.client, name, want["image_tag_mutability"], want["scan_on_push"], want["tags"]
                )
            if not self.module.check_mode:
                self.apply(step, repository)
            if repository is None:  # check mode, to be created: what AWS will assign
                caller = caller or caller_arn(self.module.client("sts"))
                arn, uri = predicted_identity(name, caller, self.module.region)
                repository = dict(repositoryArn=arn, repositoryUri=uri, registryId=arn.split(":")[4])
            results.append(
                dict(
                    repository_name=name,
                    repository_arn=repository["repositoryArn"],
                    repository_uri=repository["repositoryUri"],
                    registry_id=repository["registryId"],
                    **self.after[name],
                )
            )
        self.result["repositories"] = results

    def apply(self, step, repository):
        """The calls ``step`` needs after a create (the policy) or on an existing ``repository``."""
        name, arn = step["name"], repository["repositoryArn"]
        if step["mutability"]:
            put_mutability(self.client, name, step["mutability"])
        if step["scan_on_push"] is not None:
            put_scanning(self.client, name, step["scan_on_push"])
        if step["lifecycle_policy"] is not None:
            put_lifecycle_policy(self.client, name, step["lifecycle_policy"])
        if step["tags_to_unset"]:
            untag_repository(self.client, arn, step["tags_to_unset"])
        if step["tags_to_set"]:
            tag_repository(self.client, arn, step["tags_to_set"])

    def ensure_absent(self, existing):
        doomed = [(index, name) for index, name in enumerate(self.names) if name in existing]
        for index, name in doomed:
            if self.module._diff:
                self.field = f"repositories[{index}] {name}"
                self.before[name] = before_view(self.read(existing[name]))
        self.result["changed"] = bool(doomed)
        self.result["deleted"] = [name for _, name in doomed]
        if self.module.check_mode:
            return
        for index, name in doomed:
            self.field = f"repositories[{index}] {name}"
            delete_repository(self.client, name, self.params["force"])


def main():
    argument_spec = dict(
        repositories=dict(type="list", elements="str", required=True),
        image_tag_mutability=dict(type="str", choices=["IMMUTABLE", "MUTABLE"], default="IMMUTABLE"),
        scan_on_push=dict(type="bool", default=True),
        lifecycle_policy=dict(type="dict"),
        tags=dict(type="dict"),
        purge_tags=dict(type="bool", default=True),
        force=dict(type="bool", default=False),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )
    module = PlatformAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    errors = validation_errors(module.params["repositories"], module.params["lifecycle_policy"])
    RepositoriesManager(module, module.client("ecr")).run(errors)


if __name__ == "__main__":
    main()
