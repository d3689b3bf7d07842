# Copyright: teamf platform engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: ecs_service_problems
short_description: Every problem of an ECS service list and its compose files, in one list
version_added: 0.3.0
description:
  - Checks the ecs_dev role's service list against itself and against the compose file and
    C(ecs-params.yml) it runs from, and returns every problem found, so one failed check shows all of
    them. An empty list means the services can be converged.
  - The service list has at least one service, names unique, lowercase letters, digits and C(-), short
    enough for C(<name>-<service>) to fit a 32-character target group name; ports 1 to 65535; load
    balancer routes complete (C(path_patterns), C(priority) 1 to 50000 and unique, C(health_check_path)
    starting with C(/)); C(ingress_from) naming listed services that have no C(ingress_from) themselves.
  - The files are read by the same strict loader as the C(ecs_compose_taskdef) module (YAML errors with
    line and column, duplicate keys with both lines, unknown keys with the nearest known key,
    C(ecs-params.yml) services the compose file does not define), then translated into each service's
    task definition as the module will, so a value ECS cannot take (a C(mem_limit) of C(lots)) fails here.
  - The cross-check makes sure each service is a compose service, and that its O(_input[].port) (the
    container, target group and security group port) is one its compose service publishes under C(ports).
  - Every message names the inventory variable (O(services_variable), O(compose_variable),
    O(params_variable)), the value, and the fix. Runs on the controller, where the files are.
options:
  _input:
    description: The services, as in the ecs_dev role's C(ecs_dev_services).
    type: list
    elements: dict
    required: true
  name:
    description: The environment's name (C(ecs_dev_name)); services' resources are named C(<name>-<service>).
    type: string
    required: true
  compose_file:
    description: Path of the compose file on the controller.
    type: path
    required: true
  ecs_params_file:
    description: Path of the C(ecs-params.yml); empty for none.
    type: path
    default: ""
  variables:
    description:
      - Values for C(${VAR}) interpolation while translating, as the role passes them to the module
        (validation runs before the account is known, so account-bound values may be placeholders of
        the same shape).
    type: dict
    default: {}
  services_variable:
    description: The inventory variable the services come from, for messages.
    type: string
    default: ecs_dev_services
  name_variable:
    description: The inventory variable O(name) comes from, for messages.
    type: string
    default: ecs_dev_name
  compose_variable:
    description: The inventory variable O(compose_file) comes from, for messages.
    type: string
    default: ecs_dev_compose_file
  params_variable:
    description: The inventory variable O(ecs_params_file) comes from, for messages.
    type: string
    default: ecs_dev_ecs_params_file
"""

EXAMPLES = r"""
- name: Check the services and their compose files (one failure lists every problem)
  ansible.builtin.assert:
    that: ecs_dev__problems | length == 0
    quiet: true
    fail_msg: "{{ ecs_dev__problems }}"
  vars:
    ecs_dev__problems: >-
      {{ ecs_dev_services | teamf.platform.ecs_service_problems(
           name=ecs_dev_name, compose_file=ecs_dev_compose_file, ecs_params_file=ecs_dev_ecs_params_file,
           variables={'AWS_REGION': 'ap-northeast-2'}) }}
  # ecs_dev_services[0].port 9001 (auth-server): not a port ecs_dev_compose_file .../docker-compose.yml
  # publishes for auth-server (it publishes 9000); ...
"""

RETURN = r"""
_value:
  description: The problems, each naming the variable, the value and the fix; empty when there are none.
  type: list
  elements: string
"""

import difflib
import os
import re

from ansible.errors import AnsibleFilterError
from ansible_collections.teamf.platform.plugins.module_utils.compose import (
    ComposeError,
    compose_to_task_definition,
    project_problems,
)

FILTER = "ecs_service_problems"
_UNSET = object()
SERVICE_NAME = re.compile(r"^[a-z][a-z0-9-]*$")
TARGET_GROUP_NAME_MAX = 32
PRIORITY_RANGE = (1, 50000)


def _suggest(word, known):
    close = difflib.get_close_matches(str(word), list(known), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


def _as_int(value):
    """A whole number as the role's argument spec accepts it (9000 or '9000'), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"[0-9]+", value.strip()):
        return int(value)
    return None


class _Check:
    def __init__(self, services_variable, name_variable, compose_variable, params_variable):
        self.services_variable = services_variable
        self.name_variable = name_variable
        self.compose_variable = compose_variable
        self.params_variable = params_variable
        self.problems = []

    def add(self, message):
        if message not in self.problems:
            self.problems.append(message)

    def where(self, index, field=None, name=None, value=_UNSET):
        """``ecs_dev_services[1].port 9001 (service api-server)``: the path, the value, the service if not shown."""
        path = f"{self.services_variable}[{index}]" + (f".{field}" if field else "")
        if value is not _UNSET:
            path += f" {value!r}"
        return f"{path} (service {name})" if name and field not in (None, "name") else path


