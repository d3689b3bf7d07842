# Copyright: teamf platform engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: subnet_plan
short_description: Plan a VPC's subnets from tiers and availability zones
version_added: 0.1.0
description:
  - Turns a VPC CIDR, an ordered list of tiers and a list of availability zones into a deterministic
    list of subnets, one per tier and zone.
  - Each tier reserves one contiguous block holding O(az_slots) subnets of the tier's size, so adding
    a zone later never moves an existing subnet. Tier blocks are placed first-fit in tier order,
    after any tier that pins its block with O(tiers[].cidr).
  - Refuses malformed CIDRs, tiers that do not fit, overlapping tiers and too few zones, naming the
    argument and the value.
options:
  _input:
    description: The VPC IPv4 CIDR, V(/16) to V(/28) as AWS allows, host bits zero.
    type: string
    required: true
  tiers:
    description: Ordered tiers.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: Tier name, lower-case letters, digits and dashes (V(public), V(private-app)).
        type: string
        required: true
      role:
        description: V(public) subnets route to the internet gateway, V(private) ones through NAT.
        type: string
        choices: [public, private]
        required: true
      prefix:
        description: Prefix length of each subnet in the tier (V(16) to V(28)). Exclusive with O(tiers[].size).
        type: int
      size:
        description: Addresses per subnet, a power of two from 16 to 65536. Exclusive with O(tiers[].prefix).
        type: int
      cidr:
        description: Pin the tier's block to this CIDR inside the VPC instead of placing it automatically.
        type: string
  azs:
    description: Availability zone names, in the order subnets are laid out in each tier.
    type: list
    elements: string
    required: true
  min_azs:
    description: Fail when fewer zones are given (EKS needs subnets in at least two).
    type: int
    default: 1
  az_slots:
    description: Subnets reserved per tier block, a power of two at least the number of zones.
    type: int
    default: 4
  names:
    description:
      - Maps each argument to the variable the caller passes as it (C(tiers) to C(vpc_tiers)); messages
        name those variables instead of the arguments, so the user reads what to fix.
    type: dict
"""

EXAMPLES = r"""
- name: Plan a three-tier VPC over two zones
  ansible.builtin.set_fact:
    vpc__plan: >-
      {{ '10.20.0.0/16' | teamf.platform.subnet_plan(
           tiers=[{'name': 'public', 'role': 'public', 'prefix': 24},
                  {'name': 'private-app', 'role': 'private', 'prefix': 20},
                  {'name': 'private-data', 'role': 'private', 'size': 256}],
           azs=['ap-northeast-2a', 'ap-northeast-2c'], min_azs=2) }}
  # public-a 10.20.0.0/24, public-c 10.20.1.0/24, private-app-a 10.20.16.0/20, ...
"""

RETURN = r"""
_value:
  description: One entry per tier and zone, tier-major in tier order, zones in O(azs) order.
  type: list
  elements: dict
  contains:
    name:
      description: V(<tier>-<zone letter>), for example V(private-app-a).
      type: string
    tier:
      description: Tier name.
      type: string
    role:
      description: V(public) or V(private).
      type: string
    az:
      description: Availability zone.
      type: string
    cidr:
      description: The subnet's CIDR.
      type: string
