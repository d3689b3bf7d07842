# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Translate a docker-compose project (and an optional ecs-params.yml) into an ECS task definition.

The mapping follows ``ecs-cli compose`` (github.com/aws/amazon-ecs-cli, ``ecs-cli/modules/cli/compose``
and ``ecs-cli/modules/utils/compose``): the same compose keys are supported, the same defaults apply
(every container essential, 512 MiB memory when nothing else sets memory, sizes in bytes floored to
MiB) and keys ECS cannot express produce the same "Skipping unsupported YAML option" warnings.
Where ecs-cli silently produced a definition ECS would reject, this module raises ``ComposeError``
with the service, the key and the fix instead.

Nothing here talks to AWS: ``compose_to_task_definition`` returns the keyword arguments for boto3's
``register_task_definition``; ``canonical_task_definition`` brings those and a
``describe_task_definition`` result to one comparable form. Reading the files (strict YAML, duplicate
and unknown keys) is ``compose_load``'s; its public names are re-exported here.
"""

from __future__ import annotations

import copy
import re
import shlex

from ansible_collections.teamf.platform.plugins.module_utils.compose_load import (  # noqa: F401  (public names)
    PARAMS_SERVICE_KEYS,
    PARAMS_TASK_KEYS,
    ComposeError,
    load_project,
    load_yaml,
    project_problems,
)
from ansible_collections.teamf.platform.plugins.module_utils.compose_load import type_name as _type_name

# ---------------------------------------------------------------------------------------------
# Variable interpolation (docker-compose semantics: $VAR, ${VAR}, ${VAR:-default}, ${VAR-default},
# ${VAR:?error}, ${VAR?error}, ${VAR:+alt}, ${VAR+alt}, $$ for a literal dollar)
# ---------------------------------------------------------------------------------------------

_VAR_RE = re.compile(
    r"\$(?:(?P<escaped>\$)|(?P<named>[A-Za-z_][A-Za-z0-9_]*)|\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)"
    r"(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}|(?P<invalid>))"
)


def interpolate(document, variables, warnings, source):
    """Return ``document`` with variables substituted in every string value (keys stay as they are)."""
    variables = variables or {}
    unset_reported = set()

    def substitute(text, where):
        def replace(match):
            if match.group("escaped"):
                return "$"
            if match.group("invalid") is not None:
                raise ComposeError(
                    f"{source}: {where} {text!r}: invalid interpolation format; "
                    "use $VAR or ${VAR} and write $$ for a literal dollar sign"
                )
            name = match.group("named") or match.group("braced")
            op, arg = match.group("op"), match.group("arg")
            value = variables.get(name)
            is_set = value is not None
            is_empty = not is_set or str(value) == ""
            if op in (":-", "-"):
                return arg if (is_empty if op == ":-" else not is_set) else str(value)
            if op in (":?", "?"):
                if is_empty if op == ":?" else not is_set:
                    raise ComposeError(f"{source}: {where}: required variable {name} is missing a value: {arg}")
                return str(value)
            if op in (":+", "+"):
                return arg if (not is_empty if op == ":+" else is_set) else ""
            if not is_set:
                if name not in unset_reported:
                    unset_reported.add(name)
                    warnings.append(f"The {name} variable is not set. Defaulting to a blank string.")
                return ""
            return str(value)

        return _VAR_RE.sub(replace, text)

    def walk(node, where):
        if isinstance(node, dict):
            return {key: walk(value, f"{where}.{key}" if where else str(key)) for key, value in node.items()}
        if isinstance(node, list):
            return [walk(item, f"{where}[{index}]") for index, item in enumerate(node)]
        if isinstance(node, str) and "$" in node:
            return substitute(node, where)
        return node

    return walk(document, "")


# ---------------------------------------------------------------------------------------------
# Scalars: sizes, durations, CPU
# ---------------------------------------------------------------------------------------------

_MIB = 1024 * 1024
_SIZE_RE = re.compile(r"^(\d+(?:\.\d+)?) ?([kKmMgGtTpP])?[iI]?[bB]?$")
_SIZE_UNITS = {None: 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4, "p": 1024**5}
_DURATION_RE = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)")
_DURATION_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}


def size_to_mib(value):
    """'512m', '1g', '1024k', '1.5GB' or an integer number of bytes → whole MiB (floored, as ecs-cli).

    Raises ValueError with the reason when the value is not a size or is below 1 MiB.
    """
    if isinstance(value, bool):
        raise ValueError("must be a size such as '512m' or a number of bytes")
    if isinstance(value, int):
        size = value
    else:
        match = _SIZE_RE.match(str(value).strip())
        if not match:
            raise ValueError("must be a size such as '512m', '1g' or a number of bytes")
        unit = match.group(2).lower() if match.group(2) else None
        size = float(match.group(1)) * _SIZE_UNITS[unit]
    if size < 0:
        raise ValueError("must not be negative")
    mib = int(size // _MIB)
    if size and not mib:
        raise ValueError("is less than 1 MiB (a bare number counts bytes; write e.g. '512m')")
    return mib


def duration_to_seconds(value):
    """Go/compose duration ('30s', '1m30s', '1h') or integer seconds → whole seconds (truncated, as ecs-cli)."""
    if isinstance(value, bool):
        raise ValueError("must be a duration such as '30s' or '1m30s'")
    if isinstance(value, int):
        if value < 0:
            raise ValueError("must not be negative")
        return value
    text = str(value).strip()
    if re.fullmatch(r"\d+", text):
        return int(text)
    pos, total = 0, 0.0
    for match in _DURATION_RE.finditer(text):
        if match.start() != pos:
            break
        total += float(match.group(1)) * _DURATION_UNITS[match.group(2)]
        pos = match.end()
    if pos != len(text) or pos == 0:
        raise ValueError("must be a duration such as '30s' or '1m30s'")
    return int(total)


def _task_cpu(value):
    """ecs-params task_size.cpu_limit ('256', 256, '0.25 vCPU', '1vcpu') → CPU units as ECS reports them."""
    if isinstance(value, bool):
        raise ValueError("must be CPU units such as 256 or '0.25 vCPU'")
    if isinstance(value, int):
        return str(value)
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(vcpu)?", str(value).strip(), re.IGNORECASE)
    if not match:
        raise ValueError("must be CPU units such as 256 or '0.25 vCPU'")
    number = float(match.group(1))
    return str(int(number * 1024)) if match.group(2) else str(int(number))


def _task_memory(value):
    """ecs-params task_size.mem_limit ('512', 512, '0.5GB', '2 GB', '512MB') → MiB as ECS reports them."""
    if isinstance(value, bool):
        raise ValueError("must be MiB such as 512 or a size such as '0.5GB'")
    if isinstance(value, int):
        return str(value)
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(?:([gGmM])(?:i?[bB])?)?", str(value).strip())
    if not match:
        raise ValueError("must be MiB such as 512 or a size such as '0.5GB'")
    number = float(match.group(1))
    return str(int(number * 1024)) if (match.group(2) or "").lower() == "g" else str(int(number))


def _scalar_text(value):
    """Compose allows numbers and booleans where ECS wants strings; render them as compose does."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# ---------------------------------------------------------------------------------------------
# Supported and unsupported keys (ecs-cli's lists, plus the later healthcheck/tty/stop_grace_period)
# ---------------------------------------------------------------------------------------------

UNSUPPORTED_HINTS = {
    "build": "ECS cannot build images; push the image to a registry and set image",
    "container_name": "ECS names each container after its service",
    "deploy.placement": "placement belongs to the ECS service",
    "deploy.replicas": "set the desired count on the ECS service",
    "deploy.restart_policy": "the ECS service scheduler restarts stopped tasks",
    "deploy.update_config": "rolling updates are configured on the ECS service",
    "depends_on": "set services.<name>.depends_on in ecs-params.yml",
    "expose": "containers in one task reach each other without it; use ports to publish",
    "init": "set services.<name>.init_process_enabled in ecs-params.yml",
    "network_mode": "set task_definition.ecs_network_mode in ecs-params.yml",
    "restart": "the ECS service scheduler restarts stopped tasks",
    "secrets": "set services.<name>.secrets in ecs-params.yml",
}

