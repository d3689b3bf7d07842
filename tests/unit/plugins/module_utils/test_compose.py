"""plugins/module_utils/compose.py: compose + ecs-params → ECS task definition, canonical form, diff."""

from __future__ import annotations

import copy

import pytest
from ansible_collections.teamf.platform.plugins.module_utils.compose import (
    ComposeError,
    canonical_task_definition,
    compose_to_task_definition,
    duration_to_seconds,
    interpolate,
    load_yaml,
    replace_image_tag,
    size_to_mib,
    task_definition_diff,
)

FAMILY = "shop"


def translate(service_configs, *, version="3.8", volumes=None, params=None, env_files=None, extra=None, **kwargs):
    compose = {"services": service_configs}
    if version is not None:
        compose["version"] = version
    if volumes is not None:
        compose["volumes"] = volumes
    compose.update(extra or {})

    def read_env_file(path):
        if env_files is None or path not in env_files:
            raise FileNotFoundError(2, "No such file or directory")
        return env_files[path]

    return compose_to_task_definition(compose, FAMILY, ecs_params=params, read_env_file=read_env_file, **kwargs)


def web(**config):
    """The container translated from one service 'web' (image nginx) with ``config`` added."""
    task, _ = translate({"web": {"image": "nginx", **config}})
    return task["containerDefinitions"][0]


def params(services=None, **task_definition):
    if services is not None:
        task_definition["services"] = services
    return {"version": 1, "task_definition": task_definition}


# ---------------------------------------------------------------------------------------------
# Every compose key
# ---------------------------------------------------------------------------------------------

KEY_CASES = [
    (
        "cap_add",
        {"cap_add": ["NET_ADMIN", "SYS_PTRACE"]},
        {"linuxParameters": {"capabilities": {"add": ["NET_ADMIN", "SYS_PTRACE"]}}},
    ),
    ("cap_drop", {"cap_drop": ["ALL"]}, {"linuxParameters": {"capabilities": {"drop": ["ALL"]}}}),
    ("command-list", {"command": ["npm", "start"]}, {"command": ["npm", "start"]}),
    ("command-string-shell-split", {"command": "sh -c 'echo hi there'"}, {"command": ["sh", "-c", "echo hi there"]}),
    ("command-numbers", {"command": ["sleep", 10]}, {"command": ["sleep", "10"]}),
    ("cpu_shares", {"cpu_shares": 256}, {"cpu": 256}),
    ("devices-host", {"devices": ["/dev/fuse"]}, {"linuxParameters": {"devices": [{"hostPath": "/dev/fuse"}]}}),
    (
        "devices-host-container",
        {"devices": ["/dev/sda:/dev/xvda"]},
        {"linuxParameters": {"devices": [{"hostPath": "/dev/sda", "containerPath": "/dev/xvda"}]}},
    ),
    (
        "devices-permissions",
        {"devices": ["/dev/sda:/dev/xvda:rwm"]},
        {
            "linuxParameters": {
                "devices": [
                    {"hostPath": "/dev/sda", "containerPath": "/dev/xvda", "permissions": ["read", "write", "mknod"]}
                ]
            }
        },
    ),
    (
        "devices-host-permissions",
        {"devices": ["/dev/snd:r"]},
        {"linuxParameters": {"devices": [{"hostPath": "/dev/snd", "permissions": ["read"]}]}},
    ),
    ("dns-string", {"dns": "8.8.8.8"}, {"dnsServers": ["8.8.8.8"]}),
    ("dns-list", {"dns": ["8.8.8.8", "1.1.1.1"]}, {"dnsServers": ["8.8.8.8", "1.1.1.1"]}),
    ("dns_search", {"dns_search": ["svc.local"]}, {"dnsSearchDomains": ["svc.local"]}),
    ("dns_search-string", {"dns_search": "svc.local"}, {"dnsSearchDomains": ["svc.local"]}),
    ("entrypoint-list", {"entrypoint": ["/init", "--"]}, {"entryPoint": ["/init", "--"]}),
    ("entrypoint-string", {"entrypoint": "/init --verbose"}, {"entryPoint": ["/init", "--verbose"]}),
    (
        "environment-dict",
        {"environment": {"B": "2", "A": 1, "C": True, "D": False, "E": 1.5}},
        {
            "environment": [
                {"name": "A", "value": "1"},
                {"name": "B", "value": "2"},
                {"name": "C", "value": "true"},
                {"name": "D", "value": "false"},
                {"name": "E", "value": "1.5"},
            ]
        },
    ),
    (
        "environment-list",
        {"environment": ["B=2", "A=x=y", "EMPTY="]},
        {
            "environment": [
                {"name": "A", "value": "x=y"},
                {"name": "B", "value": "2"},
                {"name": "EMPTY", "value": ""},
            ]
        },
    ),
    (
        "extra_hosts-list",
        {"extra_hosts": ["db:10.0.0.5", "v6:::1", "eq=10.0.0.6"]},
        {
            "extraHosts": [
                {"hostname": "db", "ipAddress": "10.0.0.5"},
                {"hostname": "v6", "ipAddress": "::1"},
                {"hostname": "eq", "ipAddress": "10.0.0.6"},
            ]
        },
    ),
    (
        "extra_hosts-dict",
        {"extra_hosts": {"db": "10.0.0.5"}},
        {"extraHosts": [{"hostname": "db", "ipAddress": "10.0.0.5"}]},
    ),
    ("hostname", {"hostname": "web-1"}, {"hostname": "web-1"}),
    ("image", {}, {"image": "nginx"}),
    ("labels-dict", {"labels": {"team": "f", "tier": 1}}, {"dockerLabels": {"team": "f", "tier": "1"}}),
    ("labels-list", {"labels": ["team=f", "flag"]}, {"dockerLabels": {"team": "f", "flag": ""}}),
    ("links", {"links": ["web"]}, {"links": ["web"]}),
    (
        "logging",
        {"logging": {"driver": "awslogs", "options": {"awslogs-group": "/x", "awslogs-create-group": True}}},
        {
            "logConfiguration": {
                "logDriver": "awslogs",
                "options": {"awslogs-group": "/x", "awslogs-create-group": "true"},
            }
        },
    ),
    ("logging-no-options", {"logging": {"driver": "json-file"}}, {"logConfiguration": {"logDriver": "json-file"}}),
    ("mem_limit-string", {"mem_limit": "1g"}, {"memory": 1024}),
    ("mem_limit-bytes", {"mem_limit": 268435456}, {"memory": 256}),
    ("mem_reservation", {"mem_reservation": "128m"}, {"memoryReservation": 128}),
    ("mem-both", {"mem_limit": "1g", "mem_reservation": "512m"}, {"memory": 1024, "memoryReservation": 512}),
    ("privileged", {"privileged": True}, {"privileged": True}),
    ("read_only", {"read_only": True}, {"readonlyRootFilesystem": True}),
    ("security_opt", {"security_opt": ["no-new-privileges"]}, {"dockerSecurityOptions": ["no-new-privileges"]}),
    ("shm_size", {"shm_size": "256m"}, {"linuxParameters": {"sharedMemorySize": 256}}),
    ("stop_grace_period", {"stop_grace_period": "1m30s"}, {"stopTimeout": 90}),
    ("stop_grace_period-seconds", {"stop_grace_period": 20}, {"stopTimeout": 20}),
    (
        "tmpfs-string",
        {"tmpfs": "/run:size=64m,mode=1777"},
        {"linuxParameters": {"tmpfs": [{"containerPath": "/run", "size": 64, "mountOptions": ["mode=1777"]}]}},
    ),
    (
        "tmpfs-list",
        {"tmpfs": ["/run:size=1g", "/tmp:rw,size=32m,noexec"]},
        {
            "linuxParameters": {
                "tmpfs": [
                    {"containerPath": "/run", "size": 1024},
                    {"containerPath": "/tmp", "size": 32, "mountOptions": ["rw", "noexec"]},
                ]
            }
        },
    ),
    ("tty", {"tty": True}, {"pseudoTerminal": True}),
    (
        "ulimits",
        {"ulimits": {"nproc": 65535, "nofile": {"soft": 20000, "hard": 40000}}},
        {
            "ulimits": [
                {"name": "nproc", "softLimit": 65535, "hardLimit": 65535},
                {"name": "nofile", "softLimit": 20000, "hardLimit": 40000},
            ]
        },
    ),
    (
        "ulimits-quoted-number",
        {"ulimits": {"nproc": "100"}},
        {"ulimits": [{"name": "nproc", "softLimit": 100, "hardLimit": 100}]},
    ),
    ("user", {"user": "1000:1000"}, {"user": "1000:1000"}),
    ("user-number", {"user": 1000}, {"user": "1000"}),
    ("working_dir", {"working_dir": "/srv"}, {"workingDirectory": "/srv"}),
    (
        "volumes_from",
        {"volumes_from": ["data", "data:ro", "container:data", "container:data:rw"]},
        {
            "volumesFrom": [
                {"sourceContainer": "data", "readOnly": False},
                {"sourceContainer": "data", "readOnly": True},
                {"sourceContainer": "data", "readOnly": False},
                {"sourceContainer": "data", "readOnly": False},
            ]
        },
    ),
    (
        "healthcheck-string",
        {
            "healthcheck": {
                "test": "curl -f localhost",
                "interval": "1m30s",
                "timeout": "10s",
                "retries": 5,
                "start_period": "40s",
            }
        },
        {
            "healthCheck": {
                "command": ["CMD-SHELL", "curl -f localhost"],
                "interval": 90,
                "timeout": 10,
                "retries": 5,
                "startPeriod": 40,
            }
        },
    ),
    (
        "healthcheck-cmd-list",
        {"healthcheck": {"test": ["CMD", "curl", "-f", "localhost"]}},
        {"healthCheck": {"command": ["CMD", "curl", "-f", "localhost"]}},
    ),
    (
        "healthcheck-cmd-shell-list",
        {"healthcheck": {"test": ["CMD-SHELL", "pg_isready"], "interval": 10}},
        {"healthCheck": {"command": ["CMD-SHELL", "pg_isready"], "interval": 10}},
    ),
    (
        "deploy-v3-resources",
        {"deploy": {"resources": {"limits": {"cpus": "0.5", "memory": "1g"}, "reservations": {"memory": "256M"}}}},
        {"cpu": 512, "memory": 1024, "memoryReservation": 256},
    ),
    (
        "deploy-reservation-cpus-win",
        {"deploy": {"resources": {"limits": {"cpus": 2}, "reservations": {"cpus": 0.25}}}},
        {"cpu": 256, "memory": 512},
    ),
]


