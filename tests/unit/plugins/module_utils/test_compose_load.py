"""compose_load: the strict loader the module and validation share — every refusal, and what passes."""

import inspect
import re
from pathlib import Path

import pytest
from ansible_collections.teamf.platform.plugins.module_utils import compose
from ansible_collections.teamf.platform.plugins.module_utils.compose_load import (
    COMPOSE_SERVICE_KEYS,
    ComposeError,
    load_project,
    load_yaml,
    project_problems,
)

REPO = Path(__file__).resolve().parents[4]
# What the ecs_dev role lets compose files interpolate (roles/ecs_dev/vars/main.yml).
VARIABLES = (
    "ECR_REGISTRY",
    "ECR_NAMESPACE",
    "EXECUTION_ROLE_ARN",
    "TASK_ROLE_ARN",
    "AWS_REGION",
    "ECS_NAME",
    "DISCOVERY_NAMESPACE",
)
WEB = "services:\n  web:\n    image: nginx\n"


def problems(text, params=None):
    return project_problems(text, "compose_file c.yml", params, "ecs_params_file p.yml")[2]


@pytest.mark.parametrize(
    ("text", "params", "expected"),
    [
        pytest.param(
            "services:\n  web:\n    image: a\n  web:\n    image: b\n",
            None,
            ["compose_file c.yml: line 4: duplicate key 'web' in services (first at line 2); YAML keeps only the last"],
            id="duplicate-service",
        ),
        pytest.param(
            WEB + "    ports: ['80']\n    image: b\n",
            None,
            ["compose_file c.yml: line 5: duplicate key 'image' in services.web (first at line 3)"],
            id="duplicate-service-key",
        ),
        pytest.param(
            WEB + "    environment:\n      A: 1\n      B: 2\n      A: 3\n",
            None,
            ["line 7: duplicate key 'A' in services.web.environment (first at line 5)"],
            id="duplicate-deep-key",
        ),
        pytest.param(
            "version: '3'\n" + WEB + "version: '2'\n",
            None,
            ["line 5: duplicate key 'version' at the top level (first at line 1)"],
            id="duplicate-top-level-key",
        ),
        pytest.param(
            WEB + "    enviroment:\n      A: 1\n",
            None,
            ["compose_file c.yml: line 4: services.web.enviroment: unknown key; did you mean 'environment'?"],
            id="misspelt-service-key",
        ),
        pytest.param(
            WEB + "    qwertyuiop: 1\n",
            None,
            ["services.web.qwertyuiop: unknown key; see https://docs.docker.com/reference/compose-file/services/"],
            id="unknown-service-key-without-neighbour",
        ),
        pytest.param(
            "servics:\n  web:\n    image: a\n",
            None,
            ["compose_file c.yml: line 1: servics: unknown key; did you mean 'services'?"],
            id="misspelt-top-level-key",
        ),
        pytest.param(
            "x-base: &base\n  image: a\n  enviroment: {}\nservices:\n  web:\n    <<: *base\n",
            None,
            ["line 3: services.web.enviroment: unknown key; did you mean 'environment'?"],
            id="misspelt-key-through-a-merge",
        ),
        pytest.param(
            WEB + "   ports: ['80']\n",
            None,
            ["compose_file c.yml: not valid YAML at line 4, column 4: expected <block end>", "check the indentation"],
            id="dedented-key",
        ),
        pytest.param(
            WEB + "      ports: ['80']\n",
            None,
            ["compose_file c.yml: not valid YAML at line 4, column 12: mapping values are not allowed here"],
            id="indented-key",
        ),
        pytest.param(
            "services: {web: {image: a}\n",
            None,
            ["compose_file c.yml: not valid YAML at line 2, column 1: expected ',' or '}'", "flow mapping, line 1"],
            id="unclosed-flow-mapping",
        ),
        pytest.param("- a\n", None, ["compose_file c.yml: expected a mapping at the top level, got a list"], id="list"),
        pytest.param("", None, ["compose_file c.yml: expected a mapping at the top level, got nothing"], id="empty"),
        pytest.param(
            WEB,
            "version: 1\ntask_defintion: {}\n",
            ["ecs_params_file p.yml: line 2: task_defintion: unknown key; did you mean 'task_definition'?"],
            id="params-misspelt-top-level-key",
        ),
        pytest.param(
            WEB,
            "version: 1\nother: 1\n",
            ["other: unknown key; the keys here are version, task_definition, run_params"],
            id="params-unknown-top-level-key",
        ),
        pytest.param(
            WEB,
            "version: 1\ntask_definition:\n  task_role: x\n",
            ["line 3: task_definition.task_role: unknown key; did you mean 'task_role_arn'?"],
            id="params-misspelt-task-key",
        ),
        pytest.param(
            WEB,
            "version: 1\ntask_definition:\n  task_size: {cpu: 256}\n",
            ["task_definition.task_size.cpu: unknown key; the keys here are cpu_limit, mem_limit"],
            id="params-unknown-task-size-key",
        ),
        pytest.param(
            WEB,
            "version: 1\ntask_definition:\n  services:\n    webb: {essential: true}\n",
            [
                "ecs_params_file p.yml: line 4: task_definition.services.webb: not a service of compose_file c.yml "
                "(it defines web); did you mean 'web'?"
            ],
            id="params-unknown-service",
        ),
        pytest.param(
            WEB,
            "version: 1\ntask_definition:\n  services:\n    web: {mem_limt: 512}\n",
            ["task_definition.services.web.mem_limt: unknown key; did you mean 'mem_limit'?"],
            id="params-misspelt-service-key",
        ),
        pytest.param(
            WEB,
            "version: 1\ntask_definition:\n  services:\n    web: {}\n    web: {}\n",
            ["ecs_params_file p.yml: line 5: duplicate key 'web' in task_definition.services (first at line 4)"],
            id="params-duplicate-service",
        ),
        pytest.param(
            WEB,
            "version: 1\n  task_definition: {}\n",
            ["ecs_params_file p.yml: not valid YAML at line 2"],
            id="params-yaml",
        ),
    ],
)
def test_problems_name_the_file_the_line_and_the_fix(text, params, expected):
    found = problems(text, params)
    assert len(found) == 1, found
    for fragment in expected:
        assert fragment in found[0], found


