# Copyright: teamf platform engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: ecs_dev_security_groups
short_description: Build the security groups of an ECS environment for teamf.platform.ec2_security_groups
version_added: 0.5.0
description:
  - Returns the O(teamf.platform.ec2_security_groups#module:groups) of an ECS environment named O(name), in
    order - C(<name>-alb), the ALB's, open on O(alb_ports) to O(alb_cidrs); C(<name>-instances), the
    container instances', with no ingress (awsvpc tasks have their own groups); then C(<name>-<service>)
    per service of the input, reachable on the service's C(port) from the ALB when it has a
    C(load_balancer), and from the groups of the services its C(ingress_from) names.
  - Every group's tags are O(tags) with C(Name) set to the group's name.
options:
  _input:
    description: The services (the ecs_dev role's C(ecs_dev_services)), entries with C(name), C(port),
      and optionally C(load_balancer) and C(ingress_from).
    type: list
    elements: dict
    required: true
  name:
    description: The environment's name, prefix of each group's name.
    type: string
    required: true
  alb_ports:
    description: The ports the ALB listens on.
    type: list
    elements: int
    required: true
  alb_cidrs:
    description: The IPv4 CIDR blocks the ALB accepts clients from.
    type: list
    elements: string
    required: true
  tags:
    description: Tags of every group; C(Name) is set per group.
    type: dict
    default: {}
"""

EXAMPLES = r"""
- name: Security groups of dev
  ansible.builtin.debug:
    msg: >-
      {{ [{'name': 'api', 'port': 8080, 'load_balancer': {'path': '/api'}},
          {'name': 'redis', 'port': 6379, 'ingress_from': ['api']}]
         | teamf.platform.ecs_dev_security_groups(name='dev', alb_ports=[80], alb_cidrs=['0.0.0.0/0']) }}
  # [{"name": "dev-alb", "description": "ALB of dev", "tags": {"Name": "dev-alb"},
  #   "ingress": [{"proto": "tcp", "ports": [80], "cidr_ip": ["0.0.0.0/0"], "description": "clients"}]},
  #  {"name": "dev-instances", "description": "ECS container instances of dev", "tags": {"Name": "dev-instances"},
  #   "ingress": []},
  #  {"name": "dev-api", "description": "ECS service api of dev", "tags": {"Name": "dev-api"},
  #   "ingress": [{"proto": "tcp", "ports": [8080], "group": "dev-alb", "description": "from the ALB"}]},
  #  {"name": "dev-redis", "description": "ECS service redis of dev", "tags": {"Name": "dev-redis"},
  #   "ingress": [{"proto": "tcp", "ports": [6379], "group": "dev-api", "description": "from api"}]}]
"""

RETURN = r"""
_value:
  description: The groups, the ALB's first, then the instances', then one per service in input order.
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError

FILTER = "ecs_dev_security_groups"


def _fail(argument, value, problem):
    raise AnsibleFilterError(f"{FILTER}: argument '{argument}' = {value!r}: {problem}")


def _group(name, description, tags, ingress):
    return {"name": name, "description": description, "tags": dict(tags, Name=name), "ingress": ingress}


def ecs_dev_security_groups(services, name, alb_ports, alb_cidrs, tags=None):
    tags = dict(tags or {})
    if not name:
        _fail("name", name, "give the environment's name (ecs_dev_name)")
    if not alb_ports:
        _fail("alb_ports", alb_ports, "give the ports the ALB listens on, for example [80]")
    if not alb_cidrs:
        _fail("alb_cidrs", alb_cidrs, "give the CIDR blocks the ALB accepts clients from (ecs_dev_alb_ingress_cidrs)")
    names = [service.get("name") for service in services]
    alb = f"{name}-alb"
    groups = [
        _group(
            alb,
            f"ALB of {name}",
            tags,
            [{"proto": "tcp", "ports": list(alb_ports), "cidr_ip": list(alb_cidrs), "description": "clients"}],
        ),
        _group(f"{name}-instances", f"ECS container instances of {name}", tags, []),
    ]
    for index, service in enumerate(services):
        if not service.get("name") or not service.get("port"):
            _fail("_input", service, f"service {index} needs a name and a port")
        ingress = []
        if service.get("load_balancer"):
            ingress.append({"proto": "tcp", "ports": [service["port"]], "group": alb, "description": "from the ALB"})
        for source in service.get("ingress_from") or []:
            if source not in names:
                _fail("_input", source, f"service {service['name']}'s ingress_from names no service of {names}")
            ingress.append(
                {
                    "proto": "tcp",
                    "ports": [service["port"]],
                    "group": f"{name}-{source}",
                    "description": f"from {source}",
                }
            )
        groups.append(_group(f"{name}-{service['name']}", f"ECS service {service['name']} of {name}", tags, ingress))
    return groups


class FilterModule:
    def filters(self):
        return {"ecs_dev_security_groups": ecs_dev_security_groups}