@pytest.mark.parametrize(("config", "expected"), [case[1:] for case in KEY_CASES], ids=[case[0] for case in KEY_CASES])
def test_compose_key_maps_to_container_field(config, expected):
    if "links" in config or "volumes_from" in config:
        task, _ = translate({"web": {"image": "nginx", **config}, "data": {"image": "busybox"}})
        container = task["containerDefinitions"][0]
    else:
        container = web(**config)
    for field, value in expected.items():
        assert container[field] == value, field


def test_minimal_service_gets_ecs_cli_defaults():
    task, warnings = translate({"web": {"image": "nginx"}})
    assert task == {
        "family": FAMILY,
        "containerDefinitions": [{"name": "web", "image": "nginx", "essential": True, "memory": 512}],
    }
    assert warnings == []


@pytest.mark.parametrize("version", ["2", "2.4", "3", "3.8", None, 3.7])
def test_v2_and_v3_syntax_translate_alike(version):
    services = {
        "web": {
            "image": "nginx",
            "mem_limit": "256m",
            "ports": ["8080:80"],
            "environment": ["A=1"],
            "volumes": ["data:/data"],
        }
    }
    task, _ = translate(services, version=version, volumes={"data": None})
    container = task["containerDefinitions"][0]
    assert container["memory"] == 256
    assert container["portMappings"] == [{"containerPort": 80, "protocol": "tcp", "hostPort": 8080}]
    assert task["volumes"] == [{"name": "data"}]


def test_service_order_is_kept_and_each_container_named_after_its_service():
    task, _ = translate({"b": {"image": "x"}, "a": {"image": "y"}})
    assert [c["name"] for c in task["containerDefinitions"]] == ["b", "a"]


# ---------------------------------------------------------------------------------------------
# Sizes and durations
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "mib"),
    [
        ("512m", 512),
        ("512M", 512),
        ("512mb", 512),
        ("512MiB", 512),
        ("1g", 1024),
        ("1G", 1024),
        ("1.5g", 1536),
        ("2gb", 4096 // 2),
        ("1024k", 1),
        ("1536k", 1),
        ("1t", 1024 * 1024),
        ("1048576", 1),
        (1073741824, 1024),
        (0, 0),
        ("0", 0),
    ],
)
def test_size_to_mib(value, mib):
    assert size_to_mib(value) == mib


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("lots", "must be a size"),
        ("512x", "must be a size"),
        (True, "must be a size"),
        (-1, "must not be negative"),
        ("100", "less than 1 MiB"),
        (512, "less than 1 MiB"),
        ("1000k", "less than 1 MiB"),
    ],
)
def test_size_to_mib_rejects(value, message):
    with pytest.raises(ValueError, match=message):
        size_to_mib(value)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("30s", 30),
        ("1m30s", 90),
        ("1h", 3600),
        ("1h2m3s", 3723),
        ("2m", 120),
        ("1.5s", 1),
        ("1500ms", 1),
        ("500ms", 0),
        ("90000000000ns", 90),
        ("45", 45),
        (45, 45),
        ("0", 0),
    ],
)
def test_duration_to_seconds(value, seconds):
    assert duration_to_seconds(value) == seconds


@pytest.mark.parametrize("value", ["soon", "10x", "1m 30s", "s", "", True, -1, "1m30"])
def test_duration_to_seconds_rejects(value):
    with pytest.raises(ValueError):
        duration_to_seconds(value)


# ---------------------------------------------------------------------------------------------
# Ports
# ---------------------------------------------------------------------------------------------


def tcp(container, host=None, protocol="tcp"):
    mapping = {"containerPort": container, "protocol": protocol}
    if host is not None:
        mapping["hostPort"] = host
    return mapping


PORT_CASES = [
    ("container-only", ["80"], [tcp(80)]),
    ("container-int", [80], [tcp(80)]),
    ("host-container", ["8080:80"], [tcp(80, 8080)]),
    ("ip-host-container", ["127.0.0.1:8080:80"], [tcp(80, 8080)]),
    ("ip-random-host", ["127.0.0.1::80"], [tcp(80)]),
    ("ipv6-host-container", ["[::1]:8080:80"], [tcp(80, 8080)]),
    ("udp", ["53/udp"], [tcp(53, protocol="udp")]),
    ("host-udp", ["5353:53/udp"], [tcp(53, 5353, "udp")]),
    ("explicit-tcp", ["8080:80/tcp"], [tcp(80, 8080)]),
    ("uppercase-protocol", ["53/UDP"], [tcp(53, protocol="udp")]),
    ("range", ["8000-8002:8000-8002"], [tcp(8000, 8000), tcp(8001, 8001), tcp(8002, 8002)]),
    ("range-shifted-udp", ["9000-9001:8000-8001/udp"], [tcp(8000, 9000, "udp"), tcp(8001, 9001, "udp")]),
    ("container-range", ["7000-7001"], [tcp(7000), tcp(7001)]),
    ("long", [{"target": 80, "published": 8080, "protocol": "udp", "mode": "host"}], [tcp(80, 8080, "udp")]),
    ("long-target-only", [{"target": 80}], [tcp(80)]),
    ("long-published-string", [{"target": 80, "published": "8080"}], [tcp(80, 8080)]),
    ("long-published-range", [{"target": "80", "published": "8080-8080"}], [tcp(80, 8080)]),
    ("long-host-ip", [{"target": 80, "published": 8080, "host_ip": "127.0.0.1"}], [tcp(80, 8080)]),
    ("several", ["80", "443:443"], [tcp(80), tcp(443, 443)]),
]


@pytest.mark.parametrize(("ports", "mappings"), [c[1:] for c in PORT_CASES], ids=[c[0] for c in PORT_CASES])
def test_ports(ports, mappings):
    assert web(ports=ports)["portMappings"] == mappings


def test_host_ip_is_dropped_with_ecs_cli_warning():
    _, warnings = translate({"web": {"image": "nginx", "ports": ["127.0.0.1:8080:80"]}})
    assert warnings == [
        "service 'web': ports[0] '127.0.0.1:8080:80': Ignoring the ip address while transforming it to task definition"
    ]


def test_unquoted_port_mapping_is_not_read_as_base_60():
    document = load_yaml("services:\n  web:\n    image: nginx\n    ports:\n      - 80:80\n      - 8080\n", "compose")
    assert document["services"]["web"]["ports"] == ["80:80", 8080]


@pytest.mark.parametrize("mode", ["awsvpc", "host"])
def test_awsvpc_and_host_modes_accept_equal_host_port(mode):
    task, _ = translate({"web": {"image": "nginx", "ports": ["80:80", "443"]}}, params=params(ecs_network_mode=mode))
    assert task["containerDefinitions"][0]["portMappings"] == [tcp(80, 80), tcp(443)]
    assert task["networkMode"] == mode


# ---------------------------------------------------------------------------------------------
# Volumes
# ---------------------------------------------------------------------------------------------


def test_volumes_named_host_anonymous_and_read_only():
    task, warnings = translate(
        {
            "web": {
                "image": "nginx",
                "volumes": [
                    "data:/var/lib/data",
                    "/var/log/app:/logs:ro",
                    "/scratch",
                    "/var/log/app:/more-logs",
                    "data:/cache:ro,cached",
                    {"type": "volume", "source": "data", "target": "/long", "read_only": True},
                    {"type": "bind", "source": "/etc/ssl", "target": "/ssl"},
                    {"type": "volume", "target": "/anon-long"},
                    {"type": "tmpfs", "target": "/tmpfs", "tmpfs": {"size": "16m"}},
                ],
            },
            "sidecar": {"image": "busybox", "volumes": ["/var/log/app:/logs"]},
        },
        volumes={"data": None, "unused": {}},
    )
    web_container, sidecar = task["containerDefinitions"]
    assert web_container["mountPoints"] == [
        {"sourceVolume": "data", "containerPath": "/var/lib/data", "readOnly": False},
        {"sourceVolume": "volume-2", "containerPath": "/logs", "readOnly": True},
        {"sourceVolume": "volume-3", "containerPath": "/scratch", "readOnly": False},
        {"sourceVolume": "volume-2", "containerPath": "/more-logs", "readOnly": False},
        {"sourceVolume": "data", "containerPath": "/cache", "readOnly": True},
        {"sourceVolume": "data", "containerPath": "/long", "readOnly": True},
        {"sourceVolume": "volume-4", "containerPath": "/ssl", "readOnly": False},
        {"sourceVolume": "volume-5", "containerPath": "/anon-long", "readOnly": False},
    ]
    assert web_container["linuxParameters"]["tmpfs"] == [{"containerPath": "/tmpfs", "size": 16}]
    assert sidecar["mountPoints"] == [{"sourceVolume": "volume-2", "containerPath": "/logs", "readOnly": False}]
    assert task["volumes"] == [
        {"name": "volume-2", "host": {"sourcePath": "/var/log/app"}},
        {"name": "volume-4", "host": {"sourcePath": "/etc/ssl"}},
        {"name": "data"},
        {"name": "unused"},
        {"name": "volume-3"},
        {"name": "volume-5"},
    ]
    assert warnings == [
        "service 'web': volumes[4] 'data:/cache:ro,cached': ignoring volume option 'cached' (not used by ECS)"
    ]


def test_generated_volume_names_skip_declared_ones():
    # ecs-cli numbered after the declared volumes and could collide with one named like that
    task, _ = translate({"web": {"image": "nginx", "volumes": ["/a:/a", "/b:/b"]}}, volumes={"volume-1": None})
    assert task["volumes"] == [
        {"name": "volume-2", "host": {"sourcePath": "/a"}},
        {"name": "volume-3", "host": {"sourcePath": "/b"}},
        {"name": "volume-1"},
    ]


# ---------------------------------------------------------------------------------------------
# Environment: env_file precedence, unresolved names, interpolation
# ---------------------------------------------------------------------------------------------


def env_of(container):
    return {item["name"]: item["value"] for item in container.get("environment", [])}


ENV_CASES = [
    ("env_file-only", {"env_file": "a.env"}, {"A": "from-a", "SHARED": "a", "QUOTED": "two words", "SINGLE": "x"}),
    (
        "later-env_file-wins",
        {"env_file": ["a.env", "b.env"]},
        {"A": "from-a", "SHARED": "b", "QUOTED": "two words", "SINGLE": "x", "B": "from-b", "EXPORTED": "yes"},
    ),
    (
        "environment-beats-env_file",
        {"env_file": ["a.env", "b.env"], "environment": {"SHARED": "env", "A": ""}},
        {"A": "", "SHARED": "env", "QUOTED": "two words", "SINGLE": "x", "B": "from-b", "EXPORTED": "yes"},
    ),
    (
        "environment-list-beats-env_file",
        {"env_file": "b.env", "environment": ["SHARED=env"]},
        {"SHARED": "env", "B": "from-b", "EXPORTED": "yes"},
    ),
    (
        "optional-missing-file",
        {"env_file": [{"path": "missing.env", "required": False}, "b.env"]},
        {"SHARED": "b", "B": "from-b", "EXPORTED": "yes"},
    ),
    ("long-syntax-file", {"env_file": [{"path": "b.env"}]}, {"SHARED": "b", "B": "from-b", "EXPORTED": "yes"}),
]
ENV_FILES = {
    "a.env": "# comment\n\nA=from-a\nSHARED=a\nQUOTED=\"two words\"\nSINGLE='x'\nNOT_SET\n",
    "b.env": "SHARED=b\nB=from-b # trailing comment\nexport EXPORTED=yes\n",
}


