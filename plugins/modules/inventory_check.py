#!/usr/bin/python

# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: inventory_check
short_description: Refuse misspelt and missing platform variables in an inventory, before any AWS call
version_added: 0.4.0
description:
  - Reads the host's inventory files (C(group_vars) of C(all) and of its groups, C(host_vars)) and finds
    the variables with the platform's prefixes (C(platform_), C(vpc_), C(iam_), C(eks_), C(nodegroup_),
    C(ecs_dev_), C(helm_release_), C(registry_), C(ci_identity_)).
  - A variable no role, playbook or shared inventory file reads is an error when its name is close to
    one that is read (V(vpc_cidrr) -> V(vpc_cidr)), a warning otherwise. A template that reads a
    variable the host does not have (without a C(default)) is an error naming the template's variable,
    its file and the missing name, with the nearest name the inventory does set.
  - Templates nothing and calls no AWS API. Runs on the controller (action plugin).
author: teamf platform engineers (@teamf)
options:
  known:
    description: Further names to accept (variables the project reads outside the collection).
    type: list
    elements: str
    default: []
attributes:
  check_mode:
    description: Reads only, so it runs the same in check mode.
    support: full
  diff_mode:
    description: Changes nothing, so there is no diff.
    support: none
"""

EXAMPLES = r"""
- name: Refuse misspelt inventory variables
  teamf.platform.inventory_check:
"""

RETURN = r"""
problems:
  description: The errors found (the task fails when there is any).
  returned: always
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec={"known": {"type": "list", "elements": "str", "default": []}}, supports_check_mode=True
    )
    module.fail_json(msg="teamf.platform.inventory_check runs on the controller only (it is an action plugin)")


if __name__ == "__main__":
    main()
