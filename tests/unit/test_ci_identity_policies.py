"""The CI roles' least-privilege policies: README.md's table is vars/main.yml, and "*" is earned.

``roles/ci_identity/vars/main.yml`` is the single source of what each CI role may do; molecule compares
IAM's read-back with it. Here the policy table in the role's README is held equal to it (a table that
drifts from the policy is worse than none), and the rules of the policies are enforced: no wildcard
actions, and ``Resource: "*"`` only for actions that have no resource type or that a condition scopes.
"""

import re
from pathlib import Path

import pytest
import yaml

ROLE = Path(__file__).resolve().parents[2] / "roles" / "ci_identity"
VARS = yaml.safe_load((ROLE / "vars" / "main.yml").read_text())
POLICIES = VARS["ci_identity__policies"]
STATEMENTS = VARS["ci_identity__statements"]
RESOURCES = VARS["ci_identity__resources"]

# Actions whose Service Authorization Reference entry lists no resource type: "*" is all they take.
# https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerregistry.html
# https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerservice.html
# https://docs.aws.amazon.com/service-authorization/latest/reference/list_elasticloadbalancingv2.html
NO_RESOURCE_TYPE = {
    "ecr:GetAuthorizationToken",
    "ecs:DescribeTaskDefinition",
    "ecs:RegisterTaskDefinition",
    # Elastic Load Balancing's Describe* actions take no resource type (Service Authorization Reference).
    "elasticloadbalancing:DescribeListeners",
    "elasticloadbalancing:DescribeLoadBalancers",
    "elasticloadbalancing:DescribeRules",
    "elasticloadbalancing:DescribeTags",
    "elasticloadbalancing:DescribeTargetGroupAttributes",
    "elasticloadbalancing:DescribeTargetGroups",
    "elasticloadbalancing:DescribeTargetHealth",
}
# Actions that take "*" with a condition key holding them to one resource.
SCOPED_BY_CONDITION = {"ecs:DescribeTasks": "ecs:cluster", "ecs:ListTasks": "ecs:cluster"}


def readme_rows() -> list[dict]:
    """The rows of README.md's policy table (the one whose header starts with "kind | Sid")."""
    lines = (ROLE / "README.md").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if re.match(r"\|\s*kind\s*\|\s*Sid\s*\|", line))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        kind, sid, actions, resource, condition = (cell.strip() for cell in line.strip().strip("|").split("|"))
        rows.append(
            {
                "kind": kind.strip("`"),
                "sid": sid.strip("`"),
                "actions": sorted(re.findall(r"`([^`]+)`", actions)),
                "resource": resource.strip("`"),
                # "`StringEquals` `ecs:CreateAction` = ...": the operator and the key.
                "condition": tuple(re.findall(r"`([^`]+)`", condition)[:2]),
            }
        )
    return rows


def vars_rows() -> list[dict]:
    rows = []
    for kind, sids in POLICIES.items():
        for sid in sids:
            statement = STATEMENTS[sid]
            condition = statement.get("condition", {})
            operator_key = ()
            if condition:
                [(operator, keys)] = condition.items()
                [key] = keys
                operator_key = (operator, key)
            rows.append(
                {
                    "kind": kind,
                    "sid": sid,
                    "actions": sorted(statement["actions"]),
                    "resource": statement["resource"],
                    "condition": operator_key,
                }
            )
    return rows


def test_readme_table_is_the_policy():
    assert readme_rows() == vars_rows()


def test_readme_names_every_resource():
    text = (ROLE / "README.md").read_text()
    for resource in RESOURCES:
        assert re.search(rf"^\| `{resource}` \|", text, re.MULTILINE), f"README.md: no row for resources `{resource}`"


def test_every_statement_is_used_and_every_resource_exists():
    used = {sid for sids in POLICIES.values() for sid in sids}
    assert used == set(STATEMENTS), f"unused statements: {set(STATEMENTS) - used}"
    for sid, statement in STATEMENTS.items():
        assert statement["resource"] in RESOURCES, sid
    assert RESOURCES["any"] == ["*"]


@pytest.mark.parametrize("sid", sorted(STATEMENTS))
def test_no_wildcard_actions(sid):
    for action in STATEMENTS[sid]["actions"]:
        assert re.fullmatch(r"[a-z0-9-]+:[A-Za-z]+", action), f"{sid}: {action!r} is not one exact action"


@pytest.mark.parametrize("sid", sorted(sid for sid, s in STATEMENTS.items() if s["resource"] == "any"))
def test_star_only_where_aws_allows_nothing_narrower(sid):
    statement = STATEMENTS[sid]
    condition_keys = {key for keys in statement.get("condition", {}).values() for key in keys}
    for action in statement["actions"]:
        scoped = SCOPED_BY_CONDITION.get(action)
        assert action in NO_RESOURCE_TYPE or scoped in condition_keys, (
            f'{sid}: {action} takes a resource type; name its ARNs instead of "*", or scope it by a condition'
        )


def test_build_role_only_pushes_images():
    actions = {a for sid in POLICIES["build"] for a in STATEMENTS[sid]["actions"]}
    assert {a.split(":")[0] for a in actions} == {"ecr"}
    assert "ecr:GetDownloadUrlForLayer" not in actions


PLATFORM_TABLES = {
    "PlatformLock": "lock_table",
    "PlatformHistory": "history_table",
    "PlatformHistoryTable": "history_table",
}


def test_eks_deploy_role_cannot_write():
    """Nothing but its own environment's lock and history items (held there by dynamodb:LeadingKeys), and the
    history table itself (created by the first deploy that records)."""
    actions = {a for sid in POLICIES["eks"] if sid not in PLATFORM_TABLES for a in STATEMENTS[sid]["actions"]}
    writes = {a for a in actions if re.match(r"[a-z0-9-]+:(Put|Create|Update|Delete|Register|Tag|Upload|Complete)", a)}
    assert writes == set()
    own_item = {"dynamodb:LeadingKeys": ["{{ ci_identity_environment }}"]}
    for sid, resource in PLATFORM_TABLES.items():
        assert STATEMENTS[sid]["resource"] == resource
        if sid != "PlatformHistoryTable":
            assert STATEMENTS[sid]["condition"] == {"ForAllValues:StringEquals": own_item}
    # The table statement creates and describes the table: no item action escapes the condition there.
    assert {a.split(":")[1] for a in STATEMENTS["PlatformHistoryTable"]["actions"]} == {
        "CreateTable",
        "DescribeTable",
        "TagResource",
    }


def test_pass_role_only_to_ecs_tasks():
    [sid] = [sid for sid, s in STATEMENTS.items() if "iam:PassRole" in s["actions"]]
    assert STATEMENTS[sid]["actions"] == ["iam:PassRole"]
    assert STATEMENTS[sid]["condition"] == {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}
    assert STATEMENTS[sid]["resource"] == "ecs_task_roles"