_HEALTHCHECK_LIMITS = {"interval": (5, 300), "timeout": (2, 120), "retries": (1, 10), "start_period": (0, 300)}
_HEALTHCHECK_KEYS = {"interval": "interval", "timeout": "timeout", "retries": "retries", "start_period": "startPeriod"}
_ULIMIT_NAMES = {
    "core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue", "nice",
    "nofile", "nproc", "rss", "rtprio", "rttime", "sigpending", "stack",
}  # fmt: skip
_LOG_DRIVERS = ("awsfirelens", "awslogs", "fluentd", "gelf", "journald", "json-file", "logentries", "splunk", "syslog")
_NETWORK_MODES = ("awsvpc", "bridge", "host", "none")
_DEPENDENCY_CONDITIONS = ("START", "COMPLETE", "SUCCESS", "HEALTHY")
_DEVICE_PERMISSIONS = {"r": "read", "w": "write", "m": "mknod"}
_VOLUME_MODES_IGNORED = ("cached", "delegated", "consistent", "z", "Z", "nocopy")
_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
_VOLUME_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_TAG_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
# registry/path[:tag][@sha256:<64 hex>] (https://github.com/distribution/reference/blob/main/reference.go)
_IMAGE_RE = re.compile(
    r"^[a-z0-9]+([._-][a-z0-9]+)*(\.[a-z0-9-]+)*(:[0-9]+)?(/[a-z0-9]+([._-]+[a-z0-9]+)*)*"
    r"(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[0-9a-f]{64})?$"
)
_MAX_STOP_TIMEOUT = 120
_IGNORED_HOST_IP = "Ignoring the ip address while transforming it to task definition"
DEFAULT_MEMORY_MIB = 512


def replace_image_tag(image, tag):
    """'repo/app:1.0' → 'repo/app:<tag>'; keeps a registry port, drops a digest."""
    name = image.split("@", 1)[0]
    slash = name.rfind("/")
    colon = name.rfind(":")
    if colon > slash:
        name = name[:colon]
    return f"{name}:{tag}"


# ---------------------------------------------------------------------------------------------
# Volumes shared by all services of the task
# ---------------------------------------------------------------------------------------------


class _TaskVolumes:
    """Named, anonymous and host volumes, named as ecs-cli named them ('volume-<n>' when generated)."""

    def __init__(self, declared):
        self.named = list(declared)
        self.host = {}  # host path → volume name
        self.anonymous = []

    def _generated_name(self):
        taken = set(self.named) | set(self.host.values()) | set(self.anonymous)
        number = len(self.host) + len(self.named) + len(self.anonymous)
        while f"volume-{number}" in taken:
            number += 1
        return f"volume-{number}"

    def for_host_path(self, path):
        if path not in self.host:
            self.host[path] = self._generated_name()
        return self.host[path]

    def anonymous_volume(self):
        name = self._generated_name()
        self.anonymous.append(name)
        return name

    def task_volumes(self):
        volumes = [{"name": name, "host": {"sourcePath": path}} for path, name in self.host.items()]
        volumes += [{"name": name} for name in self.named + self.anonymous]
        return volumes


# ---------------------------------------------------------------------------------------------
# One service → one container definition
# ---------------------------------------------------------------------------------------------