def _check_list(check, services, name):
    """The rules of the service list alone; the well-formed entries, by name, in list order."""
    if not isinstance(services, list) or not services:
        check.add(
            f"{check.services_variable} {services!r}: list at least one service (name and port of a service "
            f"of {check.compose_variable})"
        )
        return {}
    by_name = {}
    for index, service in enumerate(services):
        if not isinstance(service, dict) or not isinstance(service.get("name"), str):
            check.add(f"{check.where(index)} {service!r}: each entry needs a name (a compose service) and a port")
            continue
        service_name = service["name"]
        if not SERVICE_NAME.match(service_name):
            check.add(
                f"{check.where(index, 'name')} '{service_name}': use lowercase letters, digits and '-', starting "
                "with a letter (it names the ECS service, its security group and its DNS record)"
            )
        longest = TARGET_GROUP_NAME_MAX - len(str(name)) - 1
        if len(service_name) > longest:
            check.add(
                f"{check.where(index, 'name')} '{service_name}': '{name}-{service_name}' has "
                f"{len(name) + 1 + len(service_name)} characters, more than the {TARGET_GROUP_NAME_MAX} of a "
                f"target group name; shorten the service name (at most {max(longest, 0)}) or {check.name_variable}"
            )
        if service_name in by_name:
            check.add(
                f"{check.where(index, 'name')} '{service_name}': listed twice "
                f"(also {check.where(by_name[service_name][0])}); remove one entry"
            )
            continue
        by_name[service_name] = (index, service)
        port = _as_int(service.get("port"))
        if port is None or not 1 <= port <= 65535:
            check.add(
                f"{check.where(index, 'port', service_name, service.get('port'))}: must be the container port, "
                "a whole number from 1 to 65535"
            )
        _check_route(check, index, service)
    _check_ingress(check, by_name)
    return by_name


def _check_route(check, index, service):
    route = service.get("load_balancer")
    if not route:
        return
    name = service["name"]
    if not isinstance(route, dict):
        check.add(
            f"{check.where(index, 'load_balancer', name, route)}: must be a mapping with path_patterns, priority "
            "and health_check_path"
        )
        return
    patterns = route.get("path_patterns")
    if not isinstance(patterns, list) or not patterns or not all(isinstance(p, str) and p for p in patterns):
        check.add(
            f"{check.where(index, 'load_balancer.path_patterns', name, patterns)}: list the paths the ALB routes "
            "to the service, such as ['/api/*']"
        )
    priority = _as_int(route.get("priority"))
    low, high = PRIORITY_RANGE
    if priority is None or not low <= priority <= high:
        check.add(
            f"{check.where(index, 'load_balancer.priority', name, route.get('priority'))}: must be a whole "
            f"number from {low} to {high} (ALB listener rule priority, unique per listener)"
        )
    path = route.get("health_check_path")
    if not isinstance(path, str) or not path.startswith("/"):
        check.add(
            f"{check.where(index, 'load_balancer.health_check_path', name, path)}: must be a path starting with "
            "'/' that answers HTTP 200, such as '/health'"
        )


def _check_ingress(check, by_name):
    routed = {}
    for name, (index, service) in by_name.items():
        route = service.get("load_balancer")
        priority = _as_int(route.get("priority")) if isinstance(route, dict) else None
        if priority is None:
            continue
        if priority in routed:
            check.add(
                f"{check.where(index, 'load_balancer.priority', name, priority)}: also the priority of "
                f"{routed[priority]}; ALB listener rule priorities must be unique, pick another"
            )
        else:
            routed[priority] = name
    gated = {name for name, (_, service) in by_name.items() if service.get("ingress_from")}
    for name, (index, service) in by_name.items():
        sources = service.get("ingress_from") or []
        if not isinstance(sources, list):
            check.add(f"{check.where(index, 'ingress_from', name, sources)}: must be a list of service names")
            continue
        for source in sources:
            if source not in by_name:
                check.add(
                    f"{check.where(index, 'ingress_from', name)}: {source} not in {check.services_variable} "
                    f"({', '.join(by_name)}){_suggest(source, by_name) or '; name a listed service'}"
                )
            elif source in gated:
                check.add(
                    f"{check.where(index, 'ingress_from', name)}: {source} has ingress_from itself and cannot be named "
                    "in another service's ingress_from (its security group rules would chain); "
                    f"remove {source} here or its own ingress_from"
                )


def _read(check, variable, path):
    """The file's text, or None after reporting why it cannot be read."""
    if not path:
        check.add(f"{variable} {path!r}: empty; set it to the path of the file on the controller")
        return None
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except FileNotFoundError:
        check.add(f"{variable}: {path} does not exist; create it or point {variable} at the file")
    except OSError as exc:
        check.add(f"{variable}: {path} cannot be read ({exc.strerror or exc}); fix its permissions or the path")
    return None


