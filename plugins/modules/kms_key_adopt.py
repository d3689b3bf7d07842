#!/usr/bin/python

# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# Ansible reads DOCUMENTATION/EXAMPLES/RETURN first, so the imports follow them.

DOCUMENTATION = r"""
---
module: kms_key_adopt
short_description: Give an alias to the KMS key an interrupted run created without it
version_added: 0.4.0
description:
  - A KMS key with an alias takes two AWS calls, CreateKey and CreateAlias, and CreateKey has no
    idempotency token. A run stopped between the two leaves an enabled key that no alias names; a
    module that finds its key by alias (such as M(amazon.aws.kms_key)) then creates a second key on
    the next run, and the first one stays behind, unused and billed.
  - When O(alias) does not exist, this module looks for customer managed, enabled keys that no alias
    names and that carry every tag in O(tags) (CreateKey tags a key from its first moment), and creates
    O(alias) on the oldest of them. Run it just before the task that creates the key by alias, with
    tags that only that task puts on its key; that task then finds the key and manages it.
  - When O(alias) exists, or no key qualifies, nothing changes.
author: teamf platform engineers (@teamf)
options:
  alias:
    description:
      - The alias the key should have, with or without the C(alias/) prefix.
    type: str
    required: true
  tags:
    description:
      - Tags (key and value) a key must all carry to be adopted; other tags do not matter.
      - Choose tags that name the owner precisely (for example the cluster the key encrypts), so
        that no other application's key qualifies.
    type: dict
    required: true
notes:
  - Supports check mode and diff mode. In check mode the key that would be adopted is returned and
    no alias is created.
  - When several keys qualify (runs interrupted before this module was used), the oldest is adopted
    and the others are returned in RV(unadopted_keys) with a warning; schedule their deletion once you
    know nothing else uses them.
  - Reads every customer managed key's state once (DescribeKey) and the tags of the enabled keys
    without an alias (ListResourceTags), only while O(alias) does not exist.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - teamf.platform.retries
"""

EXAMPLES = r"""
- name: Adopt the secrets key an interrupted run created without its alias
  teamf.platform.kms_key_adopt:
    alias: alias/teamf-staging-eks-secrets
    tags:
      ManagedBy: teamf.platform
      eks-cluster: teamf-staging

- name: Create the key, or manage the adopted one
  amazon.aws.kms_key:
    alias: alias/teamf-staging-eks-secrets
    tags:
      ManagedBy: teamf.platform
      eks-cluster: teamf-staging
"""

RETURN = r"""
alias:
  description: The alias, with its C(alias/) prefix.
  returned: always
  type: str
  sample: alias/teamf-staging-eks-secrets
key_arn:
  description:
    - ARN of the key the alias names after the run (the adopted key, or the one it already named);
      null when the alias does not exist and no key qualified.
  returned: always
  type: str
  sample: arn:aws:kms:ap-northeast-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab
adopted:
  description: Whether the alias was created (in check mode, would be) on a key that had none.
  returned: always
  type: bool
unadopted_keys:
  description: ARNs of the other keys that qualified and were left as they are (newest last).
  returned: always
  type: list
  elements: str
diff:
  description: The alias's key before and after the run.
  returned: in diff mode
  type: dict
aws_retries:
  description: The AWS calls that were retried, one entry per retry (see the notes on retries).
  returned: when a call was retried
  type: list
  elements: dict
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.teamf.platform.plugins.module_utils.errors import fail_with_context
from ansible_collections.teamf.platform.plugins.module_utils.kms import (
    adoptable_keys,
    canonical_alias,
    create_alias,
    describe_key,
    find_alias,
)
from ansible_collections.teamf.platform.plugins.module_utils.retries import PlatformAWSModule


class KeyAdoption:
    def __init__(self, module, client):
        self.module = module
        self.client = client
        self.alias = canonical_alias(module.params["alias"])
        self.result = {"changed": False, "alias": self.alias, "key_arn": None, "adopted": False, "unadopted_keys": []}

    def diff(self, before, after):
        if self.module._diff:
            self.result["diff"] = {"before": {"key_arn": before}, "after": {"key_arn": after}}

    def ensure_present(self):
        existing = find_alias(self.client, self.alias)
        if existing is not None:
            key_id = existing.get("TargetKeyId")
            metadata = describe_key(self.client, key_id) if key_id else None
            self.result["key_arn"] = metadata["Arn"] if metadata else None
            self.diff(self.result["key_arn"], self.result["key_arn"])
            return
        candidates = adoptable_keys(self.client, self.module.params["tags"])
        if not candidates:
            self.diff(None, None)
            return
        chosen, others = candidates[0], candidates[1:]
        self.result.update(
            changed=True, adopted=True, key_arn=chosen["key_arn"], unadopted_keys=[key["key_arn"] for key in others]
        )
        self.diff(None, chosen["key_arn"])
        if others:
            self.module.warn(
                f"{len(others)} more enabled key(s) without an alias carry the tags given for {self.alias}: "
                f"{', '.join(self.result['unadopted_keys'])}; schedule their deletion once nothing uses them"
            )
        if not self.module.check_mode:
            create_alias(self.client, self.alias, chosen["key_id"])


def main():
    argument_spec = dict(
        alias=dict(type="str", required=True),
        tags=dict(type="dict", required=True),
    )
    module = PlatformAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    alias = module.params["alias"]
    if canonical_alias(alias) == "alias/" or canonical_alias(alias).startswith("alias/aws/"):
        module.fail_json(msg=f"alias: {alias!r} must name a customer managed alias (not empty, not alias/aws/...)")
    if not module.params["tags"]:
        module.fail_json(msg="tags: at least one tag is needed, or any key without an alias could be adopted")
    manager = KeyAdoption(module, module.client("kms"))
    try:
        manager.ensure_present()
    except AnsibleAWSError as exc:
        fail_with_context(module, exc, f"alias {manager.alias}")
    module.exit_json(**manager.result)


if __name__ == "__main__":
    main()