@pytest.mark.parametrize(("config", "expected"), [c[1:] for c in ENV_CASES], ids=[c[0] for c in ENV_CASES])
def test_env_file_precedence(config, expected):
    task, _ = translate({"web": {"image": "nginx", **config}}, env_files=ENV_FILES)
    assert env_of(task["containerDefinitions"][0]) == expected
    names = [item["name"] for item in task["containerDefinitions"][0]["environment"]]
    assert names == sorted(names)


def test_env_file_bare_name_takes_variable():
    task, _ = translate(
        {"web": {"image": "nginx", "env_file": "a.env"}}, env_files=ENV_FILES, variables={"NOT_SET": "v"}
    )
    assert env_of(task["containerDefinitions"][0])["NOT_SET"] == "v"


def test_environment_without_value_resolves_from_variables_or_blank_with_warning():
    task, warnings = translate(
        {"web": {"image": "nginx", "environment": ["KNOWN", "UNKNOWN"]}}, variables={"KNOWN": "k"}
    )
    assert env_of(task["containerDefinitions"][0]) == {"KNOWN": "k", "UNKNOWN": ""}
    assert warnings == [
        "service 'web': environment UNKNOWN: Environment variable is unresolved. Setting it to a blank value..."
    ]
    task, _ = translate({"web": {"image": "nginx", "environment": {"KNOWN": None}}}, variables={"KNOWN": 5})
    assert env_of(task["containerDefinitions"][0]) == {"KNOWN": "5"}


INTERPOLATION_CASES = [
    ("braced", "${TAG}", {"TAG": "1.0"}, "1.0"),
    ("bare", "img:$TAG-x", {"TAG": "1.0"}, "img:1.0-x"),
    ("default-unset", "${TAG:-latest}", {}, "latest"),
    ("default-empty", "${TAG:-latest}", {"TAG": ""}, "latest"),
    ("dash-default-empty-kept", "${TAG-latest}", {"TAG": ""}, ""),
    ("dash-default-unset", "${TAG-latest}", {}, "latest"),
    ("plus-set", "${TAG:+set}", {"TAG": "x"}, "set"),
    ("plus-empty", "${TAG:+set}", {"TAG": ""}, ""),
    ("plain-plus-empty", "${TAG+set}", {"TAG": ""}, "set"),
    ("plain-plus-unset", "${TAG+set}", {}, ""),
    ("required-set", "${TAG:?need a tag}", {"TAG": "x"}, "x"),
    ("escaped", "$$HOME and $${X}", {}, "$HOME and ${X}"),
    ("number", "${N}", {"N": 3}, "3"),
]


@pytest.mark.parametrize(
    ("text", "variables", "expected"), [c[1:] for c in INTERPOLATION_CASES], ids=[c[0] for c in INTERPOLATION_CASES]
)
def test_interpolation(text, variables, expected):
    warnings = []
    assert interpolate({"a": [text]}, variables, warnings, "compose file") == {"a": [expected]}
    assert warnings == []


def test_interpolation_of_unset_variable_warns_once_and_blanks():
    warnings = []
    result = interpolate({"a": "${X}", "b": ["$X"], "c": 1}, {}, warnings, "compose file")
    assert result == {"a": "", "b": [""], "c": 1}
    assert warnings == ["The X variable is not set. Defaulting to a blank string."]


def test_interpolation_reaches_images_and_ecs_params():
    task, _ = translate(
        {"web": {"image": "repo/web:${TAG:-dev}"}},
        params=params(task_role_arn="arn:aws:iam::1:role/${ROLE}"),
        variables={"TAG": "1.2", "ROLE": "web"},
    )
    assert task["containerDefinitions"][0]["image"] == "repo/web:1.2"
    assert task["taskRoleArn"] == "arn:aws:iam::1:role/web"


# ---------------------------------------------------------------------------------------------
# Image tag override and service filter
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        ("nginx", "nginx:v2"),
        ("nginx:1.25", "nginx:v2"),
        ("library/nginx:1.25", "library/nginx:v2"),
        ("registry.local:5000/app", "registry.local:5000/app:v2"),
        ("registry.local:5000/app:1", "registry.local:5000/app:v2"),
        ("repo/app@sha256:abcd", "repo/app:v2"),
        ("repo/app:1@sha256:abcd", "repo/app:v2"),
    ],
)
def test_replace_image_tag(image, expected):
    assert replace_image_tag(image, "v2") == expected


def test_image_tag_applies_to_listed_services_only():
    services = {"web": {"image": "web:1"}, "worker": {"image": "worker:1"}, "db": {"image": "postgres:16"}}
    task, _ = translate(services, image_tag="2", image_tag_services=["web", "worker"])
    assert [c["image"] for c in task["containerDefinitions"]] == ["web:2", "worker:2", "postgres:16"]
    task, _ = translate(services, image_tag="2")
    assert [c["image"] for c in task["containerDefinitions"]] == ["web:2", "worker:2", "postgres:2"]


DIGEST = "sha256:" + "ab" * 32


def test_images_replace_whole_references_of_the_named_services():
    services = {"web": {"image": "web:1"}, "db": {"image": "postgres:16"}}
    pinned = f"123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/teamf/web@{DIGEST}"
    task, _ = translate(services, image_tag="2", image_tag_services=["web"], images={"web": pinned})
    assert [c["image"] for c in task["containerDefinitions"]] == [pinned, "postgres:16"]


@pytest.mark.parametrize(
    "image",
    ["repo/app:1", f"repo/app@{DIGEST}", f"registry.local:5000/a/b:1@{DIGEST}", "nginx"],
)
def test_images_accept_references(image):
    task, _ = translate({"web": {"image": "x"}}, images={"web": image})
    assert task["containerDefinitions"][0]["image"] == image


def test_services_filter_keeps_order_of_the_file():
    task, _ = translate({"a": {"image": "a"}, "b": {"image": "b"}, "c": {"image": "c"}}, services=["c", "a"])
    assert [c["name"] for c in task["containerDefinitions"]] == ["a", "c"]


# ---------------------------------------------------------------------------------------------
# ecs-params.yml
# ---------------------------------------------------------------------------------------------


def test_ecs_params_task_level_fields():
    task, _ = translate(
        {"web": {"image": "nginx"}},
        params=params(
            ecs_network_mode="awsvpc",
            task_role_arn="arn:aws:iam::123456789012:role/task",
            task_execution_role="arn:aws:iam::123456789012:role/exec",
            task_size={"cpu_limit": 512, "mem_limit": "1GB"},
            pid_mode="task",
            ipc_mode="none",
            placement_constraints=[
                {"type": "memberOf", "expression": "attribute:ecs.os-type == linux"},
                {"type": "memberOf"},
            ],
        ),
    )
    assert task == {
        "family": FAMILY,
        "containerDefinitions": [{"name": "web", "image": "nginx", "essential": True}],
        "networkMode": "awsvpc",
        "taskRoleArn": "arn:aws:iam::123456789012:role/task",
        "executionRoleArn": "arn:aws:iam::123456789012:role/exec",
        "pidMode": "task",
        "ipcMode": "none",
        "cpu": "512",
        "memory": "1024",
        "placementConstraints": [
            {"type": "memberOf", "expression": "attribute:ecs.os-type == linux"},
            {"type": "memberOf"},
        ],
    }


@pytest.mark.parametrize(
    ("size", "cpu", "memory"),
    [
        ({"cpu_limit": "256", "mem_limit": "512"}, "256", "512"),
        ({"cpu_limit": "0.25 vCPU", "mem_limit": "0.5GB"}, "256", "512"),
        ({"cpu_limit": "1vcpu", "mem_limit": "2 GB"}, "1024", "2048"),
        ({"cpu_limit": 2048, "mem_limit": 4096}, "2048", "4096"),
        ({"cpu_limit": "1024", "mem_limit": "3072MB"}, "1024", "3072"),
        ({"cpu_limit": "4 vcpu", "mem_limit": "8g"}, "4096", "8192"),
    ],
)
def test_task_size_is_reported_the_way_ecs_reports_it(size, cpu, memory):
    task, _ = translate({"web": {"image": "nginx"}}, params=params(task_size=size))
    assert (task["cpu"], task["memory"]) == (cpu, memory)
    assert "memory" not in task["containerDefinitions"][0]  # the task size covers it


SERVICE_PARAM_CASES = [
    ("essential-false", {"essential": False}, {"essential": False}),
    ("cpu-override", {"cpu_shares": 512}, {"cpu": 512}),
    ("mem-override", {"mem_limit": "1g", "mem_reservation": "256m"}, {"memory": 1024, "memoryReservation": 256}),
    ("mem-reservation-only", {"mem_reservation": 268435456}, {"memoryReservation": 256, "memory": 300}),
    ("gpu", {"gpu": 1}, {"resourceRequirements": [{"type": "GPU", "value": "1"}]}),
    ("init", {"init_process_enabled": True}, {"linuxParameters": {"initProcessEnabled": True}}),
    (
        "repository-credentials",
        {"repository_credentials": {"credentials_parameter": "arn:aws:secretsmanager:x"}},
        {"repositoryCredentials": {"credentialsParameter": "arn:aws:secretsmanager:x"}},
    ),
    (
        "secrets-sorted",
        {"secrets": [{"name": "Z", "value_from": "arn:z"}, {"name": "A", "value_from": "arn:a"}]},
        {"secrets": [{"name": "A", "valueFrom": "arn:a"}, {"name": "Z", "valueFrom": "arn:z"}]},
    ),
    (
        "log-secret-options",
        {"logging": {"secret_options": [{"name": "splunk-token", "value_from": "arn:s"}]}},
        {
            "logConfiguration": {
                "logDriver": "awslogs",
                "secretOptions": [{"name": "splunk-token", "valueFrom": "arn:s"}],
            }
        },
    ),
    (
        "firelens",
        {"firelens_configuration": {"type": "fluentbit", "options": {"enable-ecs-log-metadata": True}}},
        {"firelensConfiguration": {"type": "fluentbit", "options": {"enable-ecs-log-metadata": "true"}}},
    ),
    (
        "healthcheck-override",
        {"healthcheck": {"interval": "10s", "retries": 4}},
        {"healthCheck": {"command": ["CMD-SHELL", "true"], "interval": 10, "retries": 4, "timeout": 3}},
    ),
    (
        "healthcheck-command-from-params",
        {"healthcheck": {"command": ["CMD", "check"]}},
        {"healthCheck": {"command": ["CMD", "check"], "timeout": 3}},
    ),
]