class _Service:
    def __init__(self, name, config, translator):
        self.name = name
        self.config = config
        self.t = translator
        self.container = {"name": name}

    def fail(self, key, message, value=None):
        shown = f" {value!r}" if value is not None and not isinstance(value, (dict, list)) else ""
        raise ComposeError(f"service '{self.name}': {key}{shown}: {message}")

    def warn(self, message):
        self.t.warnings.append(message)

    def unsupported(self, key, hint=None):
        message = f"Skipping unsupported YAML option for service... option name={key} service name={self.name}"
        hint = hint or UNSUPPORTED_HINTS.get(key)
        self.warn(f"{message} ({hint})" if hint else message)

    # -- shape helpers ---------------------------------------------------------------------------

    def string_list(self, key, value, split=False):
        """A string or a list of strings/numbers; ``split`` shell-splits a single string (command)."""
        if isinstance(value, str):
            if not split:
                return [value]
            try:
                return shlex.split(value)
            except ValueError as exc:
                self.fail(key, f"cannot split into arguments ({exc}); write it as a list", value)
        if isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, (dict, list)) or item is None:
                    self.fail(f"{key}[{index}]", f"must be a string, got {_type_name(item)}")
            return [_scalar_text(item) for item in value]
        self.fail(key, f"must be a string or a list of strings, got {_type_name(value)}")

    def mapping_or_list(self, key, value, separator="="):
        """Compose 'list or dict' (environment, labels, extra_hosts) → ordered (name, value-or-None) pairs."""
        pairs = []
        if isinstance(value, dict):
            for name, item in value.items():
                if isinstance(item, (dict, list)):
                    self.fail(f"{key}.{name}", f"must be a string, number or boolean, got {_type_name(item)}")
                pairs.append((str(name), None if item is None else _scalar_text(item)))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if not isinstance(item, str):
                    self.fail(f"{key}[{index}]", f"must be a string 'NAME{separator}VALUE', got {_type_name(item)}")
                name, sep, rest = item.partition(separator)
                if not name:
                    self.fail(f"{key}[{index}]", f"expected NAME{separator}VALUE", item)
                pairs.append((name, rest if sep else None))
        else:
            self.fail(key, f"must be a mapping or a list, got {_type_name(value)}")
        return pairs

    def boolean(self, key, value):
        if not isinstance(value, bool):
            self.fail(key, "must be true or false", value)
        return value

    def integer(self, key, value, low=None):
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, str) and re.fullmatch(r"\d+", value):
                value = int(value)
            else:
                self.fail(key, "must be a whole number", value)
        if low is not None and value < low:
            self.fail(key, f"must be at least {low}", value)
        return value

    def text(self, key, value):
        if isinstance(value, (dict, list)) or value is None:
            self.fail(key, f"must be a string, got {_type_name(value)}")
        return _scalar_text(value)

    def size(self, key, value):
        try:
            return size_to_mib(value)
        except ValueError as exc:
            self.fail(key, str(exc), value)

    def duration(self, key, value):
        try:
            return duration_to_seconds(value)
        except ValueError as exc:
            self.fail(key, str(exc), value)

    def linux(self):
        return self.container.setdefault("linuxParameters", {})

    # -- translation ----------------------------------------------------------------------------

    def translate(self):
        handlers = {
            "cap_add": self.cap_add,
            "cap_drop": self.cap_drop,
            "command": self.command,
            "cpu_shares": self.cpu_shares,
            "deploy": self.deploy,
            "devices": self.devices,
            "dns": self.dns,
            "dns_search": self.dns_search,
            "entrypoint": self.entrypoint,
            "env_file": None,  # handled with environment
            "environment": None,
            "extra_hosts": self.extra_hosts,
            "healthcheck": self.healthcheck,
            "hostname": self.hostname,
            "image": self.image,
            "labels": self.labels,
            "links": self.links,
            "logging": self.logging,
            "mem_limit": self.mem_limit,
            "mem_reservation": self.mem_reservation,
            "networks": self.networks,
            "ports": self.ports,
            "privileged": self.privileged,
            "read_only": self.read_only,
            "security_opt": self.security_opt,
            "shm_size": self.shm_size,
            "stop_grace_period": self.stop_grace_period,
            "tmpfs": self.tmpfs,
            "tty": self.tty,
            "ulimits": self.ulimits,
            "user": self.user,
            "volumes": self.volumes,
            "volumes_from": self.volumes_from,
            "working_dir": self.working_dir,
        }
        if "image" not in self.config:
            self.fail("image", "is required: ECS runs images from a registry and cannot build them")
        for key, value in self.config.items():
            if not isinstance(key, str) or key.startswith("x-"):
                continue
            if key not in handlers:
                self.unsupported(key)
            elif handlers[key] is not None and value is not None:
                handlers[key](key, value)
        self.environment()
        return self.container

    def cap_add(self, key, value):
        self.linux().setdefault("capabilities", {})["add"] = self.string_list(key, value)

    def cap_drop(self, key, value):
        self.linux().setdefault("capabilities", {})["drop"] = self.string_list(key, value)

    def command(self, key, value):
        self.container["command"] = self.string_list(key, value, split=True)

    def entrypoint(self, key, value):
        self.container["entryPoint"] = self.string_list(key, value, split=True)

    def cpu_shares(self, key, value):
        self.container["cpu"] = self.integer(key, value, 0)

    def mem_limit(self, key, value):
        self.container["memory"] = self.size(key, value)

    def mem_reservation(self, key, value):
        self.container["memoryReservation"] = self.size(key, value)

    def deploy(self, key, value):
        if not isinstance(value, dict):
            self.fail(key, f"must be a mapping, got {_type_name(value)}")
        for option in value:
            if option != "resources":
                self.unsupported(f"deploy.{option}")
        resources = value.get("resources") or {}
        if not isinstance(resources, dict):
            self.fail("deploy.resources", f"must be a mapping, got {_type_name(resources)}")
        for kind in resources:
            if kind not in ("limits", "reservations"):
                self.unsupported(f"deploy.resources.{kind}")
        limits = resources.get("limits") or {}
        reservations = resources.get("reservations") or {}
        for kind, section in (("limits", limits), ("reservations", reservations)):
            if not isinstance(section, dict):
                self.fail(f"deploy.resources.{kind}", f"must be a mapping, got {_type_name(section)}")
            for option in section:
                if option not in ("cpus", "memory"):
                    self.unsupported(f"deploy.resources.{kind}.{option}")

        def cpus(kind, raw):
            try:
                number = float(raw)
            except (TypeError, ValueError):
                number = -1
            if isinstance(raw, bool) or number <= 0:
                self.fail(f"deploy.resources.{kind}.cpus", "must be a positive number of CPUs such as '0.5'", raw)
            return int(number * 1024)

        for field, section, kind, option in (
            ("memory", limits, "limits", "memory"),
            ("memoryReservation", reservations, "reservations", "memory"),
        ):
            if option in section:
                if field in self.config_fields():
                    self.fail(
                        f"deploy.resources.{kind}.memory", f"conflicts with {self.config_fields()[field]}; keep one"
                    )
                self.container[field] = self.size(f"deploy.resources.{kind}.memory", section[option])
        # ECS has one CPU figure per container (a reservation/share): prefer the reservation.
        if "cpus" in reservations or "cpus" in limits:
            if "cpu_shares" in self.config:
                self.fail("deploy.resources", "cpus conflicts with cpu_shares; keep one")
            kind = "reservations" if "cpus" in reservations else "limits"
            self.container["cpu"] = cpus(kind, (reservations if kind == "reservations" else limits)["cpus"])

    def config_fields(self):
        return {
            field: key
            for field, key in (("memory", "mem_limit"), ("memoryReservation", "mem_reservation"))
            if key in self.config
        }

    def devices(self, key, value):
        if not isinstance(value, list):
            self.fail(key, f"must be a list, got {_type_name(value)}")
        devices = []
        for index, spec in enumerate(value):
            where = f"{key}[{index}]"
            if not isinstance(spec, str):
                self.fail(where, f"must be a string 'HOST[:CONTAINER[:PERMISSIONS]]', got {_type_name(spec)}")
            parts = spec.split(":")
            if len(parts) > 3 or not parts[0]:
                self.fail(where, "expected HOST[:CONTAINER[:PERMISSIONS]]", spec)
            device = {"hostPath": parts[0]}
            permissions = None
            if len(parts) == 2 and parts[1] and set(parts[1]) <= set("rwm") and not parts[1].startswith("/"):
                permissions = parts[1]
            elif len(parts) >= 2:
                device["containerPath"] = parts[1]
                permissions = parts[2] if len(parts) == 3 else None
            if permissions is not None:
                if not permissions or not set(permissions) <= set(_DEVICE_PERMISSIONS):
                    self.fail(where, "permissions must be made of r, w and m", spec)
                device["permissions"] = [_DEVICE_PERMISSIONS[c] for c in "rwm" if c in permissions]
            devices.append(device)
        self.linux()["devices"] = devices

    def dns(self, key, value):
        self.container["dnsServers"] = self.string_list(key, value)

    def dns_search(self, key, value):
        self.container["dnsSearchDomains"] = self.string_list(key, value)

    def extra_hosts(self, key, value):
        hosts = []
        if isinstance(value, dict):
            entries = [(f"{key}.{host}", host, ip) for host, ip in value.items()]
        elif isinstance(value, list):
            entries = []
            for index, item in enumerate(value):
                if not isinstance(item, str):
                    self.fail(f"{key}[{index}]", f"must be a string 'HOSTNAME:IP', got {_type_name(item)}")
                separator = "=" if "=" in item else ":"
                host, _, ip = item.partition(separator)
                entries.append((f"{key}[{index}]", host, ip if separator in item else None))
        else:
            self.fail(key, f"must be a mapping or a list, got {_type_name(value)}")
        for where, host, ip in entries:
            if not host or not ip:
                self.fail(where, "expected format HOSTNAME:IPADDRESS", f"{host}:{ip or ''}")
            hosts.append({"hostname": str(host), "ipAddress": str(ip)})
        self.container["extraHosts"] = hosts

    def healthcheck(self, key, value):
        check = self.t.healthcheck_to_ecs(value, lambda sub, msg, val=None: self.fail(f"{key}{sub}", msg, val))
        if check is None:
            self.container.pop("healthCheck", None)
        else:
            self.container["healthCheck"] = check

    def hostname(self, key, value):
        self.container["hostname"] = self.text(key, value)

    def image(self, key, value):
        image = self.text(key, value).strip()
        if not image:
            self.fail(key, "must not be empty")
        if self.t.image_tag and (self.t.image_tag_services is None or self.name in self.t.image_tag_services):
            image = replace_image_tag(image, self.t.image_tag)
        self.container["image"] = self.t.images.get(self.name, image)

    def labels(self, key, value):
        self.container["dockerLabels"] = {name: text or "" for name, text in self.mapping_or_list(key, value)}

    def links(self, key, value):
        self.container["links"] = self.string_list(key, value)

    def logging(self, key, value):
        if not isinstance(value, dict):
            self.fail(key, f"must be a mapping with driver and options, got {_type_name(value)}")
        for option in value:
            if option not in ("driver", "options"):
                self.unsupported(f"logging.{option}")
        driver = value.get("driver")
        if not driver:
            self.fail("logging.driver", "is required: ECS needs an explicit log driver such as awslogs")
        if driver not in _LOG_DRIVERS:
            self.fail("logging.driver", f"is not supported by ECS; use one of {', '.join(_LOG_DRIVERS)}", driver)
        options = value.get("options") or {}
        if not isinstance(options, dict):
            self.fail("logging.options", f"must be a mapping, got {_type_name(options)}")
        config = {"logDriver": driver}
        if options:
            config["options"] = {str(name): _scalar_text(item) for name, item in options.items()}
        self.container["logConfiguration"] = config

    def networks(self, key, value):
        if isinstance(value, (list, dict)) and len(value) > 1:
            self.unsupported(key, "a task has one network; containers share it")

    def ports(self, key, value):
        if not isinstance(value, list):
            self.fail(key, f"must be a list, got {_type_name(value)}")
        mappings = []
        for index, spec in enumerate(value):
            where = f"{key}[{index}]"
            if isinstance(spec, dict):
                mappings += self.long_port(where, spec)
            elif isinstance(spec, (str, int)) and not isinstance(spec, bool):
                mappings += self.short_port(where, str(spec))
            else:
                self.fail(where, f"must be a string such as '8080:80' or a mapping, got {_type_name(spec)}")
        self.container["portMappings"] = mappings

    def port_range(self, where, spec, text, what):
        match = re.fullmatch(r"(\d+)(?:-(\d+))?", text)
        if not match:
            self.fail(where, f"{what} must be a number or a range such as 8000-8010", spec)
        start = int(match.group(1))
        end = int(match.group(2)) if match.group(2) else start
        low = 1 if what == "container port" else 0
        if not low <= start <= 65535 or not low <= end <= 65535:
            self.fail(where, f"{what} must be between {low} and 65535", spec)
        if end < start:
            self.fail(where, f"{what} range must be ascending", spec)
        return list(range(start, end + 1))

    def protocol(self, where, spec, protocol):
        protocol = (protocol or "tcp").lower()
        if protocol not in ("tcp", "udp"):
            self.fail(where, "protocol must be tcp or udp (ECS supports no other)", spec)
        return protocol

    def short_port(self, where, spec):
        body, _, protocol = spec.partition("/")
        protocol = self.protocol(where, spec, protocol)
        host_ip = None
        if body.startswith("["):  # [::1]:8080:80
            end = body.find("]")
            if end < 0 or body[end + 1 : end + 2] != ":":
                self.fail(where, "expected [IPv6]:HOST:CONTAINER", spec)
            host_ip, body = body[1:end], body[end + 2 :]
            parts = [*body.split(":")]
            if len(parts) != 2:
                self.fail(where, "expected [IPv6]:HOST:CONTAINER", spec)
            parts = [host_ip, *parts]
        else:
            parts = body.split(":")
        if len(parts) == 1:
            host, container = "", parts[0]
        elif len(parts) == 2:
            host, container = parts
        elif len(parts) == 3:
            host_ip, host, container = parts
        else:
            self.fail(where, "expected [[IP:]HOST:]CONTAINER[/PROTOCOL]", spec)
        if host_ip is not None:
            self.warn(f"service '{self.name}': {where} '{spec}': {_IGNORED_HOST_IP}")
        containers = self.port_range(where, spec, container, "container port")
        hosts = self.port_range(where, spec, host, "host port") if host else None
        return self.mappings(where, spec, containers, hosts, protocol)

    def long_port(self, where, spec):
        for option in spec:
            if option not in ("target", "published", "protocol", "mode", "host_ip", "name", "app_protocol"):
                self.fail(f"{where}.{option}", "is not a port option (target, published, protocol, mode, host_ip)")
        if "target" not in spec:
            self.fail(f"{where}.target", "is required (the container port)")
        target = spec["target"]
        containers = self.port_range(where, target, str(target), "container port")
        if len(containers) != 1:
            self.fail(f"{where}.target", "must be a single port", target)
        published = spec.get("published")
        hosts = None
        if published not in (None, ""):
            hosts = self.port_range(where, published, str(published), "host port")
        if spec.get("host_ip"):
            self.warn(f"service '{self.name}': {where}: {_IGNORED_HOST_IP}")
        return self.mappings(
            where, str(target), containers, hosts, self.protocol(where, spec.get("protocol"), spec.get("protocol"))
        )

    def mappings(self, where, spec, containers, hosts, protocol):
        if hosts is not None and len(hosts) != len(containers):
            if len(containers) == 1:
                self.fail(where, "a host port range for one container port cannot be expressed in ECS", spec)
            self.fail(where, "host and container port ranges must be the same length", spec)
        result = []
        for offset, container in enumerate(containers):
            mapping = {"containerPort": container, "protocol": protocol}
            if hosts is not None:
                host = hosts[offset]
                if self.t.network_mode in ("awsvpc", "host") and host not in (0, container):
                    self.fail(
                        where,
                        f"in {self.t.network_mode} network mode the host port must equal the container port "
                        "or be omitted",
                        spec,
                    )
                mapping["hostPort"] = host
            result.append(mapping)
        return result

    def privileged(self, key, value):
        self.container["privileged"] = self.boolean(key, value)

    def read_only(self, key, value):
        self.container["readonlyRootFilesystem"] = self.boolean(key, value)

    def tty(self, key, value):
        self.container["pseudoTerminal"] = self.boolean(key, value)

    def security_opt(self, key, value):
        self.container["dockerSecurityOptions"] = self.string_list(key, value)

    def shm_size(self, key, value):
        self.linux()["sharedMemorySize"] = self.size(key, value)

    def stop_grace_period(self, key, value):
        seconds = self.duration(key, value)
        if seconds > _MAX_STOP_TIMEOUT:
            self.fail(key, f"ECS allows at most {_MAX_STOP_TIMEOUT}s", value)
        self.container["stopTimeout"] = seconds

    def tmpfs(self, key, value):
        mounts = []
        for index, spec in enumerate(self.string_list(key, value)):
            where = f"{key}[{index}]" if isinstance(value, list) else key
            path, _, options = spec.partition(":")
            mounts.append(self.tmpfs_mount(where, spec, path, [o for o in options.split(",") if o]))
        self.linux().setdefault("tmpfs", []).extend(mounts)

    def tmpfs_mount(self, where, spec, path, options, size=None):
        if not path.startswith("/"):
            self.fail(where, "the mount path must be absolute", spec)
        mount_options = []
        for option in options:
            if option.startswith("size="):
                size = option[len("size=") :]
            else:
                mount_options.append(option)
        if size is None:
            self.fail(where, "ECS needs a size for every tmpfs mount; add size, e.g. '/run:size=64m'", spec)
        mount = {"containerPath": path, "size": self.size(where, size)}
        if mount["size"] == 0:
            self.fail(where, "size must be at least 1 MiB", spec)
        if mount_options:
            mount["mountOptions"] = mount_options
        return mount

    def ulimits(self, key, value):
        if not isinstance(value, dict):
            self.fail(key, f"must be a mapping of limit names, got {_type_name(value)}")
        limits = []
        for name, limit in value.items():
            where = f"{key}.{name}"
            if name not in _ULIMIT_NAMES:
                self.fail(where, f"is not a ulimit ECS supports; use one of {', '.join(sorted(_ULIMIT_NAMES))}")
            if isinstance(limit, dict):
                if set(limit) != {"soft", "hard"}:
                    self.fail(where, "needs both soft and hard")
                soft = self.integer(f"{where}.soft", limit["soft"])
                hard = self.integer(f"{where}.hard", limit["hard"])
                if soft > hard:
                    self.fail(where, f"soft limit {soft} exceeds hard limit {hard}")
            else:
                soft = hard = self.integer(where, limit)
            limits.append({"name": name, "softLimit": soft, "hardLimit": hard})
        self.container["ulimits"] = limits

    def user(self, key, value):
        self.container["user"] = self.text(key, value)

    def working_dir(self, key, value):
        self.container["workingDirectory"] = self.text(key, value)

    def volumes(self, key, value):
        if not isinstance(value, list):
            self.fail(key, f"must be a list, got {_type_name(value)}")
        mounts = []
        for index, spec in enumerate(value):
            where = f"{key}[{index}]"
            if isinstance(spec, str):
                mount = self.short_volume(where, spec)
            elif isinstance(spec, dict):
                mount = self.long_volume(where, spec)
            else:
                self.fail(where, f"must be a string such as 'data:/var/lib/data' or a mapping, got {_type_name(spec)}")
            if mount is not None:
                mounts.append(mount)
        self.container["mountPoints"] = mounts

    def source_volume(self, where, spec, source):
        if not source:
            return self.t.volumes.anonymous_volume()
        if source.startswith("/"):
            return self.t.volumes.for_host_path(source)
        if source.startswith((".", "~")):
            self.fail(
                where,
                "a relative host path cannot be mounted on a container instance; "
                "use an absolute path or a named volume",
                spec,
            )
        if not _VOLUME_NAME_RE.match(source):
            self.fail(where, "the source is neither an absolute host path nor a volume name", spec)
        if source not in self.t.volumes.named:
            self.fail(where, f"named volume '{source}' is used but not declared in the top-level volumes section", spec)
        return source

    def short_volume(self, where, spec):
        parts = spec.split(":")
        if len(parts) == 1:
            source, target, mode = "", parts[0], ""
        elif len(parts) == 2:
            source, target, mode = parts[0], parts[1], ""
        elif len(parts) == 3:
            source, target, mode = parts
        else:
            self.fail(where, "expected [SOURCE:]CONTAINER_PATH[:ro|rw]", spec)
        if not target.startswith("/"):
            self.fail(where, "the container path must be absolute", spec)
        read_only = False
        for option in (o for o in mode.split(",") if o):
            if option in ("ro", "rw"):
                read_only = option == "ro"
            elif option in _VOLUME_MODES_IGNORED:
                self.warn(
                    f"service '{self.name}': {where} '{spec}': ignoring volume option '{option}' (not used by ECS)"
                )
            else:
                self.fail(where, f"unknown volume option '{option}'; use ro or rw", spec)
        return {"sourceVolume": self.source_volume(where, spec, source), "containerPath": target, "readOnly": read_only}

    def long_volume(self, where, spec):
        kind = spec.get("type", "volume")
        target = spec.get("target")
        if not isinstance(target, str) or not target.startswith("/"):
            self.fail(f"{where}.target", "is required and must be an absolute container path", target)
        if kind == "tmpfs":
            size = (spec.get("tmpfs") or {}).get("size")
            self.linux().setdefault("tmpfs", []).append(self.tmpfs_mount(where, target, target, [], size))
            return None
        if kind not in ("volume", "bind"):
            self.fail(f"{where}.type", "ECS mounts only volume, bind and tmpfs types", kind)
        source = spec.get("source") or ""
        if kind == "bind" and not str(source).startswith("/"):
            self.fail(f"{where}.source", "a bind mount needs an absolute host path", source or None)
        read_only = spec.get("read_only", False)
        self.boolean(f"{where}.read_only", read_only)
        return {
            "sourceVolume": self.source_volume(where, source, str(source)),
            "containerPath": target,
            "readOnly": read_only,
        }

    def volumes_from(self, key, value):
        result = []
        for index, spec in enumerate(self.string_list(key, value)):
            where = f"{key}[{index}]"
            parts = spec.split(":")
            access = ""
            if len(parts) == 1:
                source = parts[0]
            elif len(parts) == 2 and parts[0] == "container":
                source = parts[1]
            elif len(parts) == 2:
                source, access = parts
            elif len(parts) == 3 and parts[0] == "container":
                source, access = parts[1], parts[2]
            else:
                self.fail(where, "expected [container:]SERVICE[:ro|rw]", spec)
            if access not in ("", "ro", "rw"):
                self.fail(where, "access mode must be ro or rw", spec)
            result.append({"sourceContainer": source, "readOnly": access == "ro"})
        self.container["volumesFrom"] = result

    def environment(self):
        """env_file entries in order, later ones winning; then environment over all of them."""
        values = {}
        if self.config.get("env_file") is not None:
            for name, value in self.t.read_env_files(self, self.config["env_file"]):
                values[name] = value
        if self.config.get("environment") is not None:
            for name, value in self.mapping_or_list("environment", self.config["environment"]):
                if value is None:
                    value = self.t.lookup_variable(self.name, name)
                values[name] = value
        if values:
            self.container["environment"] = [{"name": name, "value": values[name]} for name in sorted(values)]