"""

import ipaddress
import re

from ansible.errors import AnsibleFilterError

FILTER = "subnet_plan"
AWS_MIN_PREFIX = 16
AWS_MAX_PREFIX = 28
TIER_NAME = re.compile(r"^[a-z][a-z0-9-]{0,30}$")
TIER_KEYS = {"name", "role", "prefix", "size", "cidr"}


def _fail(argument, value, problem):
    raise AnsibleFilterError(f"{FILTER}: argument '{argument}' = {value!r}: {problem}")


def _network(argument, value):
    try:
        return ipaddress.IPv4Network(str(value))
    except ValueError as exc:
        if "host bits set" in str(exc):
            fixed = ipaddress.IPv4Network(str(value), strict=False)
            _fail(argument, value, f"host bits are set; did you mean {fixed}?")
        _fail(argument, value, "not an IPv4 CIDR such as 10.0.0.0/16")


def _whole_number(argument, value, example):
    """An int, or a string of digits (YAML ``"24"``, as the role's argument spec accepts it)."""
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        _fail(argument, value, f"must be a whole number such as {example} (no slash, no words)")
    return value


def _tier_prefix(index, tier):
    has_prefix, has_size = "prefix" in tier, "size" in tier
    if has_prefix == has_size:
        _fail(f"tiers[{index}]", tier, "give exactly one of 'prefix' (e.g. 24) or 'size' (e.g. 256)")
    if has_size:
        size = _whole_number(f"tiers[{index}].size", tier["size"], 256)
        if size < 16 or size > 65536 or size & (size - 1):
            _fail(f"tiers[{index}].size", size, "must be a power of two from 16 to 65536")
        return 32 - (size.bit_length() - 1)
    prefix = _whole_number(f"tiers[{index}].prefix", tier["prefix"], 24)
    if not AWS_MIN_PREFIX <= prefix <= AWS_MAX_PREFIX:
        _fail(f"tiers[{index}].prefix", prefix, f"AWS subnets are /{AWS_MIN_PREFIX} to /{AWS_MAX_PREFIX}")
    return prefix


def _validate_tiers(tiers):
    if not isinstance(tiers, list) or not tiers:
        _fail("tiers", tiers, "must be a non-empty list of tiers")
    seen = set()
    for index, tier in enumerate(tiers):
        if not isinstance(tier, dict):
            _fail(f"tiers[{index}]", tier, "must be a dict with name, role and prefix or size")
        unknown = sorted(set(tier) - TIER_KEYS)
        if unknown:
            _fail(
                f"tiers[{index}]", tier, f"unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(TIER_KEYS))}"
            )
        name = tier.get("name")
        if not isinstance(name, str) or not TIER_NAME.match(name):
            _fail(f"tiers[{index}].name", name, "must be lower-case letters, digits and dashes, starting with a letter")
        if name in seen:
            _fail(f"tiers[{index}].name", name, "tier names must be unique")
        seen.add(name)
        if tier.get("role") not in ("public", "private"):
            _fail(f"tiers[{index}].role", tier.get("role"), "must be 'public' or 'private'")


def _validate_azs(azs, min_azs, az_slots):
    if not isinstance(azs, list) or not azs or not all(isinstance(az, str) and az for az in azs):
        _fail("azs", azs, "must be a non-empty list of availability zone names")
    if len(set(azs)) != len(azs):
        _fail("azs", azs, "zones must be unique")
    regions = sorted({az[:-1] for az in azs})
    if len(regions) > 1:
        _fail("azs", azs, f"zones of one region only (they name {', '.join(regions)}); list the VPC region's zones")
    if len({az[-1] for az in azs}) != len(azs):
        _fail("azs", azs, "zones must differ in their last letter, which names the subnets")
    if len(azs) < min_azs:
        _fail("azs", azs, f"{len(azs)} zone(s) given, at least {min_azs} needed (EKS requires two or more)")
    if not isinstance(az_slots, int) or az_slots < 1 or az_slots & (az_slots - 1):
        _fail("az_slots", az_slots, "must be a power of two (1, 2, 4, 8)")
    if len(azs) > az_slots:
        _fail("azs", azs, f"{len(azs)} zones do not fit az_slots={az_slots}; raise az_slots")


def _first_fit(vpc, block_prefix, taken):
    for candidate in vpc.subnets(new_prefix=block_prefix):
        if not any(candidate.overlaps(other) for other, _ in taken):
            return candidate
    return None


def subnet_plan(vpc_cidr, tiers, azs, min_azs=1, az_slots=4, names=None):
    try:
        return _plan(vpc_cidr, tiers, azs, min_azs, az_slots)
    except AnsibleFilterError as exc:
        if not names:
            raise
        message = str(exc)
        for argument, variable in names.items():
            message = message.replace(f"argument '{argument}", f"variable '{variable}")
        raise AnsibleFilterError(message) from None


def _plan(vpc_cidr, tiers, azs, min_azs, az_slots):
    vpc = _network("vpc_cidr", vpc_cidr)
    if not AWS_MIN_PREFIX <= vpc.prefixlen <= AWS_MAX_PREFIX:
        _fail("vpc_cidr", vpc_cidr, f"AWS VPCs are /{AWS_MIN_PREFIX} to /{AWS_MAX_PREFIX}")
    _validate_tiers(tiers)
    _validate_azs(azs, min_azs, az_slots)

    slot_bits = az_slots.bit_length() - 1
    prefixes = {}
    for index, tier in enumerate(tiers):
        prefix = _tier_prefix(index, tier)
        if prefix < vpc.prefixlen + slot_bits:
            _fail(
                f"tiers[{index}]",
                tier,
                f"{az_slots} subnets of /{prefix} need a /{prefix - slot_bits} block, larger than the VPC {vpc}; "
                "use a longer prefix or a larger VPC",
            )
        prefixes[tier["name"]] = prefix

    blocks = {}
    taken = []
    for index, tier in enumerate(tiers):
        if "cidr" not in tier:
            continue
        block = _network(f"tiers[{index}].cidr", tier["cidr"])
        wanted = prefixes[tier["name"]] - slot_bits
        if not block.subnet_of(vpc):
            _fail(f"tiers[{index}].cidr", tier["cidr"], f"not inside the VPC {vpc}")
        if block.prefixlen != wanted:
            _fail(
                f"tiers[{index}].cidr",
                tier["cidr"],
                f"must be a /{wanted} ({az_slots} subnets of /{prefixes[tier['name']]})",
            )
        for other, owner in taken:
            if block.overlaps(other):
                _fail(f"tiers[{index}].cidr", tier["cidr"], f"overlaps tier '{owner}' ({other})")
        taken.append((block, tier["name"]))
        blocks[tier["name"]] = block

    for index, tier in enumerate(tiers):
        if tier["name"] in blocks:
            continue
        block = _first_fit(vpc, prefixes[tier["name"]] - slot_bits, taken)
        if block is None:
            _fail(
                f"tiers[{index}]",
                tier,
                f"no free /{prefixes[tier['name']] - slot_bits} left in {vpc} after "
                f"{', '.join(name for _, name in taken)}; shrink the tier or enlarge the VPC",
            )
        taken.append((block, tier["name"]))
        blocks[tier["name"]] = block

    plan = []
    for tier in tiers:
        subnets = list(blocks[tier["name"]].subnets(new_prefix=prefixes[tier["name"]]))
        for az_index, az in enumerate(azs):
            plan.append(
                {
                    "name": f"{tier['name']}-{az[-1]}",
                    "tier": tier["name"],
                    "role": tier["role"],
                    "az": az,
                    "cidr": str(subnets[az_index]),
                }
            )
    return plan


class FilterModule:
    def filters(self):
        return {"subnet_plan": subnet_plan}