@pytest.mark.parametrize(
    ("service_params", "expected"), [c[1:] for c in SERVICE_PARAM_CASES], ids=[c[0] for c in SERVICE_PARAM_CASES]
)
def test_ecs_params_service_fields(service_params, expected):
    services = {
        "web": {
            "image": "nginx",
            "cpu_shares": 128,
            "mem_limit": "300m",
            "logging": {"driver": "awslogs"},
            "healthcheck": {"test": "true", "timeout": "3s"},
        },
        "db": {"image": "postgres"},
    }
    task, _ = translate(services, params=params({"web": service_params}))
    container = task["containerDefinitions"][0]
    for field, value in expected.items():
        assert container[field] == value, field


@pytest.mark.parametrize("condition", ["START", "COMPLETE", "SUCCESS", "HEALTHY", "healthy"])
def test_depends_on_conditions(condition):
    task, _ = translate(
        {"web": {"image": "nginx"}, "migrate": {"image": "app", "healthcheck": {"test": "true"}}},
        params=params(
            {
                "web": {"depends_on": [{"container_name": "migrate", "condition": condition}]},
                "migrate": {"essential": condition.upper() not in ("COMPLETE", "SUCCESS")},
            }
        ),
    )
    assert task["containerDefinitions"][0]["dependsOn"] == [
        {"containerName": "migrate", "condition": condition.upper()}
    ]


def test_depends_on_defaults_to_start():
    task, _ = translate(
        {"web": {"image": "nginx"}, "db": {"image": "postgres"}},
        params=params({"web": {"depends_on": [{"container_name": "db"}]}}),
    )
    assert task["containerDefinitions"][0]["dependsOn"] == [{"containerName": "db", "condition": "START"}]


def test_docker_and_efs_volumes_from_ecs_params():
    task, _ = translate(
        {"web": {"image": "nginx", "volumes": ["data:/data", "shared:/shared"]}},
        volumes={"data": None, "shared": None},
        params=params(
            docker_volumes=[
                {
                    "name": "data",
                    "scope": "shared",
                    "autoprovision": True,
                    "driver": "local",
                    "driver_opts": {"type": "nfs"},
                    "labels": {"team": "f"},
                },
                {"name": "extra", "scope": "task"},
            ],
            efs_volumes=[
                {
                    "name": "shared",
                    "filesystem_id": "fs-1",
                    "root_directory": "/web",
                    "transit_encryption": "ENABLED",
                    "transit_encryption_port": 2049,
                    "access_point": "fsap-1",
                    "iam": "ENABLED",
                },
            ],
        ),
    )
    assert task["volumes"] == [
        {
            "name": "data",
            "dockerVolumeConfiguration": {
                "scope": "shared",
                "autoprovision": True,
                "driver": "local",
                "driverOpts": {"type": "nfs"},
                "labels": {"team": "f"},
            },
        },
        {
            "name": "shared",
            "efsVolumeConfiguration": {
                "fileSystemId": "fs-1",
                "rootDirectory": "/web",
                "transitEncryption": "ENABLED",
                "transitEncryptionPort": 2049,
                "authorizationConfig": {"iam": "ENABLED", "accessPointId": "fsap-1"},
            },
        },
        {"name": "extra", "dockerVolumeConfiguration": {"scope": "task"}},
    ]


# ---------------------------------------------------------------------------------------------
# Warnings
# ---------------------------------------------------------------------------------------------

WARNING_CASES = [
    (
        "build",
        {"web": {"image": "nginx", "build": "."}},
        None,
        "Skipping unsupported YAML option for service... option name=build service name=web "
        "(ECS cannot build images; push the image to a registry and set image)",
    ),
    (
        "container_name",
        {"web": {"image": "nginx", "container_name": "w"}},
        None,
        "Skipping unsupported YAML option for service... option name=container_name service name=web "
        "(ECS names each container after its service)",
    ),
    ("restart", {"web": {"image": "nginx", "restart": "always"}}, None, "option name=restart service name=web"),
    ("expose", {"web": {"image": "nginx", "expose": ["80"]}}, None, "option name=expose service name=web"),
    (
        "depends_on",
        {"web": {"image": "nginx", "depends_on": ["db"]}, "db": {"image": "x"}},
        None,
        "option name=depends_on service name=web",
    ),
    ("init", {"web": {"image": "nginx", "init": True}}, None, "init_process_enabled in ecs-params.yml"),
    ("network_mode", {"web": {"image": "nginx", "network_mode": "host"}}, None, "option name=network_mode"),
    ("secrets", {"web": {"image": "nginx", "secrets": ["s"]}}, None, "services.<name>.secrets in ecs-params.yml"),
    ("unknown-key", {"web": {"image": "nginx", "stdin_open": True}}, None, "option name=stdin_open service name=web"),
    (
        "several-networks",
        {"web": {"image": "nginx", "networks": ["front", "back"]}},
        None,
        "option name=networks service name=web (a task has one network; containers share it)",
    ),
    (
        "deploy-replicas",
        {"web": {"image": "nginx", "deploy": {"replicas": 2}}},
        None,
        "option name=deploy.replicas service name=web (set the desired count on the ECS service)",
    ),
    (
        "deploy-resources-devices",
        {"web": {"image": "nginx", "deploy": {"resources": {"reservations": {"devices": []}, "pids": 1}}}},
        None,
        "option name=deploy.resources.reservations.devices",
    ),
    (
        "deploy-resources-other",
        {"web": {"image": "nginx", "deploy": {"resources": {"pids": 1}}}},
        None,
        "option name=deploy.resources.pids",
    ),
    (
        "logging-extra",
        {"web": {"image": "nginx", "logging": {"driver": "awslogs", "x": 1}}},
        None,
        "option name=logging.x",
    ),
    (
        "run_params",
        {"web": {"image": "nginx"}},
        {"version": 1, "run_params": {}},
        "ecs-params.yml: run_params is ignored",
    ),
    ("params-unknown-top", {"web": {"image": "nginx"}}, {"version": 1, "other": 1}, "unknown option other ignored"),
    (
        "params-unknown-task-key",
        {"web": {"image": "nginx"}},
        params(nope=1),
        "unknown option task_definition.nope ignored",
    ),
    (
        "params-unknown-service-key",
        {"web": {"image": "nginx"}},
        params({"web": {"nope": 1}}),
        "unknown option task_definition.services.web.nope ignored",
    ),
    (
        "params-unknown-service",
        {"web": {"image": "nginx"}},
        params({"ghost": {"essential": True}}),
        "task_definition.services.ghost matches no service in the task; ignored",
    ),
    (
        "params-unknown-task-size-key",
        {"web": {"image": "nginx"}},
        params(task_size={"gpu": 1}),
        "unknown option task_definition.task_size.gpu ignored",
    ),
]


@pytest.mark.parametrize(
    ("services", "ecs_params", "warning"), [c[1:] for c in WARNING_CASES], ids=[c[0] for c in WARNING_CASES]
)
def test_warnings(services, ecs_params, warning):
    _, warnings = translate(services, params=ecs_params)
    assert any(warning in message for message in warnings), warnings


def test_project_level_warnings():
    _, warnings = translate(
        {"web": {"image": "nginx", "networks": ["front"], "x-note": 1}},
        extra={"networks": {"front": {}, "back": {}}, "secrets": {}, "x-common": {}, "name": "shop"},
    )
    assert warnings == [
        "Skipping unsupported YAML option... option name=secrets",
        "Skipping unsupported YAML option... option name=networks",
    ]


def test_disabled_healthcheck_is_dropped():
    assert "healthCheck" not in web(healthcheck={"disable": True})
    assert "healthCheck" not in web(healthcheck={"test": ["NONE"]})


# ---------------------------------------------------------------------------------------------
# Every error path: the message names the service (or file) and the key, and what to do
# ---------------------------------------------------------------------------------------------


def svc(**config):
    return {"services": {"web": {"image": "nginx", **config}, "db": {"image": "postgres"}}}


