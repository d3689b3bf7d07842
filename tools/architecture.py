"""Draw the architecture from the inventories: docs/architecture.svg (make docs).

Each environment's variables are read the way a playbook sees them (Ansible's inventory and variable
managers, templates rendered), so the picture shows what site.yml would build: the VPC, NAT mode and
tiers, dev's ALB path rules and ECS services, the EKS clusters' nodegroups, Helm releases and the
Ingress host users reach. Plain SVG, written by hand: no graphviz needed.

    .venv/bin/python tools/architecture.py            # rewrite docs/architecture.svg
    .venv/bin/python tools/architecture.py --check    # exit 1 when the checked-in picture is stale
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from xml.sax.saxutils import escape

import yaml

REPO = Path(__file__).resolve().parents[1]
OUTPUT = REPO / "docs" / "architecture.svg"
ENVIRONMENTS = ("dev", "staging", "prod")
_PLUGINS_READY = False

FONT = 12
LINE = 17
PAD = 12
CHAR = 7.3  # advance of one monospace character at FONT px
GAP = 24


def environment_vars(env: str) -> dict:
    """The host's variables as ansible-playbook renders them for inventories/<env>."""
    os.environ.setdefault("ANSIBLE_CONFIG", str(REPO / "ansible.cfg"))
    from ansible.inventory.manager import InventoryManager
    from ansible.parsing.dataloader import DataLoader
    from ansible.plugins.loader import init_plugin_loader
    from ansible.template import Templar
    from ansible.vars.manager import VariableManager

    global _PLUGINS_READY
    if not _PLUGINS_READY:
        init_plugin_loader()
        _PLUGINS_READY = True
    loader = DataLoader()
    inventory = InventoryManager(loader=loader, sources=[str(REPO / "inventories" / env)])
    variables = VariableManager(loader=loader, inventory=inventory).get_vars(host=inventory.get_host(env))
    templar = Templar(loader=loader, variables=variables)
    wanted = [
        "platform_name",
        "platform_region",
        "platform_components",
        "platform_ecr_namespace",
        "vpc_cidr",
        "vpc_azs",
        "vpc_nat_mode",
        "vpc_tiers",
        "ecs_dev_name",
        "ecs_dev_services",
        "ecs_dev_instance_type",
        "ecs_dev_asg_min_size",
        "ecs_dev_asg_max_size",
        "eks_cluster_name",
        "eks_version",
        "eks_subnet_tier",
        "nodegroup_groups",
        "helm_release_releases",
    ]
    return {name: templar.template(variables[name]) for name in wanted if name in variables}


def ingress_host(env: str) -> str:
    values = REPO / "inventories" / env / "values" / "api.yml"
    data = yaml.safe_load(values.read_text()) if values.is_file() else {}
    return (((data or {}).get("usersApi") or {}).get("expose") or {}).get("ingress", {}).get("host", "")


def environment_lines(env: str, v: dict) -> tuple[str, list[str]]:
    zones = len(v["vpc_azs"])
    nat = {"single": "1 NAT gateway", "per_az": f"{zones} NAT gateways (per zone)"}.get(v["vpc_nat_mode"], "no NAT")
    tiers = ", ".join(f"{t['name']} /{t['prefix']}" for t in v["vpc_tiers"])
    lines = [f"VPC {v['vpc_cidr']}, {zones} zones, {nat}", f"  subnets per zone: {tiers}"]
    if "ecs_dev_name" in v:
        title = f"{env}: ECS on EC2"
        lines += [f"ALB {v['ecs_dev_name']} (public, HTTP): path rules"]
        for service in v["ecs_dev_services"]:
            rule = service.get("load_balancer")
            if rule:
                lines.append(f"  {' '.join(rule['path_patterns'])} -> {service['name']} :{service['port']}")
        lines.append(f"ECS cluster {v['ecs_dev_name']} (capacity provider)")
        sizes = f"{v['ecs_dev_asg_min_size']}-{v['ecs_dev_asg_max_size']}"
        lines.append(f"  {v['ecs_dev_instance_type']} x {sizes} (Auto Scaling group)")
        for service in v["ecs_dev_services"]:
            reached = "ALB" if service.get("load_balancer") else ", ".join(service.get("ingress_from", [])) or "nobody"
            lines.append(f"  service {service['name']} :{service['port']} (from {reached})")
    else:
        title = f"{env}: EKS"
        lines.append(f"EKS {v['eks_cluster_name']} {v['eks_version']} in {v['eks_subnet_tier']}")
        for group in v["nodegroup_groups"]:
            size = group["scaling"]
            lines.append(
                f"  nodes {group['name']}: {','.join(group['instance_types'])} {group['capacity_type']} "
                f"{size['min_size']}-{size['max_size']} (desired {size['desired_size']})"
            )
        lines.append("Helm releases")
        for release in v["helm_release_releases"]:
            lines.append(f"  {release.get('namespace', 'default')}/{release['name']}")
        host = ingress_host(env)
        lines.append(f"Ingress (ALB) {host or 'any host'} -> users-api")
        if host:
            lines.append(f"  DNS: {host} -> the ALB's name")
    return title, lines


