# Copyright: teamf platform engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: nodegroup_problems
short_description: Every problem of a list of EKS managed nodegroup definitions, before any AWS call
version_added: 0.4.0
description:
  - Checks what the P(teamf.platform.nodegroup#role) role's O(nodegroup_groups) hold against the rules
    EKS applies at C(CreateNodegroup) time, so a wrong size fails in validation instead of after the
    VPC, IAM roles and cluster were built.
  - Types (sizes are whole numbers, not words), ranges (C(0 <= min_size <= desired_size <= max_size),
    C(max_size >= 1)), names (1 to 63 letters, digits, C(-) and C(_), starting with a letter or digit; unique),
    instance types shaped like V(m6i.large), capacity types, disk sizes, C(max_unavailable), taints,
    labels, and unknown keys (with the nearest known key suggested).
  - Returns every message at once (an empty list when all is well); each names the variable, the value
    and the fix. A group whose C(scaling) comes from an inventory variable (O(scaling_variable)) is
    reported under that variable's name, as the user wrote it.
options:
  _input:
    description: The nodegroup definitions (O(nodegroup_groups)).
    type: list
    elements: dict
    required: true
  scaling_variable:
    description:
      - Name of the inventory variable a group's C(scaling) is taken from, with C({name}) standing for
        the group's name (V(nodegroup_{name}_scaling)). Used in messages only when listed in O(defined).
    type: string
    default: ""
  defined:
    description: Variable names that are set for the host (e.g. C(query('ansible.builtin.varnames', '^nodegroup_'))).
    type: list
    elements: string
    default: []
"""

EXAMPLES = r"""
- name: Refuse impossible nodegroup sizes before anything is created
  ansible.builtin.assert:
    that: problems | length == 0
    fail_msg: "{{ problems | join('; ') }}"
    quiet: true
  vars:
    problems: >-
      {{ nodegroup_groups | teamf.platform.nodegroup_problems(
           scaling_variable='nodegroup_{name}_scaling', defined=query('ansible.builtin.varnames', '^nodegroup_')) }}
"""

RETURN = r"""
_value:
  description: One message per problem, in input order; empty when every group is valid.
  type: list
  elements: string
"""

import difflib
import re

GROUP_KEYS = {
    "name",
    "instance_types",
    "capacity_type",
    "scaling",
    "labels",
    "taints",
    "disk_size",
    "max_unavailable",
    "ami_type",
}
SCALING_KEYS = ("min_size", "desired_size", "max_size")
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$")
INSTANCE_TYPE = re.compile(r"^[a-z][a-z0-9-]*\.[a-z0-9]+$")
CAPACITY_TYPES = ("ON_DEMAND", "SPOT")
TAINT_EFFECTS = ("NO_SCHEDULE", "NO_EXECUTE", "PREFER_NO_SCHEDULE")
# EKS API limits (CreateNodegroup: diskSize in GiB as EBS allows for gp3; updateConfig.maxUnavailable 1..100).
DISK_SIZE = (1, 16384)
MAX_UNAVAILABLE = (1, 100)


def _whole(value):
    """The int a YAML value means, or None: 3 and "3" are 3; "three", 3.5 and true are not numbers."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def _unknown_keys(where, given, known):
    problems = []
    for key in sorted(set(given) - set(known), key=str):
        close = difflib.get_close_matches(str(key), sorted(known), n=1, cutoff=0.6) or sorted(
            k for k in known if k.startswith(str(key))
        )
        hint = f"did you mean '{close[0]}'?" if close else f"known keys: {', '.join(sorted(known))}"
        problems.append(f"{where}: unknown key '{key}'; {hint}")
    return problems


def _scaling_problems(where, scaling):
    if not isinstance(scaling, dict):
        return [f"{where}: {scaling!r} must be a mapping such as {{min_size: 1, desired_size: 2, max_size: 3}}"]
    problems = _unknown_keys(where, scaling, SCALING_KEYS)
    sizes = {}
    for key in SCALING_KEYS:
        if key not in scaling:
            problems.append(f"{where}.{key} is missing; set it to a whole number")
            continue
        number = _whole(scaling[key])
        if number is None:
            problems.append(f"{where}.{key}: {scaling[key]!r} is not a whole number; write a number, e.g. {key}: 3")
        else:
            sizes[key] = number
    if len(sizes) < len(SCALING_KEYS):
        return problems
    low, desired, high = (sizes[key] for key in SCALING_KEYS)
    if high < 1:
        problems.append(f"{where}.max_size: {high} must be at least 1 (EKS needs room for one node)")
    if low > high:
        problems.append(f"{where}: min_size {low} exceeds max_size {high}; lower min_size or raise max_size")
    elif not low <= desired <= high:
        problems.append(
            f"{where}: desired_size {desired} must lie between min_size {low} and max_size {high}; "
            "change desired_size or widen the range"
        )
    return problems


def _range_problem(where, value, bounds, what):
    number = _whole(value)
    if number is None or not bounds[0] <= number <= bounds[1]:
        return [f"{where}: {value!r} must be a whole number of {what} from {bounds[0]} to {bounds[1]}"]
    return []


def _group_problems(index, group, scaling_where):
    where = f"nodegroup_groups[{index}]"
    if not isinstance(group, dict):
        return [f"{where}: {group!r} must be a mapping with name, instance_types and scaling"]
    name = group.get("name")
    if isinstance(name, str) and name:
        where = f"nodegroup_groups[{name}]"
    problems = _unknown_keys(where, group, GROUP_KEYS)
    if not isinstance(name, str) or not NAME.match(name):
        problems.append(
            f"{where}.name: {name!r} must be 1 to 63 letters, digits, '-' or '_', starting with a letter or digit"
        )
    types = group.get("instance_types")
    if not isinstance(types, list) or not types:
        problems.append(f"{where}.instance_types: {types!r} must be a non-empty list such as [m6i.large]")
    else:
        problems += [
            f"{where}.instance_types: {t!r} is not an EC2 instance type (family.size, such as m6i.large)"
            for t in types
            if not isinstance(t, str) or not INSTANCE_TYPE.match(t)
        ]
    capacity = group.get("capacity_type", "ON_DEMAND")
    if capacity not in CAPACITY_TYPES:
        problems.append(f"{where}.capacity_type: {capacity!r} must be one of {', '.join(CAPACITY_TYPES)}")
    problems += _scaling_problems(scaling_where or f"{where}.scaling", group.get("scaling"))
    if "disk_size" in group:
        problems += _range_problem(f"{where}.disk_size", group["disk_size"], DISK_SIZE, "GiB")
    if "max_unavailable" in group:
        problems += _range_problem(f"{where}.max_unavailable", group["max_unavailable"], MAX_UNAVAILABLE, "nodes")
    labels = group.get("labels", {})
    if not isinstance(labels, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in labels.items()):
        problems.append(f"{where}.labels: {labels!r} must map label names to string values")
    taints = group.get("taints", [])
    if not isinstance(taints, list):
        problems.append(f"{where}.taints: {taints!r} must be a list of {{key, value, effect}}")
    else:
        for position, taint in enumerate(taints):
            if not isinstance(taint, dict) or not taint.get("key"):
                problems.append(f"{where}.taints[{position}]: {taint!r} needs a key (and an effect)")
            elif taint.get("effect") not in TAINT_EFFECTS:
                effects = ", ".join(TAINT_EFFECTS)
                problems.append(f"{where}.taints[{position}].effect: {taint.get('effect')!r} must be one of {effects}")
    return problems


def nodegroup_problems(groups, scaling_variable="", defined=()):
    if not isinstance(groups, list) or not groups:
        return [f"nodegroup_groups: {groups!r} must be a non-empty list of nodegroups"]
    problems = []
    names = [group.get("name") for group in groups if isinstance(group, dict)]
    for name in sorted({n for n in names if names.count(n) > 1}, key=str):
        problems.append(f"nodegroup_groups: the name {name!r} is used more than once; nodegroup names must be unique")
    for index, group in enumerate(groups):
        name = group.get("name") if isinstance(group, dict) else None
        variable = scaling_variable.format(name=name) if scaling_variable and isinstance(name, str) else ""
        problems += _group_problems(index, group, variable if variable in defined else "")
    return problems


class FilterModule:
    def filters(self):
        return {"nodegroup_problems": nodegroup_problems}