ERROR_CASES = [
    # document shape
    ("not-a-mapping", ["x"], {}, "compose file: expected a mapping at the top level, got a list"),
    ("no-services-v1", {"web": {"image": "x"}}, {}, "no 'services' section (version 1 files are not supported"),
    ("no-services-versioned", {"version": "3"}, {}, "compose file: no 'services' section"),
    ("services-not-mapping", {"services": ["web"]}, {}, "'services' must be a mapping with at least one service"),
    ("services-empty", {"services": {}}, {}, "'services' must be a mapping with at least one service"),
    ("bad-version", {"version": "1", "services": {"web": {"image": "x"}}}, {}, "version '1' is not supported"),
    ("bad-service-name", {"services": {"web.app": {"image": "x"}}}, {}, "service 'web.app': the name must be 1-255"),
    ("service-not-mapping", {"services": {"web": "nginx"}}, {}, "service 'web': must be a mapping, got a string"),
    (
        "volumes-not-mapping",
        {"services": {"web": {"image": "x"}}, "volumes": ["a"]},
        {},
        "top-level volumes must be a mapping",
    ),
    (
        "volume-driver",
        {"services": {"web": {"image": "x"}}, "volumes": {"data": {"driver": "local"}}},
        {},
        "volume 'data': driver cannot be expressed in a task definition; declare the volume bare and configure it "
        "under task_definition.docker_volumes in ecs-params.yml",
    ),
    (
        "volume-external",
        {"services": {"web": {"image": "x"}}, "volumes": {"data": {"external": True}}},
        {},
        "volume 'data': external cannot",
    ),
    (
        "volume-bad-name",
        {"services": {"web": {"image": "x"}}, "volumes": {"-data": None}},
        {},
        "volume '-data': not a valid volume name",
    ),
    ("family", svc(), {"family": "my family"}, "family 'my family': must be 1-255 letters"),
    ("services-filter", svc(), {"services": ["api"]}, "services filter: api not in the compose file (it has web, db)"),
    (
        "image-tag-services",
        svc(),
        {"image_tag": "1", "image_tag_services": ["api"]},
        "image tag services: api not in the compose file",
    ),
    ("image-tag-invalid", svc(), {"image_tag": "bad tag"}, "image tag 'bad tag': not a valid Docker tag"),
    ("images-unknown-service", svc(), {"images": {"api": "x:1"}}, "images: api not in the compose file"),
    (
        "images-bad-digest",
        svc(),
        {"images": {"web": "repo/web@sha256:abc"}},
        "images.web 'repo/web@sha256:abc': not an image reference",
    ),
    ("images-not-a-string", svc(), {"images": {"web": 3}}, "images.web 3: not an image reference"),
    # interpolation
    (
        "interpolation-invalid",
        svc(image="nginx:${"),
        {},
        "compose file: services.web.image 'nginx:${': invalid interpolation format",
    ),
    (
        "interpolation-required",
        svc(image="nginx:${TAG:?set TAG}"),
        {},
        "compose file: services.web.image: required variable TAG is missing a value: set TAG",
    ),
    ("interpolation-required-plain", svc(image="nginx:${TAG?set TAG}"), {}, "required variable TAG is missing a value"),
    # image
    (
        "image-missing",
        {"services": {"web": {"build": "."}}},
        {},
        "service 'web': image: is required: ECS runs images from a registry and cannot build them",
    ),
    ("image-empty", svc(image=" "), {}, "service 'web': image: must not be empty"),
    ("image-list", svc(image=["nginx"]), {}, "service 'web': image: must be a string, got a list"),
    # lists and mappings
    (
        "command-unbalanced-quote",
        svc(command="sh -c 'oops"),
        {},
        "service 'web': command \"sh -c 'oops\": cannot split into arguments",
    ),
    ("command-list-of-maps", svc(command=[{"a": 1}]), {}, "service 'web': command[0]: must be a string, got a mapping"),
    (
        "command-mapping",
        svc(command={"a": 1}),
        {},
        "service 'web': command: must be a string or a list of strings, got a mapping",
    ),
    ("dns-number", svc(dns=8), {}, "service 'web': dns: must be a string or a list of strings, got int"),
    ("cap_add-null-item", svc(cap_add=[None]), {}, "service 'web': cap_add[0]: must be a string, got nothing"),
    (
        "environment-nested",
        svc(environment={"A": {"b": 1}}),
        {},
        "service 'web': environment.A: must be a string, number or boolean, got a mapping",
    ),
    (
        "environment-list-item",
        svc(environment=[1]),
        {},
        "service 'web': environment[0]: must be a string 'NAME=VALUE', got int",
    ),
    (
        "environment-list-empty-name",
        svc(environment=["=x"]),
        {},
        "service 'web': environment[0] '=x': expected NAME=VALUE",
    ),
    (
        "environment-string",
        svc(environment="A=1"),
        {},
        "service 'web': environment: must be a mapping or a list, got a string",
    ),
    ("labels-string", svc(labels="a"), {}, "service 'web': labels: must be a mapping or a list"),
    # scalars
    ("privileged", svc(privileged="yes"), {}, "service 'web': privileged 'yes': must be true or false"),
    ("read_only", svc(read_only=1), {}, "service 'web': read_only 1: must be true or false"),
    ("tty", svc(tty="true"), {}, "service 'web': tty 'true': must be true or false"),
    ("cpu_shares-text", svc(cpu_shares="lots"), {}, "service 'web': cpu_shares 'lots': must be a whole number"),
    ("cpu_shares-negative", svc(cpu_shares=-1), {}, "service 'web': cpu_shares -1: must be at least 0"),
    ("hostname-list", svc(hostname=["a"]), {}, "service 'web': hostname: must be a string, got a list"),
    ("mem_limit", svc(mem_limit="lots"), {}, "service 'web': mem_limit 'lots': must be a size such as '512m'"),
    ("mem_limit-bytes-too-small", svc(mem_limit=512), {}, "service 'web': mem_limit 512: is less than 1 MiB"),
    ("mem_reservation", svc(mem_reservation="1x"), {}, "service 'web': mem_reservation '1x': must be a size"),
    (
        "mem-limit-below-reservation",
        svc(mem_limit="256m", mem_reservation="512m"),
        {},
        "service 'web': mem_limit (256 MiB) must be greater than mem_reservation (512 MiB)",
    ),
    ("shm_size", svc(shm_size="big"), {}, "service 'web': shm_size 'big': must be a size"),
    (
        "stop_grace_period-format",
        svc(stop_grace_period="soon"),
        {},
        "service 'web': stop_grace_period 'soon': must be a duration",
    ),
    (
        "stop_grace_period-max",
        svc(stop_grace_period="5m"),
        {},
        "service 'web': stop_grace_period '5m': ECS allows at most 120s",
    ),
    # deploy
    ("deploy-not-mapping", svc(deploy=[1]), {}, "service 'web': deploy: must be a mapping, got a list"),
    (
        "deploy-resources-not-mapping",
        svc(deploy={"resources": "x"}),
        {},
        "service 'web': deploy.resources: must be a mapping, got a string",
    ),
    (
        "deploy-limits-not-mapping",
        svc(deploy={"resources": {"limits": 1}}),
        {},
        "service 'web': deploy.resources.limits: must be a mapping, got int",
    ),
    (
        "deploy-cpus",
        svc(deploy={"resources": {"limits": {"cpus": "half"}}}),
        {},
        "service 'web': deploy.resources.limits.cpus 'half': must be a positive number of CPUs",
    ),
    (
        "deploy-cpus-zero",
        svc(deploy={"resources": {"reservations": {"cpus": 0}}}),
        {},
        "deploy.resources.reservations.cpus 0: must be a positive",
    ),
    (
        "deploy-memory",
        svc(deploy={"resources": {"limits": {"memory": "x"}}}),
        {},
        "service 'web': deploy.resources.limits.memory 'x': must be a size",
    ),
    (
        "deploy-memory-conflict",
        svc(mem_limit="1g", deploy={"resources": {"limits": {"memory": "1g"}}}),
        {},
        "service 'web': deploy.resources.limits.memory: conflicts with mem_limit; keep one",
    ),
    (
        "deploy-cpus-conflict",
        svc(cpu_shares=1, deploy={"resources": {"limits": {"cpus": 1}}}),
        {},
        "service 'web': deploy.resources: cpus conflicts with cpu_shares; keep one",
    ),
    # devices
    ("devices-string", svc(devices="/dev/fuse"), {}, "service 'web': devices: must be a list, got a string"),
    (
        "devices-item",
        svc(devices=[1]),
        {},
        "service 'web': devices[0]: must be a string 'HOST[:CONTAINER[:PERMISSIONS]]'",
    ),
    (
        "devices-too-many-parts",
        svc(devices=["/a:/b:r:x"]),
        {},
        "service 'web': devices[0] '/a:/b:r:x': expected HOST[:CONTAINER[:PERMISSIONS]]",
    ),
    ("devices-empty-host", svc(devices=[":/b"]), {}, "service 'web': devices[0] ':/b': expected HOST"),
    (
        "devices-permissions",
        svc(devices=["/a:/b:rx"]),
        {},
        "service 'web': devices[0] '/a:/b:rx': permissions must be made of r, w and m",
    ),
    # extra_hosts
    (
        "extra_hosts-no-ip",
        svc(extra_hosts=["db"]),
        {},
        "service 'web': extra_hosts[0] 'db:': expected format HOSTNAME:IPADDRESS",
    ),
    (
        "extra_hosts-item",
        svc(extra_hosts=[1]),
        {},
        "service 'web': extra_hosts[0]: must be a string 'HOSTNAME:IP', got int",
    ),
    (
        "extra_hosts-string",
        svc(extra_hosts="db:1.2.3.4"),
        {},
        "service 'web': extra_hosts: must be a mapping or a list, got a string",
    ),
    (
        "extra_hosts-dict-empty",
        svc(extra_hosts={"db": ""}),
        {},
        "service 'web': extra_hosts.db 'db:': expected format HOSTNAME:IPADDRESS",
    ),
    # healthcheck
    (
        "healthcheck-not-mapping",
        svc(healthcheck="curl"),
        {},
        "service 'web': healthcheck: must be a mapping, got a string",
    ),
    (
        "healthcheck-unknown",
        svc(healthcheck={"test": "x", "every": "1s"}),
        {},
        "service 'web': healthcheck.every: is not a healthcheck option",
    ),
    (
        "healthcheck-test-and-command",
        svc(healthcheck={"test": "x", "command": "y"}),
        {},
        "service 'web': healthcheck: test and command cannot both be set",
    ),
    (
        "healthcheck-bad-prefix",
        svc(healthcheck={"test": ["curl", "x"]}),
        {},
        "service 'web': healthcheck.test 'curl': a list must start with CMD, CMD-SHELL or NONE",
    ),
    (
        "healthcheck-cmd-only",
        svc(healthcheck={"test": ["CMD"]}),
        {},
        "service 'web': healthcheck.test: names no command after CMD",
    ),
    (
        "healthcheck-test-type",
        svc(healthcheck={"test": 5}),
        {},
        "service 'web': healthcheck.test: must be a string or a list of strings",
    ),
    (
        "healthcheck-test-empty-list",
        svc(healthcheck={"test": []}),
        {},
        "service 'web': healthcheck.test: must be a string or a list of strings",
    ),
    (
        "healthcheck-retries",
        svc(healthcheck={"test": "x", "retries": "3"}),
        {},
        "service 'web': healthcheck.retries '3': must be a whole number",
    ),
    (
        "healthcheck-retries-range",
        svc(healthcheck={"test": "x", "retries": 11}),
        {},
        "service 'web': healthcheck.retries 11: ECS accepts 1 to 10",
    ),
    (
        "healthcheck-interval-format",
        svc(healthcheck={"test": "x", "interval": "often"}),
        {},
        "service 'web': healthcheck.interval 'often': must be a duration",
    ),
    (
        "healthcheck-interval-range",
        svc(healthcheck={"test": "x", "interval": "1s"}),
        {},
        "service 'web': healthcheck.interval '1s': ECS accepts 5 to 300 seconds",
    ),
    (
        "healthcheck-timeout-range",
        svc(healthcheck={"test": "x", "timeout": "3m"}),
        {},
        "healthcheck.timeout '3m': ECS accepts 2 to 120 seconds",
    ),
    (
        "healthcheck-start-period-range",
        svc(healthcheck={"test": "x", "start_period": "10m"}),
        {},
        "healthcheck.start_period '10m': ECS accepts 0 to 300 seconds",
    ),
    ("healthcheck-no-test", svc(healthcheck={"interval": "10s"}), {}, "service 'web': healthcheck: test is required"),
    # logging
    (
        "logging-not-mapping",
        svc(logging="awslogs"),
        {},
        "service 'web': logging: must be a mapping with driver and options",
    ),
    (
        "logging-no-driver",
        svc(logging={"options": {"a": "b"}}),
        {},
        "service 'web': logging.driver: is required: ECS needs an explicit log driver",
    ),
    (
        "logging-bad-driver",
        svc(logging={"driver": "local"}),
        {},
        "service 'web': logging.driver 'local': is not supported by ECS; use one of awsfirelens",
    ),
    (
        "logging-options-list",
        svc(logging={"driver": "awslogs", "options": ["a"]}),
        {},
        "service 'web': logging.options: must be a mapping, got a list",
    ),
    # ports
    ("ports-string", svc(ports="80"), {}, "service 'web': ports: must be a list, got a string"),
    (
        "ports-item-type",
        svc(ports=[True]),
        {},
        "service 'web': ports[0]: must be a string such as '8080:80' or a mapping, got a boolean",
    ),
    (
        "ports-container-not-number",
        svc(ports=["80", "80:xx"]),
        {},
        "service 'web': ports[1] '80:xx': container port must be a number or a range",
    ),
    ("ports-host-not-number", svc(ports=["xx:80"]), {}, "service 'web': ports[0] 'xx:80': host port must be a number"),
    (
        "ports-container-zero",
        svc(ports=["0"]),
        {},
        "service 'web': ports[0] '0': container port must be between 1 and 65535",
    ),
    (
        "ports-too-big",
        svc(ports=["70000:80"]),
        {},
        "service 'web': ports[0] '70000:80': host port must be between 0 and 65535",
    ),
    (
        "ports-descending",
        svc(ports=["8010-8000"]),
        {},
        "service 'web': ports[0] '8010-8000': container port range must be ascending",
    ),
    ("ports-protocol", svc(ports=["80/sctp"]), {}, "service 'web': ports[0] '80/sctp': protocol must be tcp or udp"),
    (
        "ports-ipv6-unclosed",
        svc(ports=["[::1:8080:80"]),
        {},
        "service 'web': ports[0] '[::1:8080:80': expected [IPv6]:HOST:CONTAINER",
    ),
    (
        "ports-ipv6-parts",
        svc(ports=["[::1]:80"]),
        {},
        "service 'web': ports[0] '[::1]:80': expected [IPv6]:HOST:CONTAINER",
    ),
    (
        "ports-too-many-parts",
        svc(ports=["1:2:3:4"]),
        {},
        "service 'web': ports[0] '1:2:3:4': expected [[IP:]HOST:]CONTAINER[/PROTOCOL]",
    ),
    (
        "ports-range-lengths",
        svc(ports=["8000-8002:9000-9001"]),
        {},
        "service 'web': ports[0] '8000-8002:9000-9001': host and container port ranges must be the same length",
    ),
    (
        "ports-host-range-one-container",
        svc(ports=["8000-8002:80"]),
        {},
        "service 'web': ports[0] '8000-8002:80': a host port range for one container port cannot be expressed in ECS",
    ),
    (
        "ports-long-unknown",
        svc(ports=[{"target": 80, "hostport": 1}]),
        {},
        "service 'web': ports[0].hostport: is not a port option",
    ),
    (
        "ports-long-no-target",
        svc(ports=[{"published": 80}]),
        {},
        "service 'web': ports[0].target: is required (the container port)",
    ),
    (
        "ports-long-target-range",
        svc(ports=[{"target": "80-81"}]),
        {},
        "service 'web': ports[0].target '80-81': must be a single port",
    ),
    (
        "ports-long-protocol",
        svc(ports=[{"target": 80, "protocol": "sctp"}]),
        {},
        "service 'web': ports[0] 'sctp': protocol must be tcp or udp",
    ),
    (
        "ports-awsvpc-host-differs",
        {**svc(ports=["8080:80"]), "_params": params(ecs_network_mode="awsvpc")},
        {},
        "service 'web': ports[0] '8080:80': in awsvpc network mode the host port must equal the container port",
    ),
    # tmpfs
    (
        "tmpfs-no-size",
        svc(tmpfs="/run"),
        {},
        "service 'web': tmpfs '/run': ECS needs a size for every tmpfs mount; add size",
    ),
    (
        "tmpfs-relative",
        svc(tmpfs=["run:size=1m"]),
        {},
        "service 'web': tmpfs[0] 'run:size=1m': the mount path must be absolute",
    ),
    ("tmpfs-bad-size", svc(tmpfs="/run:size=big"), {}, "service 'web': tmpfs 'big': must be a size"),
    (
        "tmpfs-zero-size",
        svc(tmpfs="/run:size=0"),
        {},
        "service 'web': tmpfs '/run:size=0': size must be at least 1 MiB",
    ),
    (
        "tmpfs-long-no-size",
        svc(volumes=[{"type": "tmpfs", "target": "/t"}]),
        {},
        "service 'web': volumes[0] '/t': ECS needs a size for every tmpfs mount",
    ),
    # ulimits
    (
        "ulimits-list",
        svc(ulimits=["nofile=1"]),
        {},
        "service 'web': ulimits: must be a mapping of limit names, got a list",
    ),
    (
        "ulimits-unknown",
        svc(ulimits={"files": 1}),
        {},
        "service 'web': ulimits.files: is not a ulimit ECS supports; use one of core",
    ),
    (
        "ulimits-half",
        svc(ulimits={"nofile": {"soft": 1}}),
        {},
        "service 'web': ulimits.nofile: needs both soft and hard",
    ),
    (
        "ulimits-soft-above-hard",
        svc(ulimits={"nofile": {"soft": 2, "hard": 1}}),
        {},
        "service 'web': ulimits.nofile: soft limit 2 exceeds hard limit 1",
    ),
    (
        "ulimits-not-number",
        svc(ulimits={"nproc": "many"}),
        {},
        "service 'web': ulimits.nproc 'many': must be a whole number",
    ),
    (
        "ulimits-soft-not-number",
        svc(ulimits={"nofile": {"soft": "x", "hard": 1}}),
        {},
        "service 'web': ulimits.nofile.soft 'x': must be a whole number",
    ),
    # volumes
    ("volumes-string", svc(volumes="/a:/a"), {}, "service 'web': volumes: must be a list, got a string"),
    (
        "volumes-item",
        svc(volumes=[1]),
        {},
        "service 'web': volumes[0]: must be a string such as 'data:/var/lib/data' or a mapping",
    ),
    (
        "volumes-relative-host",
        svc(volumes=["./data:/data"]),
        {},
        "service 'web': volumes[0] './data:/data': a relative host path cannot be mounted on a container instance; "
        "use an absolute path or a named volume",
    ),
    (
        "volumes-home-host",
        svc(volumes=["~/data:/data"]),
        {},
        "service 'web': volumes[0] '~/data:/data': a relative host path",
    ),
    (
        "volumes-bad-source",
        svc(volumes=["da ta:/data"]),
        {},
        "service 'web': volumes[0] 'da ta:/data': the source is neither an absolute host path nor a volume name",
    ),
    (
        "volumes-undeclared",
        svc(volumes=["data:/data"]),
        {},
        "volumes[0] 'data:/data': named volume 'data' is used but not declared in the top-level volumes section",
    ),
    (
        "volumes-too-many-parts",
        svc(volumes=["a:/b:ro:x"]),
        {},
        "service 'web': volumes[0] 'a:/b:ro:x': expected [SOURCE:]CONTAINER_PATH[:ro|rw]",
    ),
    (
        "volumes-relative-target",
        svc(volumes=["/a:b"]),
        {},
        "service 'web': volumes[0] '/a:b': the container path must be absolute",
    ),
    (
        "volumes-bad-mode",
        svc(volumes=["/a:/b:rx"]),
        {},
        "service 'web': volumes[0] '/a:/b:rx': unknown volume option 'rx'; use ro or rw",
    ),
    (
        "volumes-long-no-target",
        svc(volumes=[{"source": "/a"}]),
        {},
        "service 'web': volumes[0].target: is required and must be an absolute container path",
    ),
    (
        "volumes-long-type",
        svc(volumes=[{"type": "npipe", "source": "x", "target": "/x"}]),
        {},
        "service 'web': volumes[0].type 'npipe': ECS mounts only volume, bind and tmpfs types",
    ),
    (
        "volumes-long-bind-no-source",
        svc(volumes=[{"type": "bind", "target": "/x"}]),
        {},
        "service 'web': volumes[0].source: a bind mount needs an absolute host path",
    ),
    (
        "volumes-long-bind-relative",
        svc(volumes=[{"type": "bind", "source": "./x", "target": "/x"}]),
        {},
        "service 'web': volumes[0].source './x': a bind mount needs an absolute host path",
    ),
    (
        "volumes-long-read-only",
        svc(volumes=[{"type": "bind", "source": "/x", "target": "/x", "read_only": "yes"}]),
        {},
        "service 'web': volumes[0].read_only 'yes': must be true or false",
    ),
    # volumes_from
    (
        "volumes_from-format",
        svc(volumes_from=["a:b:c"]),
        {},
        "service 'web': volumes_from[0] 'a:b:c': expected [container:]SERVICE[:ro|rw]",
    ),
    (
        "volumes_from-mode",
        svc(volumes_from=["db:rx"]),
        {},
        "service 'web': volumes_from[0] 'db:rx': access mode must be ro or rw",
    ),
    (
        "volumes_from-container-mode",
        svc(volumes_from=["container:db:x"]),
        {},
        "service 'web': volumes_from[0] 'container:db:x': access mode must be ro or rw",
    ),
    (
        "volumes_from-unknown",
        svc(volumes_from=["cache"]),
        {},
        "service 'web': volumes_from[0]: 'cache' is not a service of this task",
    ),
    # links
    (
        "links-unknown",
        svc(links=["cache:c"]),
        {},
        "service 'web': links[0] 'cache:c': 'cache' is not a service of this task",
    ),
    (
        "links-awsvpc",
        {**svc(links=["db"]), "_params": params(ecs_network_mode="awsvpc")},
        {},
        "service 'web': links: not supported in awsvpc network mode; containers reach each other on localhost",
    ),
    # env_file
    (
        "env_file-missing",
        svc(env_file="missing.env"),
        {},
        "service 'web': env_file 'missing.env': cannot be read (No such file or directory)",
    ),
    (
        "env_file-list-missing",
        svc(env_file=["ok.env", "missing.env"]),
        {},
        "service 'web': env_file[1] 'missing.env': cannot be read",
    ),
    ("env_file-not-path", svc(env_file=[{"required": True}]), {}, "service 'web': env_file[0]: must be a file path"),
    (
        "env_file-bad-line",
        svc(env_file="bad.env"),
        {},
        "service 'web': env_file 'bad.env' line 2 '1BAD=x': expected NAME=VALUE",
    ),
    (
        "env_file-no-reader",
        svc(env_file="ok.env"),
        {"_no_reader": True},
        "service 'web': env_file 'ok.env': cannot be read: no env_file reader was given",
    ),
    # ecs-params
    ("params-not-mapping", {**svc(), "_params": ["x"]}, {}, "ecs-params.yml: : must be a mapping, got a list"),
    (
        "params-version",
        {**svc(), "_params": {"version": 2}},
        {},
        "ecs-params.yml: version 2: must be 1 (the only ecs-params.yml version)",
    ),
    (
        "params-task-not-mapping",
        {**svc(), "_params": {"version": 1, "task_definition": []}},
        {},
        "ecs-params.yml: task_definition: must be a mapping, got a list",
    ),
    (
        "params-network-mode",
        {**svc(), "_params": params(ecs_network_mode="nat")},
        {},
        "ecs-params.yml: task_definition.ecs_network_mode 'nat': must be one of awsvpc, bridge, host, none",
    ),
    (
        "params-services-list",
        {**svc(), "_params": params(services=["web"])},
        {},
        "ecs-params.yml: task_definition.services: must be a mapping, got a list",
    ),
    (
        "params-service-not-mapping",
        {**svc(), "_params": params({"web": "x"})},
        {},
        "ecs-params.yml: task_definition.services.web: must be a mapping, got a string",
    ),
    (
        "params-essential",
        {**svc(), "_params": params({"web": {"essential": "yes"}})},
        {},
        "ecs-params.yml: task_definition.services.web.essential 'yes': must be true or false",
    ),
    (
        "params-no-essential",
        {**svc(), "_params": params({"web": {"essential": False}, "db": {"essential": False}})},
        {},
        "ecs-params.yml: task definition does not have any essential containers; mark at least one essential",
    ),
    (
        "params-cpu_shares",
        {**svc(), "_params": params({"web": {"cpu_shares": "x"}})},
        {},
        "ecs-params.yml: task_definition.services.web.cpu_shares 'x': must be a whole number of CPU units",
    ),
    (
        "params-mem_limit",
        {**svc(), "_params": params({"web": {"mem_limit": "x"}})},
        {},
        "ecs-params.yml: task_definition.services.web.mem_limit 'x': must be a size",
    ),
    (
        "params-mem-below-reservation",
        {**svc(mem_limit="256m"), "_params": params({"web": {"mem_reservation": "1g"}})},
        {},
        "service 'web': mem_limit (256 MiB) must be greater than mem_reservation (1024 MiB)",
    ),
    (
        "params-gpu",
        {**svc(), "_params": params({"web": {"gpu": "0"}})},
        {},
        "ecs-params.yml: task_definition.services.web.gpu '0': must be a positive number of GPUs",
    ),
    (
        "params-init",
        {**svc(), "_params": params({"web": {"init_process_enabled": "yes"}})},
        {},
        "ecs-params.yml: task_definition.services.web.init_process_enabled 'yes': must be true or false",
    ),
    (
        "params-repo-creds",
        {**svc(), "_params": params({"web": {"repository_credentials": {}}})},
        {},
        "ecs-params.yml: task_definition.services.web.repository_credentials.credentials_parameter: is required",
    ),
    (
        "params-repo-creds-type",
        {**svc(), "_params": params({"web": {"repository_credentials": "arn"}})},
        {},
        "ecs-params.yml: task_definition.services.web.repository_credentials: must be a mapping",
    ),
    (
        "params-secrets-type",
        {**svc(), "_params": params({"web": {"secrets": {"A": "b"}}})},
        {},
        "task_definition.services.web.secrets: must be a list of name/value_from entries, got a mapping",
    ),
    (
        "params-secret-incomplete",
        {**svc(), "_params": params({"web": {"secrets": [{"name": "A"}]}})},
        {},
        "ecs-params.yml: task_definition.services.web.secrets[0]: needs name and value_from",
    ),
    (
        "params-log-secrets-no-driver",
        {**svc(), "_params": params({"web": {"logging": {"secret_options": []}}})},
        {},
        "task_definition.services.web.logging.secret_options: needs a logging driver in the compose service",
    ),
    (
        "params-logging-type",
        {**svc(), "_params": params({"web": {"logging": []}})},
        {},
        "ecs-params.yml: task_definition.services.web.logging: must be a mapping, got a list",
    ),
    (
        "params-firelens-type",
        {**svc(), "_params": params({"web": {"firelens_configuration": {"type": "x"}}})},
        {},
        "ecs-params.yml: task_definition.services.web.firelens_configuration.type 'x': must be fluentd or fluentbit",
    ),
    (
        "params-firelens-options",
        {**svc(), "_params": params({"web": {"firelens_configuration": {"type": "fluentd", "options": ["x"]}}})},
        {},
        "firelens_configuration.options: must be a mapping",
    ),
    (
        "params-healthcheck",
        {**svc(), "_params": params({"web": {"healthcheck": {"interval": "x"}}})},
        {},
        "ecs-params.yml: task_definition.services.web.healthcheck.interval 'x': must be a duration",
    ),
    (
        "params-healthcheck-no-test",
        {**svc(), "_params": params({"web": {"healthcheck": {"interval": "10s"}}})},
        {},
        "service 'web': healthcheck: test is required",
    ),
    (
        "params-depends-type",
        {**svc(), "_params": params({"web": {"depends_on": "db"}})},
        {},
        "ecs-params.yml: task_definition.services.web.depends_on: must be a list of container_name/condition entries",
    ),
    (
        "params-depends-entry",
        {**svc(), "_params": params({"web": {"depends_on": [{"condition": "START"}]}})},
        {},
        "ecs-params.yml: task_definition.services.web.depends_on[0]: needs container_name and condition",
    ),
    (
        "params-depends-condition",
        {**svc(), "_params": params({"web": {"depends_on": [{"container_name": "db", "condition": "READY"}]}})},
        {},
        "ecs-params.yml: task_definition.services.web.depends_on[0].condition 'READY': "
        "must be one of START, COMPLETE, SUCCESS, HEALTHY",
    ),
    (
        "params-depends-unknown",
        {**svc(), "_params": params({"web": {"depends_on": [{"container_name": "cache"}]}})},
        {},
        "services.web.depends_on[0].container_name 'cache': is not a service of this task",
    ),
    (
        "params-depends-self",
        {**svc(), "_params": params({"web": {"depends_on": [{"container_name": "web"}]}})},
        {},
        "services.web.depends_on[0].container_name 'web': a container cannot depend on itself",
    ),
    (
        "params-depends-healthy",
        {**svc(), "_params": params({"web": {"depends_on": [{"container_name": "db", "condition": "HEALTHY"}]}})},
        {},
        "services.web.depends_on[0].condition 'HEALTHY': HEALTHY needs a healthcheck on 'db'",
    ),
    (
        "params-depends-complete-essential",
        {**svc(), "_params": params({"web": {"depends_on": [{"container_name": "db", "condition": "COMPLETE"}]}})},
        {},
        "depends_on[0].condition 'COMPLETE': COMPLETE needs 'db' to be non-essential (essential: false)",
    ),
    (
        "params-task-cpu",
        {**svc(), "_params": params(task_size={"cpu_limit": "fast"})},
        {},
        "ecs-params.yml: task_definition.task_size.cpu_limit 'fast': must be CPU units such as 256 or '0.25 vCPU'",
    ),
    (
        "params-task-cpu-bool",
        {**svc(), "_params": params(task_size={"cpu_limit": True})},
        {},
        "task_definition.task_size.cpu_limit True: must be CPU units",
    ),
    (
        "params-task-memory",
        {**svc(), "_params": params(task_size={"mem_limit": "lots"})},
        {},
        "ecs-params.yml: task_definition.task_size.mem_limit 'lots': must be MiB such as 512 or a size such as '0.5GB'",
    ),
    (
        "params-task-memory-bool",
        {**svc(), "_params": params(task_size={"mem_limit": False})},
        {},
        "task_definition.task_size.mem_limit False: must be MiB",
    ),
    (
        "params-task-size-type",
        {**svc(), "_params": params(task_size="small")},
        {},
        "ecs-params.yml: task_definition.task_size: must be a mapping, got a string",
    ),
    (
        "params-constraints-type",
        {**svc(), "_params": params(placement_constraints={"type": "memberOf"})},
        {},
        "ecs-params.yml: task_definition.placement_constraints: must be a list",
    ),
    (
        "params-constraint-type",
        {**svc(), "_params": params(placement_constraints=[{"type": "distinctInstance"}])},
        {},
        "ecs-params.yml: task_definition.placement_constraints[0].type: must be memberOf",
    ),
    (
        "params-docker-volumes-type",
        {**svc(), "_params": params(docker_volumes={"name": "x"})},
        {},
        "ecs-params.yml: task_definition.docker_volumes: must be a list",
    ),
    (
        "params-docker-volume-name",
        {**svc(), "_params": params(docker_volumes=[{"scope": "task"}])},
        {},
        "ecs-params.yml: task_definition.docker_volumes[0].name: is required",
    ),
    (
        "params-docker-volume-host",
        {**svc(volumes=["/a:/a"]), "_params": params(docker_volumes=[{"name": "volume-0"}])},
        {},
        "ecs-params.yml: task_definition.docker_volumes[0] 'volume-0': names a host-path volume",
    ),
    (
        "params-docker-volume-scope",
        {**svc(), "_params": params(docker_volumes=[{"name": "x", "scope": "global"}])},
        {},
        "ecs-params.yml: task_definition.docker_volumes[0].scope 'global': must be task or shared",
    ),
    (
        "params-docker-volume-autoprovision",
        {**svc(), "_params": params(docker_volumes=[{"name": "x", "autoprovision": True}])},
        {},
        "ecs-params.yml: task_definition.docker_volumes[0].autoprovision: is only valid with scope: shared",
    ),
    (
        "params-docker-volume-opts",
        {**svc(), "_params": params(docker_volumes=[{"name": "x", "driver_opts": ["a"]}])},
        {},
        "ecs-params.yml: task_definition.docker_volumes[0].driver_opts: must be a mapping",
    ),
    (
        "params-efs-no-fs",
        {**svc(), "_params": params(efs_volumes=[{"name": "x"}])},
        {},
        "ecs-params.yml: task_definition.efs_volumes[0].filesystem_id: is required for efs volumes",
    ),
    (
        "params-efs-encryption",
        {**svc(), "_params": params(efs_volumes=[{"name": "x", "filesystem_id": "fs", "transit_encryption": "yes"}])},
        {},
        "ecs-params.yml: task_definition.efs_volumes[0].transit_encryption 'yes': must be ENABLED or DISABLED",
    ),
    (
        "params-efs-iam",
        {**svc(), "_params": params(efs_volumes=[{"name": "x", "filesystem_id": "fs", "iam": "on"}])},
        {},
        "ecs-params.yml: task_definition.efs_volumes[0].iam 'on': must be ENABLED or DISABLED",
    ),
    (
        "params-efs-access-point-needs-encryption",
        {**svc(), "_params": params(efs_volumes=[{"name": "x", "filesystem_id": "fs", "access_point": "fsap"}])},
        {},
        "ecs-params.yml: task_definition.efs_volumes[0].transit_encryption: "
        "must be ENABLED when using IAM access or an access point",
    ),
    (
        "params-interpolation",
        {**svc(), "_params": params(task_role_arn="${ROLE:?set ROLE}")},
        {},
        "ecs-params.yml: task_definition.task_role_arn: required variable ROLE is missing a value: set ROLE",
    ),
]