def text(x: int, y: int, content: str, weight: str = "normal", anchor: str = "start") -> str:
    return (
        f'<text x="{x}" y="{y}" font-family="monospace" font-size="{FONT}" font-weight="{weight}" '
        f'text-anchor="{anchor}" xml:space="preserve">{escape(content)}</text>'
    )


def box(x: int, y: int, width: int, title: str, lines: list[str], fill: str) -> tuple[list[str], int]:
    height = PAD * 2 + LINE * (len(lines) + 1)
    out = [f'<rect x="{x}" y="{y}" width="{width}" height="{height}" rx="6" fill="{fill}" stroke="#555"/>']
    out.append(text(x + PAD, y + PAD + FONT, title, weight="bold"))
    for index, line in enumerate(lines, start=1):
        out.append(text(x + PAD, y + PAD + FONT + LINE * index, line))
    return out, height


def arrow(x1: int, y1: int, x2: int, y2: int, label: str) -> list[str]:
    mid_x, mid_y = (x1 + x2) // 2, (y1 + y2) // 2
    return [
        f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="#333" marker-end="url(#arrow)"/>',
        text(mid_x + 4, mid_y - 4, label),
    ]


def render() -> str:
    envs = {env: environment_vars(env) for env in ENVIRONMENTS}
    first = envs["dev"]
    repositories = ", ".join(f"{first['platform_ecr_namespace']}/{c['name']}" for c in first["platform_components"])
    columns_lines = {env: environment_lines(env, envs[env]) for env in ENVIRONMENTS}
    longest = max(len(line) for title, lines in columns_lines.values() for line in [title, *lines])
    column = int(longest * CHAR) + PAD * 2
    width = PAD * 2 + column * len(ENVIRONMENTS) + GAP * (len(ENVIRONMENTS) - 1)
    account_lines = [
        f"ECR: {repositories} (immutable tags; every environment runs the same digests)",
        "CI identity: GitHub Actions OIDC provider, a build role, one deploy role per environment",
        "Locks: DynamoDB table of per-environment run locks",
    ]
    body, account_height = box(
        PAD,
        PAD,
        width - PAD * 2,
        f"AWS account, {first['platform_region']} (once per account)",
        account_lines,
        "#eef3fb",
    )
    top = PAD + account_height + 56
    heights = []
    columns = []
    for index, env in enumerate(ENVIRONMENTS):
        x = PAD + index * (column + GAP)
        title, lines = columns_lines[env]
        shapes, height = box(x, top, column, title, lines, "#f4f8ee" if env == "dev" else "#fbf3ea")
        body += shapes
        heights.append(height)
        columns.append(x)
        body += arrow(x + column // 2, PAD + account_height, x + column // 2, top - 2, "images by digest")
    flow_y = top + max(heights) + 34
    for index, label in enumerate(("release cut from the built digests", "promote (approved)")):
        # Out of a box's right half, into the next one's left half.
        x1 = columns[index] + column * 2 // 3
        x2 = columns[index + 1] + column // 3
        body.append(
            f'<path d="M{x1} {top + heights[index]} V{flow_y} H{x2} V{top + heights[index + 1] + 2}" '
            'fill="none" stroke="#333" marker-end="url(#arrow)"/>'
        )
        body.append(text((x1 + x2) // 2, flow_y + 16, label, anchor="middle"))
    height = flow_y + 30
    header = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
        "<!-- generated by tools/architecture.py from the inventories (make docs); do not edit -->",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0 0 L10 5 L0 10 z" fill="#333"/></marker></defs>',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    return "\n".join(header + body + ["</svg>"]) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when docs/architecture.svg is stale")
    args = parser.parse_args(argv)
    wanted = render()
    if args.check:
        current = OUTPUT.read_text() if OUTPUT.is_file() else ""
        if current != wanted:
            print(f"{os.path.relpath(OUTPUT, REPO)} is stale: run make docs", file=sys.stderr)
            return 1
        return 0
    OUTPUT.write_text(wanted)
    print(f"wrote {os.path.relpath(OUTPUT, REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
