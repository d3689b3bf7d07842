# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Read a compose file and its ecs-params.yml strictly: one loader for the module and for validation.

What ``yaml.safe_load`` lets through and this refuses, each problem naming the file (``source``),
the line and the fix:

- YAML syntax errors: the line and column PyYAML stopped at (``MarkedYAMLError.problem_mark``);
- the same key twice in one mapping, at any depth (YAML 1.2 forbids it; PyYAML keeps the last one
  silently): both line numbers;
- keys that are not compose keys (``enviroment:``) at the top level and in a service, and keys
  ecs-params.yml does not have: the nearest known key is suggested. Keys of the compose
  specification that ECS cannot express (``build``, ``restart``, ...) are not problems here: the
  translator (``compose.py``) skips them with ecs-cli's warning, as ecs-cli did;
- ecs-params ``task_definition.services.<name>`` entries that name no compose service.

``project_problems`` returns every problem it finds (for one list in validation);
``load_project`` raises ``ComposeError`` with all of them (for the module).
"""

from __future__ import annotations

import difflib
import re

try:
    import yaml
except ImportError:  # modules report it with missing_required_lib("PyYAML") (HAS_YAML)
    yaml = None
    HAS_YAML = False
else:
    HAS_YAML = True


class ComposeError(ValueError):
    """The compose project or ecs-params document cannot become a task definition.

    ``problems`` lists every problem found when there were several (its message joins them).
    """

    def __init__(self, message, problems=None):
        super().__init__(message)
        self.problems = list(problems) if problems else [message]


# ---------------------------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------------------------

# The compose specification (github.com/compose-spec/compose-spec, schema/compose-spec.json) with the
# version 2.x keys it dropped; ecs-cli validated files against these schemas (additionalProperties
# false), so a key outside them was an error there too.
COMPOSE_TOP_KEYS = ("version", "name", "include", "services", "networks", "volumes", "secrets", "configs", "models")
COMPOSE_SERVICE_KEYS = (
    "annotations", "attach", "blkio_config", "build", "cap_add", "cap_drop", "cgroup", "cgroup_parent",
    "command", "configs", "container_name", "cpu_count", "cpu_percent", "cpu_period", "cpu_quota",
    "cpu_rt_period", "cpu_rt_runtime", "cpu_shares", "cpus", "cpuset", "credential_spec", "depends_on",
    "deploy", "develop", "device_cgroup_rules", "devices", "dns", "dns_opt", "dns_search", "domainname",
    "entrypoint", "env_file", "environment", "expose", "extends", "external_links", "extra_hosts", "gpus",
    "group_add", "healthcheck", "hostname", "image", "init", "ipc", "isolation", "label_file", "labels",
    "links", "logging", "mac_address", "mem_limit", "mem_reservation", "mem_swappiness", "memswap_limit",
    "models", "network_mode", "networks", "oom_kill_disable", "oom_score_adj", "pid", "pids_limit",
    "platform", "ports", "post_start", "pre_stop", "privileged", "profiles", "provider", "pull_policy",
    "pull_refresh_after", "read_only", "restart", "runtime", "scale", "secrets", "security_opt",
    "shm_size", "stdin_open", "stop_grace_period", "stop_signal", "storage_opt", "sysctls", "tmpfs", "tty",
    "ulimits", "use_api_socket", "user", "userns_mode", "uts", "volume_driver", "volumes", "volumes_from",
    "working_dir",
)  # fmt: skip
# ecs-params.yml version 1 (ecs-cli/modules/utils/compose/ecs_params_reader.go). run_params is read
# by ecs-cli for services, not task definitions: accepted, and the translator warns it is ignored.
PARAMS_TOP_KEYS = ("version", "task_definition", "run_params")
PARAMS_TASK_KEYS = (
    "ecs_network_mode", "task_role_arn", "task_execution_role", "task_size", "pid_mode", "ipc_mode",
    "services", "docker_volumes", "efs_volumes", "placement_constraints",
)  # fmt: skip
PARAMS_SERVICE_KEYS = (
    "essential", "depends_on", "repository_credentials", "cpu_shares", "mem_limit", "mem_reservation",
    "gpu", "init_process_enabled", "healthcheck", "secrets", "logging", "firelens_configuration",
)  # fmt: skip
PARAMS_TASK_SIZE_KEYS = ("cpu_limit", "mem_limit")

_MERGE_TAG = "tag:yaml.org,2002:merge"
_SERVICE_REFERENCE = "https://docs.docker.com/reference/compose-file/services/"


def suggest(word, known):
    """`` (did you mean 'x'?)`` for the closest known word, or nothing when none is close."""
    close = difflib.get_close_matches(str(word), known, n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


# ---------------------------------------------------------------------------------------------
# YAML
# ---------------------------------------------------------------------------------------------


if HAS_YAML:

    class _ComposeLoader(yaml.SafeLoader):
        """YAML 1.1 without base-60 numbers, so an unquoted ``80:80`` port stays the string "80:80"."""

    _ComposeLoader.yaml_implicit_resolvers = {
        first: [
            (tag, regexp)
            for tag, regexp in resolvers
            if tag not in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
        ]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    _INT_RE = re.compile(r"^[-+]?(?:0|[1-9][0-9_]*|0b[0-1_]+|0x[0-9a-fA-F_]+|0[0-7_]+)$")
    _FLOAT_RE = re.compile(
        r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?|\.[0-9_]+(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    )
    _ComposeLoader.add_implicit_resolver("tag:yaml.org,2002:int", _INT_RE, list("-+0123456789"))
    _ComposeLoader.add_implicit_resolver("tag:yaml.org,2002:float", _FLOAT_RE, list("-+0123456789."))


def type_name(value):
    return {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean", type(None): "nothing"}.get(
        type(value), type(value).__name__
    )


def _line(node):
    return node.start_mark.line + 1


def _pairs(node):
    """A mapping node's own (key text, key node, value node), merge keys (``<<: *x``) resolved after them."""
    own, merged = [], []
    for key_node, value_node in node.value:
        if key_node.tag == _MERGE_TAG:
            sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
            for source in sources:
                if isinstance(source, yaml.MappingNode):
                    merged.extend(_pairs(source))
        elif isinstance(key_node, yaml.ScalarNode):
            own.append((key_node.value, key_node, value_node))
    keys = {key for key, _, _ in own}
    return own + [pair for pair in merged if pair[0] not in keys]


