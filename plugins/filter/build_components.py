# Copyright: teamf platform engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: build_components
short_description: Check the platform's components and resolve what playbooks/build.yml builds
version_added: 0.3.0
description:
  - Checks the inventory's C(platform_components) for a build of the source checkout O(source_dir) and
    returns the components O(selected) with everything the C(ecr_image) module needs, paths resolved.
  - Every problem of every component is reported at once, each naming the inventory variable, the value and
    the fix, before anything is built.
  - Runs on the controller, where the build contexts are; it checks that they exist.
  - Other keys of a component (C(chart_key), C(compose_service)) belong to other playbooks and pass unchecked.
options:
  _input:
    description: C(platform_components), one mapping per component.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: The component; its ECR repository is C(<namespace>/<name>).
        type: string
        required: true
      context:
        description: The build context, relative to O(source_dir).
        type: string
        required: true
      dockerfile:
        description: The Dockerfile, relative to the context.
        type: string
        default: Dockerfile
      build_args:
        description: Build arguments (not secrets).
        type: dict
        default: {}
      extra_files:
        description: Files of the controller staged into a copy of the context (path in the context -> file).
        type: dict
        default: {}
  source_dir:
    description: The source checkout the contexts are relative to.
    type: string
    required: true
  selected:
    description: Components to build, a comma-separated string or a list of names; empty selects all.
    type: raw
    default: ""
  namespace:
    description: Prefix of the ECR repositories (C(platform_ecr_namespace)).
    type: string
    default: teamf
"""

EXAMPLES = r"""
- name: What to build
  ansible.builtin.set_fact:
    build__components: >-
      {{ platform_components | teamf.platform.build_components(source_dir='/src/backend', selected='auth-api',
                                                               namespace=platform_ecr_namespace) }}
  # [{"name": "auth-api", "repository": "teamf/auth-api", "context": "/src/backend/examples/backend/auth", ...}]
"""

RETURN = r"""
_value:
  description: The selected components in O(_input) order.
  type: list
  elements: dict
  contains:
    name:
      description: The component.
      type: string
    repository:
      description: Its ECR repository name, C(<namespace>/<name>).
      type: string
    context:
      description: Absolute path of the build context.
      type: string
    context_relative:
      description: The context as the inventory gives it, relative to O(source_dir).
      type: string
    dockerfile:
      description: The Dockerfile, relative to the context.
      type: string
    build_args:
      description: Build arguments.
      type: dict
    extra_files:
      description: Files staged into the context.
      type: dict
"""

import os
import re

from ansible.errors import AnsibleFilterError

FILTER = "build_components"
# ECR repository names: https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepository.html
NAME = re.compile(r"^[a-z0-9]+([._-][a-z0-9]+)*$")
INVENTORY = "inventories/shared/group_vars/all.yml"


def _relative_inside(path):
    return isinstance(path, str) and path and not os.path.isabs(path) and ".." not in path.split("/")


def _check(index, component, source_dir):
    """Problems of one component, each a full sentence naming the variable."""
    field = f"platform_components[{index}]"
    if not isinstance(component, dict):
        return [f"{field}: must be a mapping with name and context"]
    name = component.get("name")
    field = f"platform_components[{index}] ({name})" if name else field
    problems = []
    if not isinstance(name, str) or not NAME.match(name):
        problems.append(
            f"{field}.name: {name!r} is not a repository name (lowercase letters, digits, and . _ - between them)"
        )
    context = component.get("context")
    dockerfile = component.get("dockerfile", "Dockerfile")
    if not _relative_inside(context):
        problems.append(f"{field}.context: {context!r} must be a path relative to the source checkout")
    elif not os.path.isdir(os.path.join(source_dir, context)):
        problems.append(
            f"{field}.context: {context} is not a directory of source_dir {source_dir}: fix it in {INVENTORY}, "
            "or pass -e source_dir=<the checkout that holds it>"
        )
    elif not _relative_inside(dockerfile) or not os.path.isfile(os.path.join(source_dir, context, dockerfile)):
        problems.append(f"{field}.dockerfile: {dockerfile!r} is not a file in {os.path.join(source_dir, context)}")
    for option in ("build_args", "extra_files"):
        if not isinstance(component.get(option, {}), dict):
            problems.append(f"{field}.{option}: must be a mapping")
    for destination, source in sorted((component.get("extra_files") or {}).items()):
        if not _relative_inside(destination):
            problems.append(f"{field}.extra_files: {destination!r} must be a path relative to the context")
        if not isinstance(source, str) or not os.path.isfile(source):
            problems.append(f"{field}.extra_files.{destination}: {source!r} is not a file on the controller")
    return problems


def build_components(components, source_dir, selected="", namespace="teamf"):
    if not isinstance(components, list) or not components:
        raise AnsibleFilterError(
            f"{FILTER}: platform_components must list the components to build (name, context); set it in {INVENTORY}"
        )
    if isinstance(selected, str):
        selected = [name.strip() for name in selected.split(",")]
    selected = [name for name in selected or [] if name]
    names = [component.get("name") for component in components if isinstance(component, dict)]
    problems = [
        f"platform_components: {name} is declared {names.count(name)} times"
        for name in sorted({name for name in names if names.count(name) > 1})
    ]
    unknown = sorted(set(selected) - set(names))
    if unknown:
        problems.append(
            f"components: {', '.join(unknown)} not in platform_components; choose from {', '.join(map(str, names))}"
        )
    chosen = [
        (index, component)
        for index, component in enumerate(components)
        if not selected or (isinstance(component, dict) and component.get("name") in selected)
    ]
    for index, component in chosen:
        problems += _check(index, component, source_dir)
    if problems:
        raise AnsibleFilterError(f"{FILTER}: " + "; ".join(problems))
    return [
        {
            "name": component["name"],
            "repository": f"{namespace}/{component['name']}",
            "context": os.path.normpath(os.path.join(source_dir, component["context"])),
            "context_relative": os.path.normpath(component["context"]),
            "dockerfile": component.get("dockerfile", "Dockerfile"),
            "build_args": component.get("build_args") or {},
            "extra_files": component.get("extra_files") or {},
        }
        for _index, component in chosen
    ]


class FilterModule:
    def filters(self):
        return {"build_components": build_components}