ERROR_ENV_FILES = {"ok.env": "A=1\n", "bad.env": "A=1\n1BAD=x\n"}


@pytest.mark.parametrize(
    ("document", "kwargs", "message"), [c[1:] for c in ERROR_CASES], ids=[c[0] for c in ERROR_CASES]
)
def test_errors_name_the_service_key_and_fix(document, kwargs, message):
    document = copy.deepcopy(document)
    kwargs = dict(kwargs)
    ecs_params = document.pop("_params", None) if isinstance(document, dict) else None
    family = kwargs.pop("family", FAMILY)

    def read_env_file(path):
        if path not in ERROR_ENV_FILES:
            raise FileNotFoundError(2, "No such file or directory")
        return ERROR_ENV_FILES[path]

    reader = None if kwargs.pop("_no_reader", False) else read_env_file
    with pytest.raises(ComposeError) as error:
        compose_to_task_definition(document, family, ecs_params=ecs_params, read_env_file=reader, **kwargs)
    assert message in str(error.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("services: [", "compose: not valid YAML"),
        ("- a\n- b\n", "compose: expected a mapping at the top level, got a list"),
        ("", "compose: expected a mapping at the top level, got nothing"),
    ],
)
def test_load_yaml_errors(text, message):
    with pytest.raises(ComposeError, match=message.replace("[", r"\[")):
        load_yaml(text, "compose")