class _Document:
    """One parsed file: its node tree (with line numbers) and the problems found in it."""

    def __init__(self, text, source):
        self.source = source
        self.found = []  # (line, message): reported in the order of the file
        self.node = None
        loader = _ComposeLoader(text)
        try:
            self.node = loader.get_single_node()
            if self.node is not None:
                self.duplicates(self.node, "", set())
            self.data = loader.construct_document(self.node) if self.node is not None else None
        except yaml.MarkedYAMLError as exc:
            self.node, self.data = None, None
            mark = exc.problem_mark or exc.context_mark
            where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            context = f" ({exc.context}, line {exc.context_mark.line + 1})" if exc.context and exc.context_mark else ""
            self.add(
                mark.line + 1 if mark else 0,
                f"{source}: not valid YAML{where}: {exc.problem}{context}; check the indentation and quoting there",
            )
        except yaml.YAMLError as exc:
            self.node, self.data = None, None
            self.add(0, f"{source}: not valid YAML: {exc}")
        finally:
            loader.dispose()
        if self.node is not None and not isinstance(self.data, dict):
            self.add(0, f"{source}: expected a mapping at the top level, got {type_name(self.data)}")
            self.node = None
        elif self.node is None and not self.found:
            self.add(0, f"{source}: expected a mapping at the top level, got nothing")

    def add(self, line, message):
        self.found.append((line, message))

    @property
    def problems(self):
        return [message for _, message in sorted(self.found, key=lambda found: found[0])]

    def duplicates(self, node, path, seen):
        if id(node) in seen:  # an alias: checked where its anchor is
            return
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            first = {}
            for key_node, value_node in node.value:
                if key_node.tag == _MERGE_TAG:
                    continue
                if isinstance(key_node, yaml.ScalarNode):
                    key = (key_node.tag, key_node.value)
                    if key in first:
                        where = f" in {path}" if path else " at the top level"
                        self.add(
                            _line(key_node),
                            f"{self.source}: line {_line(key_node)}: duplicate key '{key_node.value}'{where} "
                            f"(first at line {_line(first[key])}); YAML keeps only the last one: remove or merge one",
                        )
                    else:
                        first[key] = key_node
                    child = f"{path}.{key_node.value}" if path else key_node.value
                else:
                    child = f"{path}.?" if path else "?"
                self.duplicates(value_node, child, seen)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self.duplicates(item, f"{path}[{index}]", seen)

    def unknown_keys(self, node, path, known, what=""):
        """Problems for the keys of mapping ``node`` (at ``path``) outside ``known`` (``x-`` keys pass)."""
        if not isinstance(node, yaml.MappingNode):
            return
        for key, key_node, _ in _pairs(node):
            if key in known or key.startswith("x-"):
                continue
            where = f"{path}.{key}" if path else key
            hint = suggest(key, known) or (
                f"; the keys here are {', '.join(known)}" if len(known) <= 12 else f"; see {what} for the keys"
            )
            self.add(_line(key_node), f"{self.source}: line {_line(key_node)}: {where}: unknown key{hint}")

    def child(self, node, key):
        if isinstance(node, yaml.MappingNode):
            for name, _, value in _pairs(node):
                if name == key:
                    return value
        return None


