# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the set modules' managers share (ec2_vpc_subnets, ec2_vpc_nat_gateways, ecr_repositories).

A set module converges every item of one list option in one run. Its manager keeps the module, the
client, the result, the diff (per item, under the option's name) and the field the AWS call in flight
is about, which the module's single error report names. ``run`` is the modules' whole flow: input
errors first (before any AWS call), one read (``current``), then ``ensure_present`` or
``ensure_absent`` with it, one error report, one exit.
"""

from __future__ import annotations

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.teamf.platform.plugins.module_utils.errors import fail_with_context


class SetManager:
    # The module option holding the list; also the key of the diff's before and after.
    items = ""

    def __init__(self, module, client):
        self.module = module
        self.client = client
        self.params = module.params
        self.wanted = module.params[self.items]
        self.result = {"changed": False}
        self.before = {}
        self.after = {}
        # The field the current AWS call is about (items[i].key value), for the error message.
        self.field = self.items

    def finish(self):
        """The result to exit with: the diff added in diff mode."""
        if self.module._diff:
            self.result["diff"] = {"before": {self.items: self.before}, "after": {self.items: self.after}}
        return self.result

    def current(self):
        """What AWS has of the listed items, read once; ``ensure_present``/``ensure_absent`` get it."""
        raise NotImplementedError

    def error_context(self):
        """The failing field and what it is in, for the error message."""
        return self.field

    def run(self, errors):
        """Fail with every one of ``errors`` (input problems) before any AWS call; else converge and exit."""
        if errors:
            self.module.fail_json(msg="; ".join(errors))
        try:
            current = self.current()
            if self.params["state"] == "present":
                self.ensure_present(current)
            else:
                self.ensure_absent(current)
        except AnsibleAWSError as exc:
            fail_with_context(self.module, exc, self.error_context())
        self.module.exit_json(**self.finish())


class VpcSetManager(SetManager):
    """A set of one VPC's resources: errors name the field and the VPC (``subnets[1].cidr ... in vpc-1``)."""

    def __init__(self, module, client):
        super().__init__(module, client)
        self.vpc_id = module.params["vpc_id"]
        self.field = "vpc_id"

    def error_context(self):
        return f"{self.field} in {self.vpc_id}"