def test_errors_are_value_errors_for_callers_that_do_not_know_compose():
    assert issubclass(ComposeError, ValueError)


# ---------------------------------------------------------------------------------------------
# Canonical form and diff
# ---------------------------------------------------------------------------------------------


def described(task_definition, **extra):
    """What DescribeTaskDefinition returns for ``task_definition``: AWS fields and defaults added."""
    described = copy.deepcopy(task_definition)
    revision = extra.pop("revision", 1)
    described.update(
        taskDefinitionArn=f"arn:aws:ecs:ap-northeast-2:123456789012:task-definition/{FAMILY}:{revision}",
        revision=revision,
        status="ACTIVE",
        requiresAttributes=[{"name": "com.amazonaws.ecs.capability.docker-remote-api.1.18"}],
        compatibilities=["EC2"],
        registeredAt="2026-11-22T03:58:53+00:00",
        registeredBy="arn:aws:iam::123456789012:root",
        placementConstraints=described.get("placementConstraints", []),
        volumes=described.get("volumes", []),
    )
    described.setdefault("networkMode", "bridge")
    for container in described["containerDefinitions"]:
        container.setdefault("cpu", 0)
        container.setdefault("essential", True)
        container.setdefault("portMappings", [])
        container.setdefault("environment", [])
        container.setdefault("mountPoints", [])
        container.setdefault("volumesFrom", [])
        container.setdefault("systemControls", [])
        container.setdefault("versionConsistency", "enabled")
        for mapping in container["portMappings"]:
            if described["networkMode"] in ("awsvpc", "host"):
                mapping.setdefault("hostPort", mapping["containerPort"])
            else:
                mapping.setdefault("hostPort", 0)
        if "healthCheck" in container:
            container["healthCheck"] = {"interval": 30, "timeout": 5, "retries": 3, **container["healthCheck"]}
        if "logConfiguration" in container:
            container["logConfiguration"].setdefault("options", {})
            container["logConfiguration"].setdefault("secretOptions", [])
        container["environment"] = list(reversed(container["environment"]))
    described["containerDefinitions"] = list(reversed(described["containerDefinitions"]))
    described.update(extra)
    return described