def test_every_problem_is_listed_in_file_order():
    text = WEB + "    enviroment: {}\n    image: b\n  db:\n    imagee: x\n"
    found = problems(text, "version: 1\ntask_definition:\n  servics: {}\n")
    assert [re.sub(r": (duplicate|services|task).*", "", p) for p in found] == [
        "compose_file c.yml: line 4",
        "compose_file c.yml: line 5",
        "compose_file c.yml: line 7",
        "ecs_params_file p.yml: line 3",
    ]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(WEB + "    build: .\n    restart: always\n    stdin_open: true\n", id="keys-ecs-cli-skipped"),
        pytest.param(WEB + "    x-note: 1\nx-common: {a: 1}\n", id="extension-keys"),
        pytest.param(
            "x-env: &env\n  A: 1\nservices:\n  web:\n    image: a\n    environment:\n      <<: *env\n      A: 2\n",
            id="merge-key-overridden",
        ),
        pytest.param("services:\n  a: &svc\n    image: x\n  b: *svc\n", id="alias-reused"),
    ],
)
def test_what_compose_accepts_passes(text):
    assert problems(text) == []


def test_keys_ecs_cli_ignored_stay_warnings_of_the_translator():
    document, _ = load_project(WEB + "    restart: always\n", "compose_file c.yml")
    _, warnings = compose.compose_to_task_definition(document, "f")
    assert any("option name=restart service name=web" in w for w in warnings), warnings


def test_load_project_raises_with_every_problem():
    with pytest.raises(ComposeError) as error:
        load_project(WEB + "    enviroment: {}\n    imag: x\n", "compose_file c.yml")
    assert len(error.value.problems) == 2
    assert str(error.value) == "\n".join(error.value.problems)


def test_load_yaml_refuses_duplicates_but_not_unknown_keys():
    with pytest.raises(ComposeError, match="duplicate key 'image'"):
        load_yaml(WEB + "    image: b\n", "compose")
    assert load_yaml(WEB + "    enviroment: {}\n", "compose")["services"]["web"]["enviroment"] == {}


def test_ports_stay_strings():
    document, _ = load_project(WEB + "    ports:\n      - 80:80\n", "c")
    assert document["services"]["web"]["ports"] == ["80:80"]


def test_every_key_the_translator_handles_is_a_compose_key():
    source = inspect.getsource(compose._Service.translate)
    handled = set(re.findall(r'^\s+"([a-z_]+)": (?:self\.|None)', source, re.MULTILINE))
    assert handled and handled <= set(COMPOSE_SERVICE_KEYS), handled - set(COMPOSE_SERVICE_KEYS)


@pytest.mark.parametrize("inventory", ["dev", "local"])
def test_the_demo_compose_files_load_cleanly(inventory):
    files = REPO / "inventories" / inventory / "files" / "dev"
    compose_text = (files / "docker-compose.yml").read_text()
    params_text = (files / "ecs-params.yml").read_text()
    document, params, found = project_problems(compose_text, "compose", params_text, "params")
    assert found == []
    variables = dict.fromkeys(VARIABLES, "x")
    variables["EXECUTION_ROLE_ARN"] = "arn:aws:iam::000000000000:role/x"
    _, warnings = compose.compose_to_task_definition(document, "demo", ecs_params=params, variables=variables)
    assert warnings == []