# ---------------------------------------------------------------------------------------------
# The project → the task definition
# ---------------------------------------------------------------------------------------------


class _Translator:
    def __init__(self, family, read_env_file, variables, image_tag, image_tag_services, warnings, images=None):
        self.family = family
        self.images = images or {}
        self.read_env_file = read_env_file
        self.variables = variables or {}
        self.image_tag = image_tag
        self.image_tag_services = set(image_tag_services) if image_tag_services is not None else None
        self.warnings = warnings
        self.network_mode = None
        self.volumes = None

    # -- shared by services ------------------------------------------------------------------

    def lookup_variable(self, service, name):
        if name in self.variables:
            return str(self.variables[name])
        self.warnings.append(
            f"service '{service}': environment {name}: "
            "Environment variable is unresolved. Setting it to a blank value..."
        )
        return ""

    def read_env_files(self, service, value):
        entries = value if isinstance(value, list) else [value]
        pairs = []
        for index, entry in enumerate(entries):
            where = f"env_file[{index}]" if isinstance(value, list) else "env_file"
            required = True
            if isinstance(entry, dict):
                required = entry.get("required", True)
                entry = entry.get("path")
            if not isinstance(entry, str) or not entry:
                service.fail(where, "must be a file path")
            if self.read_env_file is None:
                service.fail(where, "cannot be read: no env_file reader was given", entry)
            try:
                text = self.read_env_file(entry)
            except OSError as exc:
                if not required:
                    continue
                service.fail(where, f"cannot be read ({exc.strerror or exc})", entry)
            pairs += self.parse_env_file(service, where, entry, text)
        return pairs

    def parse_env_file(self, service, where, path, text):
        pairs = []
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("export "):
                line = line[len("export ") :].lstrip()
            name, sep, value = line.partition("=")
            name = name.strip()
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]*", name):
                service.fail(f"{where} '{path}' line {number}", "expected NAME=VALUE", raw)
            if not sep:
                if name in self.variables:
                    pairs.append((name, str(self.variables[name])))
                continue
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                value = value[1:-1]
            elif " #" in value:
                value = value.split(" #", 1)[0].rstrip()
            pairs.append((name, value))
        return pairs

    def healthcheck_to_ecs(self, value, fail):
        """Compose or ecs-params healthcheck → ECS healthCheck (None when disabled)."""
        if not isinstance(value, dict):
            fail("", f"must be a mapping, got {_type_name(value)}")
        if value.get("disable") is True:
            return None
        for option in value:
            if option not in ("test", "command", "interval", "timeout", "retries", "start_period", "disable"):
                fail(f".{option}", "is not a healthcheck option (test, interval, timeout, retries, start_period)")
        if "test" in value and "command" in value:
            fail("", "test and command cannot both be set")
        test = value.get("test", value.get("command"))
        check = {}
        if test is not None:
            if isinstance(test, str):
                command = ["CMD-SHELL", test]
            elif isinstance(test, list) and test and all(isinstance(item, str) for item in test):
                if test[0] == "NONE":
                    return None
                if test[0] not in ("CMD", "CMD-SHELL"):
                    fail(".test", "a list must start with CMD, CMD-SHELL or NONE", test[0])
                if len(test) < 2:
                    fail(".test", "names no command after " + test[0])
                command = list(test)
            else:
                fail(".test", "must be a string or a list of strings")
            check["command"] = command
        for option, field in _HEALTHCHECK_KEYS.items():
            if value.get(option) is None:
                continue
            raw = value[option]
            if option == "retries":
                if isinstance(raw, bool) or not isinstance(raw, int):
                    fail(".retries", "must be a whole number", raw)
                number = raw
            else:
                try:
                    number = duration_to_seconds(raw)
                except ValueError as exc:
                    fail(f".{option}", str(exc), raw)
            low, high = _HEALTHCHECK_LIMITS[option]
            if not low <= number <= high:
                fail(f".{option}", f"ECS accepts {low} to {high}{'' if option == 'retries' else ' seconds'}", raw)
            check[field] = number
        return check

    # -- the whole project ---------------------------------------------------------------------

    def translate(self, compose, params, only_services):
        services = compose.get("services")
        version = str(compose.get("version", ""))
        if services is None:
            hint = " (version 1 files are not supported; move the services under 'services:')" if version == "" else ""
            raise ComposeError(f"compose file: no 'services' section{hint}")
        if not isinstance(services, dict) or not services:
            raise ComposeError("compose file: 'services' must be a mapping with at least one service")
        if version and not re.fullmatch(r"[23](\.\d+)?", version):
            raise ComposeError(f"compose file: version {version!r} is not supported; use version 2.x or 3.x")
        for key in compose:
            if key not in ("version", "services", "volumes", "networks", "name") and not str(key).startswith("x-"):
                self.warnings.append(f"Skipping unsupported YAML option... option name={key}")
        networks = compose.get("networks")
        if isinstance(networks, dict) and len(networks) > 1:
            self.warnings.append("Skipping unsupported YAML option... option name=networks")

        if only_services is not None:
            unknown = [name for name in only_services if name not in services]
            if unknown:
                raise ComposeError(
                    f"services filter: {', '.join(unknown)} not in the compose file (it has {', '.join(services)})"
                )
            services = {name: config for name, config in services.items() if name in only_services}
        if self.image_tag_services is not None:
            unknown = sorted(self.image_tag_services - set(compose["services"]))
            if unknown:
                raise ComposeError(f"image tag services: {', '.join(unknown)} not in the compose file")
        unknown = sorted(set(self.images) - set(compose["services"]))
        if unknown:
            raise ComposeError(f"images: {', '.join(unknown)} not in the compose file")
        for name, image in sorted(self.images.items()):
            if not isinstance(image, str) or not _IMAGE_RE.match(image):
                raise ComposeError(
                    f"images.{name} {image!r}: not an image reference (registry/repository[:tag][@sha256:<digest>])"
                )
        if self.image_tag is not None and not _TAG_RE.match(str(self.image_tag)):
            raise ComposeError(
                f"image tag {self.image_tag!r}: not a valid Docker tag (letters, digits, '_', '.', '-'; at most 128)"
            )

        # Entries for services left out by the services filter are not mistakes: only unknown names warn.
        params = _EcsParams(params, self.warnings, set(compose["services"]))
        self.network_mode = params.network_mode
        self.volumes = _TaskVolumes(self.declared_volumes(compose.get("volumes")))

        containers = []
        for name, config in services.items():
            if not _NAME_RE.match(str(name)):
                raise ComposeError(
                    f"service '{name}': the name must be 1-255 letters, digits, '-' or '_' to name an ECS container"
                )
            if not isinstance(config, dict):
                raise ComposeError(f"service '{name}': must be a mapping, got {_type_name(config)}")
            container = _Service(name, config, self).translate()
            params.apply(container, self)
            containers.append(container)

        self.check_references(containers)
        params.check_task(containers)

        task = {"family": self.family, "containerDefinitions": containers}
        volumes = params.merge_volumes(self.volumes.task_volumes())
        if volumes:
            task["volumes"] = volumes
        task.update(params.task_fields())
        return task

    def declared_volumes(self, volumes):
        if volumes is None:
            return []
        if not isinstance(volumes, dict):
            raise ComposeError(f"compose file: top-level volumes must be a mapping, got {_type_name(volumes)}")
        for name, config in volumes.items():
            if config:
                options = ", ".join(sorted(config)) if isinstance(config, dict) else str(config)
                raise ComposeError(
                    f"volume '{name}': {options} cannot be expressed in a task definition; "
                    "declare the volume bare and configure it under task_definition.docker_volumes in ecs-params.yml"
                )
            if not _VOLUME_NAME_RE.match(str(name)):
                raise ComposeError(f"volume '{name}': not a valid volume name")
        return [str(name) for name in volumes]

    def check_references(self, containers):
        names = {container["name"] for container in containers}
        for container in containers:
            service = container["name"]
            for index, link in enumerate(container.get("links", [])):
                target = link.split(":", 1)[0]
                if self.network_mode == "awsvpc":
                    raise ComposeError(
                        f"service '{service}': links: not supported in awsvpc network mode; "
                        "containers reach each other on localhost"
                    )
                if target not in names:
                    raise ComposeError(
                        f"service '{service}': links[{index}] '{link}': '{target}' is not a service of this task"
                    )
            for index, source in enumerate(container.get("volumesFrom", [])):
                if source["sourceContainer"] not in names:
                    raise ComposeError(
                        f"service '{service}': volumes_from[{index}]: '{source['sourceContainer']}' "
                        "is not a service of this task"
                    )