def load_yaml(text, source):
    """Parse one compose or ecs-params document strictly; ``source`` names it in errors.

    Raises ``ComposeError`` for YAML errors (line and column), duplicate keys (all of them, with both
    lines) and a top level that is not a mapping.
    """
    document = _Document(text, source)
    _raise(document.problems)
    return document.data


def _raise(problems):
    if problems:
        raise ComposeError("\n".join(problems), problems)


# ---------------------------------------------------------------------------------------------
# The project: compose file + ecs-params.yml
# ---------------------------------------------------------------------------------------------


def _check_compose(document):
    root = document.node
    document.unknown_keys(root, "", COMPOSE_TOP_KEYS)
    services = document.child(root, "services")
    names = []
    if isinstance(services, yaml.MappingNode):
        for name, _, config in _pairs(services):
            if name not in names:  # a duplicate service is reported by the YAML check
                names.append(name)
            document.unknown_keys(config, f"services.{name}", COMPOSE_SERVICE_KEYS, _SERVICE_REFERENCE)
    return names


def _check_params(document, service_names, compose_source):
    root = document.node
    document.unknown_keys(root, "", PARAMS_TOP_KEYS)
    task = document.child(root, "task_definition")
    document.unknown_keys(task, "task_definition", PARAMS_TASK_KEYS)
    document.unknown_keys(document.child(task, "task_size"), "task_definition.task_size", PARAMS_TASK_SIZE_KEYS)
    services = document.child(task, "services")
    if not isinstance(services, yaml.MappingNode):
        return
    for name, key_node, config in _pairs(services):
        where = f"task_definition.services.{name}"
        if service_names is not None and name not in service_names:
            document.add(
                _line(key_node),
                f"{document.source}: line {_line(key_node)}: {where}: not a service of {compose_source} "
                f"(it defines {', '.join(service_names)}){suggest(name, service_names)}",
            )
        document.unknown_keys(config, where, PARAMS_SERVICE_KEYS)


def project_problems(compose_text, compose_source, params_text=None, params_source=None):
    """Parse both files and check their keys; ``(compose, ecs_params, problems)``.

    A document that cannot be parsed comes back as None; ``problems`` lists everything found, each
    starting with the source of the file it is in.
    """
    compose = _Document(compose_text, compose_source)
    names = _check_compose(compose) if compose.node is not None else None
    params = None
    if params_text is not None:
        params = _Document(params_text, params_source)
        if params.node is not None:
            _check_params(params, names, compose_source)
    problems = compose.problems + (params.problems if params is not None else [])
    return compose.data, params.data if params is not None else None, problems


def load_project(compose_text, compose_source, params_text=None, params_source=None):
    """``(compose, ecs_params)`` parsed strictly; raises ``ComposeError`` listing every problem."""
    compose, params, problems = project_problems(compose_text, compose_source, params_text, params_source)
    _raise(problems)
    return compose, params
