# Copyright: teamf platform engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: monthly_cost
short_description: The rough monthly cost of what an environment runs, from a pinned price table
version_added: 0.4.0
description:
  - Multiplies what exists (EC2 instances by type, NAT gateways, load balancers, EKS control planes) by the
    hourly on-demand prices of O(prices) for O(region) and the table's hours per month.
  - Returns one line per priced item and the total, each rounded to cents, with the date of the prices, so
    the summary can say how old the figures are. Usage-based charges (data, capacity units) are not counted.
  - An item with no price fails naming the region, the item and the table entry to add.
options:
  _input:
    description:
      - What exists. C(ec2) maps instance types to instance counts; C(nat_gateway), C(alb) and C(eks_cluster)
        are counts. Missing keys and zero counts cost nothing.
    type: dict
    required: true
  prices:
    description:
      - The price table (C(playbooks/files/aws_prices.yml)) with C(as_of), C(currency), C(hours_per_month) and
        C(regions.<region>) holding C(ec2.<type>), C(nat_gateway), C(alb) and C(eks_cluster) in currency per hour.
    type: dict
    required: true
  region:
    description: The AWS region the resources are in.
    type: string
    required: true
"""

EXAMPLES = r"""
- name: Price an environment
  ansible.builtin.debug:
    msg: >-
      {{ {'ec2': {'m6i.large': 2}, 'nat_gateway': 3, 'eks_cluster': 1}
         | teamf.platform.monthly_cost(lookup('ansible.builtin.file', 'files/aws_prices.yml') | from_yaml,
                                       'ap-northeast-2') }}
  # {"total": 374.49, "currency": "USD", "as_of": "2026-12-02", "hours_per_month": 730, "lines": [
  #   {"item": "EKS control plane", "count": 1, "hourly": 0.1, "monthly": 73.0}, ...]}
"""

RETURN = r"""
_value:
  description: The cost, per item and in total.
  type: dict
  contains:
    total:
      description: Sum of the lines' monthly figures.
      type: float
    currency:
      description: The table's currency.
      type: str
    as_of:
      description: The date the table's prices were read.
      type: str
    hours_per_month:
      description: Hours a month is counted as.
      type: int
    lines:
      description: One per item with a non-zero count, C(item), C(count), C(hourly) (unit price) and C(monthly).
      type: list
      elements: dict
"""

from decimal import ROUND_HALF_UP, Decimal

from ansible.errors import AnsibleFilterError

FILTER = "monthly_cost"
COUNTED = {"nat_gateway": "NAT gateway", "alb": "load balancer (ALB)", "eks_cluster": "EKS control plane"}
TABLE = "playbooks/files/aws_prices.yml"


def _count(value, field):
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise AnsibleFilterError(f"{FILTER}: input field '{field}' must be a count (0 or more), got {value!r}")
    return value


def _price(table, path, region):
    value = table
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        entry = ".".join(path[2:])
        raise AnsibleFilterError(
            f"{FILTER}: no hourly price for {entry} in region {region}: add regions.{region}.{entry} "
            f"to the price table ({TABLE}), read from its sources"
        )
    return Decimal(str(value))


def _cents(value):
    return float(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def monthly_cost(resources, prices, region):
    if not isinstance(resources, dict):
        raise AnsibleFilterError(f"{FILTER}: input must be a mapping of what exists, got {resources!r}")
    if not isinstance(prices, dict) or not isinstance(prices.get("regions"), dict):
        raise AnsibleFilterError(f"{FILTER}: argument 'prices' must be the price table ({TABLE}) with 'regions'")
    unknown = sorted(set(resources) - {"ec2", *COUNTED})
    if unknown:
        known = ", ".join(["ec2", *COUNTED])
        raise AnsibleFilterError(f"{FILTER}: input field '{unknown[0]}' is not priced (known: {known})")
    if region not in prices["regions"]:
        known = ", ".join(sorted(prices["regions"])) or "none"
        raise AnsibleFilterError(
            f"{FILTER}: argument 'region': {region!r} has no prices in {TABLE} (it has {known}); "
            f"add regions.{region} from the table's sources"
        )
    hours = prices.get("hours_per_month", 730)
    wanted = []
    ec2 = resources.get("ec2") or {}
    if not isinstance(ec2, dict):
        raise AnsibleFilterError(f"{FILTER}: input field 'ec2' must map instance types to counts, got {ec2!r}")
    for instance_type, count in sorted(ec2.items()):
        path = ("regions", region, "ec2", instance_type)
        wanted.append((f"EC2 {instance_type}", _count(count, f"ec2.{instance_type}"), path))
    for key, label in COUNTED.items():
        wanted.append((label, _count(resources.get(key, 0), key), ("regions", region, key)))

    lines, total = [], Decimal(0)
    for item, count, path in wanted:
        if not count:
            continue
        hourly = _price(prices, path, region)
        monthly = hourly * count * hours
        total += monthly
        lines.append({"item": item, "count": count, "hourly": float(hourly), "monthly": _cents(monthly)})
    return {
        "total": _cents(total),
        "currency": prices.get("currency", "USD"),
        "as_of": str(prices.get("as_of", "unknown")),
        "hours_per_month": hours,
        "lines": lines,
    }


class FilterModule:
    def filters(self):
        return {"monthly_cost": monthly_cost}