# ---------------------------------------------------------------------------------------------
# ecs-params.yml (version 1)
# ---------------------------------------------------------------------------------------------


class _EcsParams:
    def __init__(self, document, warnings, service_names):
        self.warnings = warnings
        self.doc = document or {}
        if not isinstance(self.doc, dict):
            self.fail("", f"must be a mapping, got {_type_name(self.doc)}")
        if document is not None and str(self.doc.get("version", "")) != "1":
            self.fail("version", "must be 1 (the only ecs-params.yml version)", self.doc.get("version"))
        for key in self.doc:
            if key == "run_params":
                warnings.append(
                    "ecs-params.yml: run_params is ignored: network configuration, placement and service "
                    "discovery belong to the ECS service, not the task definition"
                )
            elif key not in ("version", "task_definition"):
                warnings.append(f"ecs-params.yml: unknown option {key} ignored")
        self.task = self.mapping("task_definition", self.doc.get("task_definition"))
        for key in self.task:
            if key not in PARAMS_TASK_KEYS:
                warnings.append(f"ecs-params.yml: unknown option task_definition.{key} ignored")
        mode = self.task.get("ecs_network_mode")
        if mode is not None and mode not in _NETWORK_MODES:
            self.fail("task_definition.ecs_network_mode", f"must be one of {', '.join(_NETWORK_MODES)}", mode)
        self.network_mode = mode
        self.services = self.mapping("task_definition.services", self.task.get("services"))
        for name, config in self.services.items():
            if name not in service_names:
                warnings.append(
                    f"ecs-params.yml: task_definition.services.{name} matches no service in the task; ignored"
                )
            where = f"task_definition.services.{name}"
            for key in self.mapping(where, config):
                if key not in PARAMS_SERVICE_KEYS:
                    warnings.append(f"ecs-params.yml: unknown option {where}.{key} ignored")

    def fail(self, key, message, value=None):
        shown = f" {value!r}" if value is not None and not isinstance(value, (dict, list)) else ""
        raise ComposeError(f"ecs-params.yml: {key}{shown}: {message}")

    def mapping(self, key, value):
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.fail(key, f"must be a mapping, got {_type_name(value)}")
        return value

    def secrets(self, where, value):
        if not isinstance(value, list):
            self.fail(where, f"must be a list of name/value_from entries, got {_type_name(value)}")
        secrets = []
        for index, secret in enumerate(value):
            if not isinstance(secret, dict) or not secret.get("name") or not secret.get("value_from"):
                self.fail(f"{where}[{index}]", "needs name and value_from (an SSM parameter or Secrets Manager ARN)")
            secrets.append({"name": str(secret["name"]), "valueFrom": str(secret["value_from"])})
        return secrets

    def apply(self, container, translator):
        """Merge services.<name> into the container; ecs-params wins over compose, as in ecs-cli."""
        name = container["name"]
        config = self.services.get(name) or {}
        where = f"task_definition.services.{name}"

        essential = config.get("essential", True)
        if not isinstance(essential, bool):
            self.fail(f"{where}.essential", "must be true or false", essential)
        container["essential"] = essential

        for key, field in (("cpu_shares", "cpu"), ("mem_limit", "memory"), ("mem_reservation", "memoryReservation")):
            if config.get(key) is None:
                continue
            raw = config[key]
            if key == "cpu_shares":
                if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
                    self.fail(f"{where}.cpu_shares", "must be a whole number of CPU units", raw)
                value = raw
            else:
                try:
                    value = size_to_mib(raw)
                except ValueError as exc:
                    self.fail(f"{where}.{key}", str(exc), raw)
            if value:
                container[field] = value

        memory, reservation = container.get("memory"), container.get("memoryReservation")
        if memory and reservation and memory < reservation:
            raise ComposeError(
                f"service '{name}': mem_limit ({memory} MiB) must be greater than mem_reservation ({reservation} MiB)"
            )
        if not memory and not reservation and self.task_size().get("mem_limit") is None:
            container["memory"] = DEFAULT_MEMORY_MIB

        if config.get("gpu") is not None:
            gpu = str(config["gpu"])
            if not re.fullmatch(r"[1-9]\d*", gpu):
                self.fail(f"{where}.gpu", "must be a positive number of GPUs", config["gpu"])
            container["resourceRequirements"] = [{"type": "GPU", "value": gpu}]

        if config.get("init_process_enabled") is not None:
            init = config["init_process_enabled"]
            if not isinstance(init, bool):
                self.fail(f"{where}.init_process_enabled", "must be true or false", init)
            if init:
                container.setdefault("linuxParameters", {})["initProcessEnabled"] = True

        credentials = config.get("repository_credentials")
        if credentials is not None:
            parameter = self.mapping(f"{where}.repository_credentials", credentials).get("credentials_parameter")
            if not parameter:
                self.fail(
                    f"{where}.repository_credentials.credentials_parameter", "is required (a Secrets Manager ARN)"
                )
            container["repositoryCredentials"] = {"credentialsParameter": str(parameter)}

        if config.get("secrets") is not None:
            container["secrets"] = sorted(self.secrets(f"{where}.secrets", config["secrets"]), key=lambda s: s["name"])

        logging = self.mapping(f"{where}.logging", config.get("logging"))
        if logging.get("secret_options") is not None:
            if "logConfiguration" not in container:
                self.fail(f"{where}.logging.secret_options", "needs a logging driver in the compose service")
            container["logConfiguration"]["secretOptions"] = self.secrets(
                f"{where}.logging.secret_options", logging["secret_options"]
            )

        firelens = config.get("firelens_configuration")
        if firelens is not None:
            firelens = self.mapping(f"{where}.firelens_configuration", firelens)
            if firelens.get("type") not in ("fluentd", "fluentbit"):
                self.fail(f"{where}.firelens_configuration.type", "must be fluentd or fluentbit", firelens.get("type"))
            container["firelensConfiguration"] = {"type": firelens["type"]}
            if firelens.get("options"):
                options = self.mapping(f"{where}.firelens_configuration.options", firelens["options"])
                container["firelensConfiguration"]["options"] = {k: _scalar_text(v) for k, v in options.items()}

        if config.get("healthcheck") is not None:

            def fail(sub, msg, val=None):
                return self.fail(f"{where}.healthcheck{sub}", msg, val)

            override = translator.healthcheck_to_ecs(config["healthcheck"], fail)
            if override is not None:
                merged = dict(container.get("healthCheck") or {}, **override)
                container["healthCheck"] = merged
        if "healthCheck" in container and "command" not in container["healthCheck"]:
            raise ComposeError(f"service '{name}': healthcheck: test is required")

        if config.get("depends_on") is not None:
            depends = config["depends_on"]
            if not isinstance(depends, list):
                self.fail(f"{where}.depends_on", "must be a list of container_name/condition entries")
            result = []
            for index, entry in enumerate(depends):
                key = f"{where}.depends_on[{index}]"
                if not isinstance(entry, dict) or not entry.get("container_name"):
                    self.fail(key, "needs container_name and condition")
                condition = str(entry.get("condition", "START")).upper()
                if condition not in _DEPENDENCY_CONDITIONS:
                    self.fail(
                        f"{key}.condition",
                        f"must be one of {', '.join(_DEPENDENCY_CONDITIONS)}",
                        entry.get("condition"),
                    )
                result.append({"containerName": str(entry["container_name"]), "condition": condition})
            container["dependsOn"] = result

    def check_task(self, containers):
        by_name = {container["name"]: container for container in containers}
        if not any(container["essential"] for container in containers):
            raise ComposeError(
                "ecs-params.yml: task definition does not have any essential containers; mark at least one essential"
            )
        for container in containers:
            for index, dependency in enumerate(container.get("dependsOn", [])):
                where = f"task_definition.services.{container['name']}.depends_on[{index}]"
                target = by_name.get(dependency["containerName"])
                if target is None:
                    self.fail(f"{where}.container_name", "is not a service of this task", dependency["containerName"])
                if target is container:
                    self.fail(
                        f"{where}.container_name", "a container cannot depend on itself", dependency["containerName"]
                    )
                if dependency["condition"] == "HEALTHY" and "healthCheck" not in target:
                    self.fail(
                        f"{where}.condition",
                        f"HEALTHY needs a healthcheck on '{target['name']}'",
                        dependency["condition"],
                    )
                if dependency["condition"] in ("COMPLETE", "SUCCESS") and target["essential"]:
                    self.fail(
                        f"{where}.condition",
                        f"{dependency['condition']} needs '{target['name']}' to be non-essential (essential: false)",
                        dependency["condition"],
                    )

    def task_size(self):
        return self.mapping("task_definition.task_size", self.task.get("task_size"))

    def task_fields(self):
        fields = {}
        if self.network_mode:
            fields["networkMode"] = self.network_mode
        for key, field in (
            ("task_role_arn", "taskRoleArn"),
            ("task_execution_role", "executionRoleArn"),
            ("pid_mode", "pidMode"),
            ("ipc_mode", "ipcMode"),
        ):
            if self.task.get(key):
                fields[field] = str(self.task[key])
        size = self.task_size()
        for key, field, convert in (("cpu_limit", "cpu", _task_cpu), ("mem_limit", "memory", _task_memory)):
            if size.get(key) is not None:
                try:
                    fields[field] = convert(size[key])
                except ValueError as exc:
                    self.fail(f"task_definition.task_size.{key}", str(exc), size[key])
        for key in size:
            if key not in ("cpu_limit", "mem_limit"):
                self.warnings.append(f"ecs-params.yml: unknown option task_definition.task_size.{key} ignored")
        constraints = self.task.get("placement_constraints")
        if constraints is not None:
            if not isinstance(constraints, list):
                self.fail("task_definition.placement_constraints", "must be a list")
            fields["placementConstraints"] = []
            for index, constraint in enumerate(constraints):
                if not isinstance(constraint, dict) or constraint.get("type") != "memberOf":
                    self.fail(f"task_definition.placement_constraints[{index}].type", "must be memberOf")
                entry = {"type": "memberOf"}
                if constraint.get("expression"):
                    entry["expression"] = str(constraint["expression"])
                fields["placementConstraints"].append(entry)
        return fields

    def merge_volumes(self, volumes):
        by_name = {volume["name"]: volume for volume in volumes}
        docker = self.task.get("docker_volumes") or []
        efs = self.task.get("efs_volumes") or []
        for kind, entries in (("docker_volumes", docker), ("efs_volumes", efs)):
            if not isinstance(entries, list):
                self.fail(f"task_definition.{kind}", "must be a list")
            for index, entry in enumerate(entries):
                where = f"task_definition.{kind}[{index}]"
                if not isinstance(entry, dict) or not entry.get("name"):
                    self.fail(f"{where}.name", "is required")
                name = str(entry["name"])
                if name not in by_name:
                    by_name[name] = {"name": name}
                    volumes.append(by_name[name])
                volume = by_name[name]
                if "host" in volume:
                    self.fail(where, "names a host-path volume", entry["name"])
                if kind == "docker_volumes":
                    volume["dockerVolumeConfiguration"] = self.docker_volume(where, entry)
                else:
                    volume["efsVolumeConfiguration"] = self.efs_volume(where, entry)
        return volumes

    def docker_volume(self, where, entry):
        config = {}
        scope = entry.get("scope")
        if scope is not None:
            if scope not in ("task", "shared"):
                self.fail(f"{where}.scope", "must be task or shared", scope)
            config["scope"] = scope
        if entry.get("autoprovision") is not None:
            if scope != "shared":
                self.fail(f"{where}.autoprovision", "is only valid with scope: shared")
            config["autoprovision"] = bool(entry["autoprovision"])
        if entry.get("driver"):
            config["driver"] = str(entry["driver"])
        for key, field in (("driver_opts", "driverOpts"), ("labels", "labels")):
            if entry.get(key):
                options = self.mapping(f"{where}.{key}", entry[key])
                config[field] = {str(k): _scalar_text(v) for k, v in options.items()}
        return config

    def efs_volume(self, where, entry):
        if not entry.get("filesystem_id"):
            self.fail(f"{where}.filesystem_id", "is required for efs volumes")
        config = {"fileSystemId": str(entry["filesystem_id"])}
        if entry.get("root_directory"):
            config["rootDirectory"] = str(entry["root_directory"])
        encryption = entry.get("transit_encryption")
        if encryption is not None and encryption not in ("ENABLED", "DISABLED"):
            self.fail(f"{where}.transit_encryption", "must be ENABLED or DISABLED", encryption)
        auth = {}
        if entry.get("iam") is not None:
            if entry["iam"] not in ("ENABLED", "DISABLED"):
                self.fail(f"{where}.iam", "must be ENABLED or DISABLED", entry["iam"])
            auth["iam"] = entry["iam"]
        if entry.get("access_point"):
            auth["accessPointId"] = str(entry["access_point"])
        if (auth.get("iam") == "ENABLED" or "accessPointId" in auth) and encryption != "ENABLED":
            self.fail(f"{where}.transit_encryption", "must be ENABLED when using IAM access or an access point")
        if encryption:
            config["transitEncryption"] = encryption
        if entry.get("transit_encryption_port") is not None:
            config["transitEncryptionPort"] = int(entry["transit_encryption_port"])
        if auth:
            config["authorizationConfig"] = auth
        return config