RICH_COMPOSE = {
    "version": "3.8",
    "services": {
        "web": {
            "image": "repo/web:1",
            "command": ["serve"],
            "ports": ["8080:80", "443", "53/udp"],
            "environment": {"B": "2", "A": "1"},
            "healthcheck": {"test": "curl -f localhost", "start_period": "0s"},
            "volumes": ["data:/data", "/var/log:/logs:ro", "/scratch"],
            "logging": {"driver": "awslogs"},
            "privileged": False,
            "read_only": False,
            "cap_add": ["SYS_PTRACE", "NET_ADMIN"],
            "tmpfs": ["/run:size=64m"],
            "links": ["db"],
            "volumes_from": ["db"],
        },
        "db": {"image": "postgres:16", "mem_limit": "1g", "devices": ["/dev/fuse"]},
    },
    "volumes": {"data": None},
}


@pytest.mark.parametrize("network_mode", [None, "bridge", "host"])
def test_describe_result_with_aws_defaults_compares_equal(network_mode):
    ecs_params = params(ecs_network_mode=network_mode, task_size={"cpu_limit": 512}) if network_mode else None
    compose = copy.deepcopy(RICH_COMPOSE)
    if network_mode == "host":
        compose["services"]["web"]["ports"] = ["80:80", "443", "53/udp"]
    task, _ = compose_to_task_definition(compose, FAMILY, ecs_params=ecs_params)
    assert canonical_task_definition(described(task)) == canonical_task_definition(task)


def test_awsvpc_describe_fills_host_ports():
    task, _ = compose_to_task_definition(
        {"services": {"web": {"image": "nginx", "ports": ["80", "53/udp"]}}},
        FAMILY,
        ecs_params=params(ecs_network_mode="awsvpc", task_size={"cpu_limit": "0.25 vCPU", "mem_limit": "0.5GB"}),
    )
    aws = described(task, cpu="256", memory="512", requiresCompatibilities=["FARGATE"])
    assert aws["containerDefinitions"][0]["portMappings"][0]["hostPort"] == 80
    canonical = canonical_task_definition(task)
    assert canonical_task_definition(aws) == dict(canonical, requiresCompatibilities=["FARGATE"])


def test_canonical_form_drops_aws_fields_and_defaults():
    task, _ = compose_to_task_definition({"services": {"web": {"image": "nginx", "ports": ["80"]}}}, FAMILY)
    assert canonical_task_definition(described(task)) == {
        "family": FAMILY,
        "networkMode": "bridge",
        "containerDefinitions": [
            {
                "name": "web",
                "image": "nginx",
                "essential": True,
                "memory": 512,
                "portMappings": [{"containerPort": 80, "protocol": "tcp"}],
            }
        ],
    }


def test_canonical_form_normalizes_volumes():
    ours = {
        "family": FAMILY,
        "containerDefinitions": [{"name": "web", "image": "nginx", "memory": "512"}],
        "volumes": [
            {"name": "b", "dockerVolumeConfiguration": {"autoprovision": False}},
            {
                "name": "a",
                "efsVolumeConfiguration": {"fileSystemId": "fs", "rootDirectory": "/", "transitEncryption": "DISABLED"},
            },
        ],
        "cpu": 256,
    }
    theirs = {
        "family": FAMILY,
        "containerDefinitions": [{"name": "web", "image": "nginx", "memory": 512, "essential": True}],
        "volumes": [
            {"name": "a", "host": {}, "efsVolumeConfiguration": {"fileSystemId": "fs"}},
            {"name": "b", "dockerVolumeConfiguration": {"scope": "task"}},
        ],
        "cpu": "256",
        "networkMode": "bridge",
    }
    assert canonical_task_definition(ours) == canonical_task_definition(theirs)


DIFFERENCE_CASES = [
    ("image", lambda t: t["containerDefinitions"][1].update(image="repo/web:2")),
    ("environment-value", lambda t: t["containerDefinitions"][1]["environment"][0].update(value="changed")),
    ("host-port", lambda t: t["containerDefinitions"][1]["portMappings"][0].update(hostPort=9090)),
    ("protocol", lambda t: t["containerDefinitions"][1]["portMappings"][0].update(protocol="udp")),
    ("essential", lambda t: t["containerDefinitions"][0].update(essential=False)),
    ("memory", lambda t: t["containerDefinitions"][0].update(memory=2048)),
    ("healthcheck-interval", lambda t: t["containerDefinitions"][1]["healthCheck"].update(interval=10)),
    ("network-mode", lambda t: t.update(networkMode="host")),
    ("role", lambda t: t.update(taskRoleArn="arn:aws:iam::1:role/x")),
    ("volume-path", lambda t: t["volumes"][0]["host"].update(sourcePath="/elsewhere")),
    ("privileged", lambda t: t["containerDefinitions"][1].update(privileged=True)),
    ("command-order", lambda t: t["containerDefinitions"][1].update(command=["b", "a"])),
]


@pytest.mark.parametrize("change", [c[1] for c in DIFFERENCE_CASES], ids=[c[0] for c in DIFFERENCE_CASES])
def test_canonical_form_notices_real_changes(change):
    task, _ = compose_to_task_definition(copy.deepcopy(RICH_COMPOSE), FAMILY)
    current = described(task)
    change(current)
    assert canonical_task_definition(current) != canonical_task_definition(task)


def test_canonical_form_does_not_modify_its_input():
    task, _ = compose_to_task_definition(copy.deepcopy(RICH_COMPOSE), FAMILY)
    before = copy.deepcopy(task)
    canonical_task_definition(task)
    assert task == before


def test_diff_before_is_empty_when_nothing_is_registered():
    task, _ = compose_to_task_definition({"services": {"web": {"image": "nginx"}}}, FAMILY)
    diff = task_definition_diff(None, task)
    assert diff == {"before": {}, "after": canonical_task_definition(task)}


def test_diff_shows_the_changed_image():
    old, _ = compose_to_task_definition({"services": {"web": {"image": "nginx:1"}}}, FAMILY)
    new, _ = compose_to_task_definition({"services": {"web": {"image": "nginx:2"}}}, FAMILY)
    diff = task_definition_diff(described(old), new)
    assert diff["before"]["containerDefinitions"][0]["image"] == "nginx:1"
    assert diff["after"]["containerDefinitions"][0]["image"] == "nginx:2"
    assert {k: v for k, v in diff["before"].items() if k != "containerDefinitions"} == {
        k: v for k, v in diff["after"].items() if k != "containerDefinitions"
    }


def test_ecs_params_of_services_left_out_by_the_filter_do_not_warn():
    compose = {"services": {"web": {"image": "nginx"}, "db": {"image": "postgres"}}}
    ecs_params = {"version": 1, "task_definition": {"services": {"db": {"essential": False}}}}
    task, warnings = compose_to_task_definition(compose, FAMILY, ecs_params=ecs_params, services=["web"])
    assert [c["name"] for c in task["containerDefinitions"]] == ["web"]
    assert warnings == []
