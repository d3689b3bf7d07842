# Copyright: teamf platform engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: subnet_tags
short_description: Build the subnet tags EKS and the AWS Load Balancer Controller discover subnets by
version_added: 0.1.0
description:
  - Returns O(extra) plus the discovery tags for a subnet's load-balancer role and the clusters that use it.
  - V(public) adds C(kubernetes.io/role/elb=1) (internet-facing load balancers),
    V(internal) adds C(kubernetes.io/role/internal-elb=1) (internal load balancers), V(none) adds neither.
  - Every cluster in O(clusters) adds C(kubernetes.io/cluster/<name>=shared).
  - See U(https://docs.aws.amazon.com/eks/latest/userguide/network-load-balancing.html) and
    U(https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/deploy/subnet_discovery/).
options:
  _input:
    description: The subnet's load-balancer role.
    type: string
    choices: [public, internal, none]
    required: true
  clusters:
    description: EKS cluster names that place nodes or load balancers in the subnet.
    type: list
    elements: string
    default: []
  extra:
    description: Other tags (Name, Environment, ...). They may not set discovery keys themselves.
    type: dict
    default: {}
"""

EXAMPLES = r"""
- name: Tags for a private-app subnet that carries internal load balancers for teamf-prod
  ansible.builtin.debug:
    msg: "{{ 'internal' | teamf.platform.subnet_tags(clusters=['teamf-prod'], extra={'Name': 'prod-private-app-a'}) }}"
  # {"Name": "prod-private-app-a", "kubernetes.io/cluster/teamf-prod": "shared",
  #  "kubernetes.io/role/internal-elb": "1"}
"""

RETURN = r"""
_value:
  description: The tags as a dict of strings.
  type: dict
"""

import re

from ansible.errors import AnsibleFilterError

FILTER = "subnet_tags"
ROLE_TAGS = {
    "public": {"kubernetes.io/role/elb": "1"},
    "internal": {"kubernetes.io/role/internal-elb": "1"},
    "none": {},
}
# https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateCluster.html#API_CreateCluster_RequestSyntax
CLUSTER_NAME = re.compile(r"^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$")
DISCOVERY_PREFIXES = ("kubernetes.io/role/", "kubernetes.io/cluster/")


def _fail(argument, value, problem):
    raise AnsibleFilterError(f"{FILTER}: argument '{argument}' = {value!r}: {problem}")


def subnet_tags(lb_role, clusters=None, extra=None):
    clusters = [] if clusters is None else clusters
    extra = {} if extra is None else extra
    if lb_role not in ROLE_TAGS:
        _fail("_input", lb_role, f"must be one of {', '.join(ROLE_TAGS)}")
    if not isinstance(clusters, list):
        _fail("clusters", clusters, "must be a list of EKS cluster names")
    for index, name in enumerate(clusters):
        if not isinstance(name, str) or not CLUSTER_NAME.match(name):
            _fail(f"clusters[{index}]", name, "not a valid EKS cluster name (letters, digits, - and _, up to 100)")
    if not isinstance(extra, dict):
        _fail("extra", extra, "must be a dict of tag names to values")
    reserved = sorted(key for key in extra if str(key).startswith(DISCOVERY_PREFIXES))
    if reserved:
        _fail("extra", extra, f"sets discovery tag(s) {', '.join(reserved)}; pass the role and clusters instead")

    tags = {str(key): str(value) for key, value in extra.items()}
    tags.update(ROLE_TAGS[lb_role])
    tags.update({f"kubernetes.io/cluster/{name}": "shared" for name in clusters})
    return tags


class FilterModule:
    def filters(self):
        return {"subnet_tags": subnet_tags}