def compose_to_task_definition(
    compose,
    family,
    ecs_params=None,
    read_env_file=None,
    variables=None,
    image_tag=None,
    image_tag_services=None,
    services=None,
    images=None,
):
    """Translate a parsed compose document (+ parsed ecs-params.yml) into register_task_definition kwargs.

    ``read_env_file(path)`` returns the text of an env_file entry (paths as written in the compose
    file, relative to its directory) and raises OSError when it cannot. ``variables`` feed ``${VAR}``
    interpolation in both documents and bare ``environment`` names. ``image_tag`` replaces the tag
    of every image, or only those of ``image_tag_services``; ``images`` (service → reference) replaces
    whole images, for deploys pinned by digest. ``services`` limits the task to those.

    Returns ``(kwargs, warnings)``; raises ComposeError for input that cannot become a task definition.
    """
    if not isinstance(family, str) or not _NAME_RE.match(family):
        raise ComposeError(f"family {family!r}: must be 1-255 letters, digits, '-' or '_'")
    if not isinstance(compose, dict):
        raise ComposeError(f"compose file: expected a mapping at the top level, got {_type_name(compose)}")
    warnings = []
    compose = interpolate(compose, variables, warnings, "compose file")
    if ecs_params is not None:
        ecs_params = interpolate(ecs_params, variables, warnings, "ecs-params.yml")
    translator = _Translator(family, read_env_file, variables, image_tag, image_tag_services, warnings, images)
    task = translator.translate(compose, ecs_params, services)
    return task, warnings


