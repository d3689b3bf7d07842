#!/usr/bin/python

# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# Ansible reads DOCUMENTATION/EXAMPLES/RETURN first, so the imports follow them.

DOCUMENTATION = r"""
---
module: ecs_compose_taskdef
short_description: Register an ECS task definition from a docker-compose file
version_added: 0.2.0
description:
  - Translates a docker-compose file (version 2.x or 3.x) and an optional C(ecs-params.yml) into an
    ECS task definition the way C(ecs-cli compose) did, and registers it.
  - A new revision is registered only when the translated definition differs from the latest
    C(ACTIVE) revision of the family. The comparison ignores what ECS adds on its own (revision,
    status, required attributes, default values), so rerunning with the same files changes nothing.
  - The compose file is translated before any AWS call; a malformed file fails the task with the
    service, the key and what to change, and nothing is registered.
  - Compose keys that ECS cannot express (C(build), C(restart), C(depends_on), C(container_name), ...)
    are skipped with a warning, as C(ecs-cli) did.
  - Both files are read strictly, as C(ecs-cli) validated them. A YAML error (with its line and
    column), a key given twice in one mapping (with both lines), a key that is neither a compose
    nor an C(ecs-params.yml) key (with the nearest known key) and an C(ecs-params.yml) service that
    the compose file does not define fail the task before any AWS call, each problem listed.
author: teamf platform engineers (@teamf)
options:
  compose_file:
    description:
      - Path to the docker-compose file.
      - C(env_file) entries are read relative to its directory.
      - Required when O(state=present).
    type: path
  ecs_params_file:
    description:
      - Path to an C(ecs-params.yml) (version 1) with task-level settings (network mode, roles,
        task size, volumes) and per-service ECS settings (essential, depends_on, secrets,
        repository credentials, healthcheck and resource overrides, GPU, init process).
      - Its C(run_params) section belongs to services and is ignored with a warning.
    type: path
  family:
    description:
      - The task definition family.
    type: str
    required: true
    aliases: [project_name]
  services:
    description:
      - Only put these compose services into the task definition.
      - Defaults to all services of the compose file.
    type: list
    elements: str
  image_tag:
    description:
      - Replace the tag (or digest) of the images with this tag.
      - Applies to every service unless O(image_tag_services) narrows it.
    type: str
  image_tag_services:
    description:
      - The services whose image tag O(image_tag) replaces; requires O(image_tag).
    type: list
    elements: str
  images:
    description:
      - Whole image references by compose service, for example
        V(123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/teamf/auth-api@sha256:...), replacing what the
        compose file (and O(image_tag)) gives those services.
      - Deploys pinned by digest use it, so a service runs exactly the bytes a build pushed.
    type: dict
    default: {}
    version_added: 0.3.0
  variables:
    description:
      - Values for C(${VAR}) interpolation in the compose file and C(ecs-params.yml), and for
        C(environment) entries given without a value.
      - The controller's environment is not consulted, so the result does not depend on who runs it.
    type: dict
    default: {}
  state:
    description:
      - V(present) registers a revision when needed; V(absent) deregisters every C(ACTIVE) revision
        of the family.
    type: str
    choices: [present, absent]
    default: present
notes:
  - Supports check mode and diff mode. In check mode nothing is registered, tagged or deregistered.
  - Tags are applied to the registered revision; when no new revision is needed they are reconciled
    on the latest one.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
  - teamf.platform.retries
"""

EXAMPLES = r"""
- name: Register the dev task definition from the compose project
  teamf.platform.ecs_compose_taskdef:
    compose_file: "{{ playbook_dir }}/../compose/docker-compose.yml"
    ecs_params_file: "{{ playbook_dir }}/../compose/ecs-params.yml"
    family: shop-dev
    image_tag: "{{ git_sha }}"
    image_tag_services: [web, worker]
    tags:
      environment: dev
  register: shop_taskdef

- name: Run exactly the image a build pushed (by digest)
  teamf.platform.ecs_compose_taskdef:
    compose_file: compose/docker-compose.yml
    family: shop-web-dev
    services: [web]
    images:
      web: 123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/shop/web@sha256:{{ web_digest }}

- name: Only the API and its database, with a variable the compose file interpolates
  teamf.platform.ecs_compose_taskdef:
    compose_file: compose/docker-compose.yml
    family: shop-api-dev
    services: [api, db]
    variables:
      POSTGRES_VERSION: "16"

- name: Deregister every active revision
  teamf.platform.ecs_compose_taskdef:
    family: shop-dev
    state: absent
"""

RETURN = r"""
taskdefinition_arn:
  description: ARN of the latest revision after the run; null in check mode when a new revision would be registered.
  returned: when O(state=present)
  type: str
  sample: arn:aws:ecs:ap-northeast-2:123456789012:task-definition/shop-dev:3
revision:
  description: Revision number of RV(taskdefinition_arn).
  returned: when O(state=present)
  type: int
  sample: 3
family:
  description: The task definition family.
  returned: always
  type: str
  sample: shop-dev
taskdefinition:
  description: The task definition as ECS describes it (null in check mode when a revision would be registered).
  returned: when O(state=present)
  type: dict
deregistered_arns:
  description: ARNs deregistered (or, in check mode, that would be).
  returned: when O(state=absent)
  type: list
  elements: str
diff:
  description: Canonical forms of the latest revision and of the wanted definition.
  returned: in diff mode
  type: dict
aws_retries:
  description: The AWS calls that were retried, one entry per retry (see the notes on retries).
  returned: when a call was retried
  type: list
  elements: dict
"""

