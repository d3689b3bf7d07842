# Copyright: teamf platform engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: history_rollback
short_description: What a rollback of an environment puts back, from its deploy history
version_added: 0.4.0
description:
  - C(playbooks/ops/rollback.yml) asks this filter what to put back, given the environment's history
    (M(teamf.platform.platform_history_info), newest first) and what runs now.
  - Without O(to), the set before the newest successful deploy, redeploy or promotion (a rollback is
    never undone by another, so rerunning a rollback changes nothing); on ECS with no such event, each
    service's previous task definition revision.
  - O(to) is a history event id (the set that event deployed; it must have succeeded), on ECS a task
    definition revision (V(7), every service) or V(service:revision) pairs, on EKS a release version.
  - Returns C(targets) (name → version, only what differs from O(_input)), C(event) (the history event
    it comes from) and C(error) (why there is nothing to roll back to; empty otherwise), so the playbook
    fails with that message before any change.
options:
  _input:
    description:
      - What runs now, name → version (ECS the task definition C(family:revision) of each service;
        EKS the backend release under C(api)).
    type: dict
    required: true
  events:
    description: The history, newest first.
    type: list
    elements: dict
    required: true
  to:
    description: Where to roll back to (C(TO=)); empty for the previous deploy.
    type: string
    default: ""
  environment:
    description: The environment, for messages.
    type: string
    default: ""
  platform:
    description: V(ecs) or V(eks).
    type: string
    default: ecs
"""

EXAMPLES = r"""
- name: Plan dev's rollback
  ansible.builtin.set_fact:
    plan: >-
      {{ {'auth-server': 'teamf-dev-auth-server:4'}
         | teamf.platform.history_rollback(history.events, to='', environment='dev') }}
  # {"event": "20261202-075011-3f9a", "targets": {"auth-server": "teamf-dev-auth-server:3"}, "error": ""}
"""

RETURN = r"""
_value:
  description: C(event), C(targets) and C(error).
  type: dict
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.teamf.platform.plugins.module_utils.platform_history import rollback_plan


def history_rollback(current, events, to="", environment="", platform="ecs"):
    if not isinstance(current, dict) or not isinstance(events, list):
        raise AnsibleFilterError(
            f"history_rollback: needs what runs (a dict, got {type(current).__name__}) and the history's events "
            f"(a list, got {type(events).__name__})"
        )
    if platform not in ("ecs", "eks"):
        raise AnsibleFilterError(f"history_rollback: platform={platform!r}, not ecs or eks")
    return rollback_plan(events, {str(k): str(v) for k, v in current.items()}, to, environment, platform)


class FilterModule:
    def filters(self):
        return {"history_rollback": history_rollback}