def _published_ports(task):
    """(tcp container ports, udp-only container ports) of the task's one container."""
    mappings = task["containerDefinitions"][0].get("portMappings", [])
    tcp = sorted({m["containerPort"] for m in mappings if m.get("protocol", "tcp") == "tcp"})
    udp = sorted({m["containerPort"] for m in mappings if m.get("protocol") == "udp"} - set(tcp))
    return tcp, udp


def _check_port(check, index, service, config, task, compose_label):
    name, port = service["name"], _as_int(service.get("port"))
    if port is None or not 1 <= port <= 65535:  # reported with the list
        return
    tcp, udp = _published_ports(task)
    if port in tcp:
        return
    where = check.where(index, "port", name, port)
    found = f"it publishes {', '.join(map(str, tcp))}" if tcp else "it publishes no port"
    if port in udp:
        found += f"; {port} only as udp, but the load balancer and security group use tcp"
    exposed = config.get("expose") if isinstance(config, dict) else None
    if isinstance(exposed, list) and str(port) in [str(item).partition("/")[0] for item in exposed]:
        found += f"; {port} is under expose, which ECS ignores"
    uses = "the security group"
    if service.get("load_balancer"):
        uses = "the target group, its health check and the security group"
    fix = f"set port to {tcp[0]}" if len(tcp) == 1 else "set port to the one the container listens on"
    check.add(
        f"{where}: not a port {compose_label} publishes for {name} ({found}); {uses} would use {port}: "
        f'{fix}, or publish it in the compose file (ports: ["{port}:{port}"])'
    )


def _translate(check, by_name, compose, params, name, variables, compose_label, params_label, base_dir):
    services = compose["services"]

    def read_env_file(path):
        with open(os.path.join(base_dir, path), encoding="utf-8") as handle:
            return handle.read()

    for service_name, (index, service) in by_name.items():
        if service_name not in services:
            continue
        try:
            task, _ = compose_to_task_definition(
                compose,
                f"{name}-{service_name}",
                ecs_params=params,
                read_env_file=read_env_file,
                variables=variables,
                services=[service_name],
            )
        except ComposeError as exc:
            text = str(exc)
            if text.startswith("ecs-params.yml: "):
                check.add(f"{params_label}: {text[len('ecs-params.yml: ') :]}")
            else:
                check.add(f"{compose_label}: {text.removeprefix('compose file: ')}")
            continue
        _check_port(check, index, service, services[service_name], task, compose_label)


def ecs_service_problems(
    services,
    name,
    compose_file,
    ecs_params_file="",
    variables=None,
    services_variable="ecs_dev_services",
    name_variable="ecs_dev_name",
    compose_variable="ecs_dev_compose_file",
    params_variable="ecs_dev_ecs_params_file",
):
    """Every problem of ``services`` and their compose files, as messages (empty: none)."""
    if not isinstance(name, str) or not name:
        raise AnsibleFilterError(f"{FILTER}: argument 'name' = {name!r}: pass the environment's name (ecs_dev_name)")
    if variables is not None and not isinstance(variables, dict):
        raise AnsibleFilterError(
            f"{FILTER}: argument 'variables' = {variables!r}: must be a mapping of names to values"
        )
    check = _Check(services_variable, name_variable, compose_variable, params_variable)
    by_name = _check_list(check, services, name)

    compose_text = _read(check, compose_variable, compose_file)
    params_text = _read(check, params_variable, ecs_params_file) if ecs_params_file else None
    if compose_text is None or (ecs_params_file and params_text is None):
        return check.problems
    compose_label = f"{compose_variable} {compose_file}"
    params_label = f"{params_variable} {ecs_params_file}"
    compose, params, problems = project_problems(compose_text, compose_label, params_text, params_label)
    for problem in problems:
        check.add(problem)
    if compose is None or (params_text is not None and params is None):  # YAML errors: nothing to cross-check
        return check.problems

    if not isinstance(compose.get("services"), dict) or not compose["services"]:
        check.add(f"{compose_label}: defines no services; list them under 'services:' (version 2.x or 3.x)")
        return check.problems
    defined = list(compose["services"])
    for service_name, (index, _) in by_name.items():
        if service_name not in defined:
            check.add(
                f"{check.where(index, 'name')} '{service_name}': not a service of {compose_label} (it defines "
                f"{', '.join(defined) or 'none'}){_suggest(service_name, defined)}; add it to the compose file or "
                "remove the entry"
            )
    _translate(
        check,
        by_name,
        compose,
        params,
        name,
        dict(variables or {}),
        compose_label,
        params_label,
        os.path.dirname(os.path.abspath(compose_file)),
    )
    return check.problems


class FilterModule:
    def filters(self):
        return {"ecs_service_problems": ecs_service_problems}