import os

from ansible.module_utils.basic import missing_required_lib
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags
from ansible_collections.teamf.platform.plugins.module_utils.compose import (
    ComposeError,
    canonical_task_definition,
    compose_to_task_definition,
    load_project,
    task_definition_diff,
)
from ansible_collections.teamf.platform.plugins.module_utils.compose_load import HAS_YAML
from ansible_collections.teamf.platform.plugins.module_utils.ecs_taskdef import (
    deregister_task_definition,
    describe_latest_task_definition,
    list_active_task_definition_arns,
    register_task_definition,
    tag_task_definition,
    untag_task_definition,
)
from ansible_collections.teamf.platform.plugins.module_utils.errors import fail_with_context
from ansible_collections.teamf.platform.plugins.module_utils.retries import PlatformAWSModule


def read_text(module, option, path):
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except OSError as exc:
        module.fail_json(msg=f"{option} {path}: cannot read: {exc.strerror or exc}")


def translate(module):
    """The wanted register_task_definition kwargs, from the files alone."""
    params = module.params
    compose_path = params["compose_file"]
    base_dir = os.path.dirname(os.path.abspath(compose_path))

    def read_env_file(path):
        with open(os.path.join(base_dir, path), encoding="utf-8") as handle:
            return handle.read()

    try:
        params_file = params["ecs_params_file"]
        compose, ecs_params = load_project(
            read_text(module, "compose_file", compose_path),
            f"compose_file {compose_path}",
            read_text(module, "ecs_params_file", params_file) if params_file else None,
            f"ecs_params_file {params_file}",
        )
        definition, warnings = compose_to_task_definition(
            compose,
            params["family"],
            ecs_params=ecs_params,
            read_env_file=read_env_file,
            variables=params["variables"],
            image_tag=params["image_tag"],
            image_tag_services=params["image_tag_services"],
            services=params["services"],
            images=params["images"],
        )
    except ComposeError as exc:
        module.fail_json(msg=str(exc), compose_file=compose_path)
    for warning in warnings:
        module.warn(warning)
    return definition


class TaskDefinitionManager:
    def __init__(self, module, client):
        self.module = module
        self.client = client
        self.family = module.params["family"]
        self.result = {"changed": False, "family": self.family}

    def diff(self, before, before_tags, after, after_tags):
        if not self.module._diff:
            return
        diff = task_definition_diff(before, after)
        if self.module.params["tags"] is not None:
            if diff["before"]:
                diff["before"]["tags"] = dict(sorted(before_tags.items()))
            diff["after"]["tags"] = dict(sorted(after_tags.items()))
        self.result["diff"] = diff

    def found(self, task_definition):
        self.result.update(
            taskdefinition=task_definition,
            taskdefinition_arn=task_definition["taskDefinitionArn"] if task_definition else None,
            revision=task_definition["revision"] if task_definition else None,
        )

    def ensure_present(self, wanted):
        tags, purge_tags = self.module.params["tags"], self.module.params["purge_tags"]
        current, current_tags = describe_latest_task_definition(self.client, self.family)

        if current and canonical_task_definition(current) == canonical_task_definition(wanted):
            to_set, to_unset = compare_aws_tags(current_tags, tags, purge_tags) if tags is not None else ({}, [])
            wanted_tags = {key: value for key, value in current_tags.items() if key not in to_unset}
            self.diff(current, current_tags, wanted, dict(wanted_tags, **to_set))
            if to_set or to_unset:
                self.result["changed"] = True
                if not self.module.check_mode:
                    arn = current["taskDefinitionArn"]
                    if to_unset:
                        untag_task_definition(self.client, arn, to_unset)
                    if to_set:
                        tag_task_definition(self.client, arn, to_set)
            self.found(current)
            return

        self.result["changed"] = True
        self.diff(current, current_tags, wanted, tags or {})
        if self.module.check_mode:
            self.found(None)
            return
        self.found(register_task_definition(self.client, wanted, tags))

    def ensure_absent(self):
        arns = list_active_task_definition_arns(self.client, self.family)
        self.result.update(changed=bool(arns), deregistered_arns=arns)
        if self.module._diff:
            self.result["diff"] = {"before": {"active_revisions": arns}, "after": {"active_revisions": []}}
        if self.module.check_mode:
            return
        for arn in arns:
            deregister_task_definition(self.client, arn)


def main():
    argument_spec = dict(
        compose_file=dict(type="path"),
        ecs_params_file=dict(type="path"),
        family=dict(type="str", required=True, aliases=["project_name"]),
        services=dict(type="list", elements="str"),
        image_tag=dict(type="str"),
        image_tag_services=dict(type="list", elements="str"),
        images=dict(type="dict", default={}),
        variables=dict(type="dict", default={}),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = PlatformAWSModule(
        argument_spec=argument_spec,
        required_if=[("state", "present", ["compose_file"])],
        required_by={"image_tag_services": "image_tag"},
        supports_check_mode=True,
    )
    if not HAS_YAML:
        module.fail_json(msg=missing_required_lib("PyYAML"))

    wanted = translate(module) if module.params["state"] == "present" else None

    client = module.client("ecs")
    manager = TaskDefinitionManager(module, client)
    try:
        if wanted is not None:
            manager.ensure_present(wanted)
        else:
            manager.ensure_absent()
    except AnsibleAWSError as exc:
        fail_with_context(module, exc, f"family {module.params['family']}")

    module.exit_json(**manager.result)


if __name__ == "__main__":
    main()