# ---------------------------------------------------------------------------------------------
# Canonical form: our kwargs and DescribeTaskDefinition's taskDefinition compare equal when ECS
# would run the same thing
# ---------------------------------------------------------------------------------------------

REGISTER_FIELDS = (
    "family", "taskRoleArn", "executionRoleArn", "networkMode", "containerDefinitions", "volumes",
    "placementConstraints", "requiresCompatibilities", "cpu", "memory", "pidMode", "ipcMode",
    "proxyConfiguration", "inferenceAccelerators", "ephemeralStorage", "runtimePlatform", "enableFaultInjection",
)  # fmt: skip

# Values ECS reports when the request did not set them.
_CONTAINER_DEFAULTS = {
    "cpu": 0,
    "privileged": False,
    "readonlyRootFilesystem": False,
    "pseudoTerminal": False,
    "interactive": False,
    "disableNetworking": False,
    "versionConsistency": "enabled",
}
_HEALTHCHECK_DEFAULTS = {"interval": 30, "timeout": 5, "retries": 3}
_UNORDERED_LISTS = {
    "environment": "name",
    "secrets": "name",
    "ulimits": "name",
    "mountPoints": "containerPath",
    "volumesFrom": "sourceContainer",
    "extraHosts": "hostname",
    "dependsOn": "containerName",
    "resourceRequirements": "type",
    "systemControls": "namespace",
    "environmentFiles": "value",
}


