#!/usr/bin/python

# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# Ansible reads DOCUMENTATION/EXAMPLES/RETURN first, so the imports follow them.

DOCUMENTATION = r"""
---
module: iam_oidc_provider
short_description: Manage an IAM OpenID Connect identity provider (such as an EKS cluster's issuer)
version_added: 0.2.0
description:
  - Creates, updates and deletes the IAM OIDC identity provider of an issuer URL, for example the
    issuer of an EKS cluster so that Kubernetes service accounts can assume IAM roles (IRSA).
  - The provider is found by its URL; client IDs, thumbprints and tags are reconciled in place.
author: teamf platform engineers (@teamf)
options:
  url:
    description:
      - The issuer URL; it must begin with C(https://).
      - For EKS, RV(teamf.platform.eks_cluster#module:cluster.identity.oidc.issuer).
    type: str
    required: true
  client_ids:
    description:
      - Audiences (client IDs) the provider accepts; IDs of the provider that are not listed are removed.
    type: list
    elements: str
    default: [sts.amazonaws.com]
  thumbprints:
    description:
      - Server certificate thumbprints (40 hex digits) of the issuer's certificate chain.
      - When not set, the provider keeps the thumbprints it has, and none are sent at creation;
        AWS no longer needs them for EKS issuers and other well-known providers, whose certificate
        authority it trusts.
    type: list
    elements: str
  state:
    description:
      - V(present) creates or updates the provider; V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
notes:
  - Supports check mode and diff mode. In check mode nothing is created, changed or deleted.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
  - teamf.platform.retries
"""

EXAMPLES = r"""
- name: Trust the EKS cluster's service account tokens (IRSA)
  teamf.platform.iam_oidc_provider:
    url: "{{ staging_cluster.cluster.identity.oidc.issuer }}"
    tags:
      Environment: staging

- name: Remove the provider
  teamf.platform.iam_oidc_provider:
    url: https://oidc.eks.ap-northeast-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE
    state: absent
"""

RETURN = r"""
arn:
  description: ARN of the provider; null when it is absent, or would be created in check mode.
  returned: always
  type: str
  sample: arn:aws:iam::123456789012:oidc-provider/oidc.eks.ap-northeast-2.amazonaws.com/id/EXAMPLE
url:
  description: The issuer URL, as given in O(url).
  returned: always
  type: str
  sample: https://oidc.eks.ap-northeast-2.amazonaws.com/id/EXAMPLE
client_ids:
  description: Client IDs of the provider.
  returned: when O(state=present)
  type: list
  elements: str
  sample: [sts.amazonaws.com]
thumbprints:
  description: Thumbprints of the provider (those AWS filled in when none were given).
  returned: when O(state=present)
  type: list
  elements: str
tags:
  description: Tags of the provider.
  returned: when O(state=present)
  type: dict
diff:
  description: Client IDs, thumbprints and tags before and after the run.
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
from ansible_collections.teamf.platform.plugins.module_utils.errors import fail_with_context
from ansible_collections.teamf.platform.plugins.module_utils.iam_oidc import (
    add_client_id,
    compare_client_ids,
    create_provider,
    delete_provider,
    find_provider_arn,
    get_provider,
    provider_result,
    remove_client_id,
    tag_provider,
    thumbprints_to_set,
    untag_provider,
    update_thumbprints,
)
from ansible_collections.teamf.platform.plugins.module_utils.retries import PlatformAWSModule


def settings(result):
    return {
        "client_ids": sorted(result["client_ids"]),
        "thumbprints": sorted(result["thumbprints"]),
        "tags": dict(sorted(result["tags"].items())),
    }


class OIDCProviderManager:
    def __init__(self, module, client):
        self.module = module
        self.client = client
        self.params = module.params
        self.url = module.params["url"]
        self.result = {"changed": False, "arn": None, "url": self.url}

    def current(self):
        arn = find_provider_arn(self.client, self.url)
        provider = get_provider(self.client, arn) if arn else None
        return (arn, provider_result(arn, self.url, provider)) if provider else (None, None)

    def diff(self, before, after):
        if self.module._diff:
            self.result["diff"] = {"before": settings(before) if before else {}, "after": after}

    def ensure_present(self):
        arn, current = self.current()
        client_ids, thumbprints, tags = self.params["client_ids"], self.params["thumbprints"], self.params["tags"]
        if current is None:
            self.result.update(changed=True, client_ids=client_ids, thumbprints=thumbprints or [], tags=tags or {})
            self.diff(None, settings(self.result))
            if self.module.check_mode:
                return
            arn = create_provider(self.client, self.url, client_ids, thumbprints, tags)
            self.result.update(provider_result(arn, self.url, get_provider(self.client, arn)))
            return

        to_add, to_remove = compare_client_ids(current["client_ids"], client_ids)
        new_thumbprints = thumbprints_to_set(current["thumbprints"], thumbprints)
        tags_to_set, tags_to_unset = ({}, [])
        if tags is not None:
            tags_to_set, tags_to_unset = compare_aws_tags(current["tags"], tags, self.params["purge_tags"])
        after = dict(current, client_ids=list(client_ids), thumbprints=new_thumbprints or current["thumbprints"])
        after["tags"] = {k: v for k, v in current["tags"].items() if k not in tags_to_unset} | tags_to_set
        self.diff(current, settings(after))
        self.result.update(current)
        self.result["changed"] = bool(to_add or to_remove or new_thumbprints or tags_to_set or tags_to_unset)
        if self.module.check_mode or not self.result["changed"]:
            return
        for client_id in to_add:
            add_client_id(self.client, arn, client_id)
        for client_id in to_remove:
            remove_client_id(self.client, arn, client_id)
        if new_thumbprints:
            update_thumbprints(self.client, arn, new_thumbprints)
        if tags_to_unset:
            untag_provider(self.client, arn, tags_to_unset)
        if tags_to_set:
            tag_provider(self.client, arn, tags_to_set)
        self.result.update(provider_result(arn, self.url, get_provider(self.client, arn)))

    def ensure_absent(self):
        arn, current = self.current()
        if current is None:
            return
        self.result.update(changed=True, arn=arn)
        self.diff(current, {})
        if not self.module.check_mode:
            delete_provider(self.client, arn)


def main():
    argument_spec = dict(
        url=dict(type="str", required=True),
        client_ids=dict(type="list", elements="str", default=["sts.amazonaws.com"]),
        thumbprints=dict(type="list", elements="str"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = PlatformAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    url = module.params["url"]
    if not url.startswith("https://") or len(url) <= len("https://"):
        module.fail_json(msg=f"url: {url!r} must be an issuer URL beginning with https://")
    if module.params["state"] == "present" and not module.params["client_ids"]:
        module.fail_json(msg="client_ids: at least one client ID (audience) is needed, such as sts.amazonaws.com")
    client = module.client("iam")
    manager = OIDCProviderManager(module, client)
    try:
        if module.params["state"] == "present":
            manager.ensure_present()
        else:
            manager.ensure_absent()
    except AnsibleAWSError as exc:
        fail_with_context(module, exc, f"url {url}")
    module.exit_json(**manager.result)


if __name__ == "__main__":
    main()