def _prune(value):
    """Drop None, empty strings, lists and mappings, recursively: ECS treats them as unset."""
    if isinstance(value, dict):
        pruned = {key: _prune(item) for key, item in value.items()}
        return {key: item for key, item in pruned.items() if item not in (None, "", [], {})}
    if isinstance(value, list):
        return [_prune(item) for item in value]
    return value


def _canonical_container(container, network_mode):
    container = dict(container)
    container.setdefault("essential", True)
    for key, default in _CONTAINER_DEFAULTS.items():
        if container.get(key) == default:
            del container[key]
    for key in ("memory", "memoryReservation", "cpu"):
        if key in container:
            container[key] = int(container[key])
    ports = []
    for mapping in container.get("portMappings", []):
        mapping = dict(mapping)
        mapping["protocol"] = mapping.get("protocol") or "tcp"
        if network_mode in ("awsvpc", "host"):
            mapping.setdefault("hostPort", mapping.get("containerPort"))
        elif mapping.get("hostPort") == 0:
            del mapping["hostPort"]
        ports.append(mapping)
    if ports:
        container["portMappings"] = sorted(
            ports, key=lambda m: (m.get("containerPort", 0), m["protocol"], m.get("hostPort", 0), str(m))
        )
    for key in ("mountPoints", "volumesFrom"):
        if key in container:
            container[key] = [
                {k: v for k, v in item.items() if not (k == "readOnly" and v is False)} for item in container[key]
            ]
    for key, sort_key in _UNORDERED_LISTS.items():
        if key in container:
            container[key] = sorted(container[key], key=lambda item, k=sort_key: str(item.get(k)))
    if "healthCheck" in container:
        check = dict(_HEALTHCHECK_DEFAULTS, **container["healthCheck"])
        if check.get("startPeriod") == 0:
            del check["startPeriod"]
        container["healthCheck"] = check
    linux = container.get("linuxParameters")
    if linux:
        linux = dict(linux)
        if linux.get("initProcessEnabled") is False:
            del linux["initProcessEnabled"]
        capabilities = linux.get("capabilities") or {}
        linux["capabilities"] = {key: sorted(values) for key, values in capabilities.items() if values}
        for key, sort_key in (("devices", "hostPath"), ("tmpfs", "containerPath")):
            if key in linux:
                linux[key] = sorted(linux[key], key=lambda item, k=sort_key: str(item.get(k)))
        container["linuxParameters"] = linux
    return container


def canonical_task_definition(task_definition):
    """Reduce register kwargs or a describe result to what decides how ECS runs the task."""
    if not task_definition:
        return {}
    task = {key: copy.deepcopy(task_definition[key]) for key in REGISTER_FIELDS if key in task_definition}
    task = _prune(task)
    network_mode = task.get("networkMode") or "bridge"
    task["networkMode"] = network_mode
    for key in ("cpu", "memory"):
        if key in task:
            task[key] = str(task[key])
    task["containerDefinitions"] = _prune(
        sorted(
            (_canonical_container(container, network_mode) for container in task.get("containerDefinitions", [])),
            key=lambda container: container.get("name", ""),
        )
    )
    volumes = []
    for volume in task.get("volumes", []):
        volume = dict(volume)
        docker = volume.get("dockerVolumeConfiguration")
        if docker is not None:
            docker = dict(docker)
            docker.setdefault("scope", "task")
            if docker.get("autoprovision") is False:
                del docker["autoprovision"]
            volume["dockerVolumeConfiguration"] = docker
        efs = volume.get("efsVolumeConfiguration")
        if efs is not None:
            efs = dict(efs)
            if efs.get("rootDirectory") == "/":
                del efs["rootDirectory"]
            if efs.get("transitEncryption") == "DISABLED":
                del efs["transitEncryption"]
            volume["efsVolumeConfiguration"] = efs
        volumes.append(volume)
    if volumes:
        task["volumes"] = sorted(_prune(volumes), key=lambda volume: volume.get("name", ""))
    for key in ("placementConstraints", "requiresCompatibilities"):
        if key in task:
            task[key] = sorted(task[key], key=str)
    return task


def task_definition_diff(before, after):
    """Ansible --diff payload: canonical forms of the current (or none) and the wanted definition."""
    return {"before": canonical_task_definition(before), "after": canonical_task_definition(after)}
