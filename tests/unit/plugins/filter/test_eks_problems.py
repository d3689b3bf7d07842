"""teamf.platform.eks_problems: a valid cluster passes, each refusal names the variable, the value and the fix."""

import pytest
from ansible_collections.teamf.platform.plugins.filter.eks_problems import eks_problems

ROLE = "arn:aws:iam::123456789012:role/teamf-ci-deploy-staging"
VALID = {
    "eks_cluster_name": "teamf-staging",
    "eks_version": "1.32",
    "eks_public_access_cidrs": ["0.0.0.0/0"],
    "eks_logging": ["api", "audit"],
    "eks_kms_key_arn": "",
    "eks_admin_principals": [ROLE],
    "eks_access_entries": [
        {"principal_arn": ROLE, "kubernetes_groups": ["teamf:developers"]},
        {
            "principal_arn": ROLE,
            "access_policies": [
                {"policy": "AmazonEKSEditPolicy", "access_scope": {"type": "namespace", "namespaces": ["teamf"]}}
            ],
        },
        {
            "principal_arn": ROLE,
            "access_policies": [{"policy": "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy"}],
        },
    ],
    "eks_irsa_roles": [{"name": "aws-load-balancer-controller", "namespace": "kube-system", "service_account": "x"}],
}


def test_a_valid_definition_has_no_problems():
    assert eks_problems(VALID) == []
    assert eks_problems({"eks_cluster_name": "teamf-prod"}) == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param({"eks_cluster_name": "teamf prod"}, "eks_cluster_name: 'teamf prod' must be 1 to 100", id="name"),
        pytest.param({"eks_cluster_name": "-teamf"}, "starting with a letter or digit", id="name-start"),
        pytest.param({"eks_cluster_name": "t" * 101}, "must be 1 to 100", id="name-length"),
        pytest.param({"eks_version": 1.3}, 'read as a number; quote it, e.g. eks_version: "1.3"', id="version-float"),
        pytest.param({"eks_version": "v1.32"}, 'such as "1.32"', id="version-shape"),
        pytest.param({"eks_public_access_cidrs": ["10.0.0.0/33"]}, "'10.0.0.0/33' is not an IPv4 CIDR", id="cidr"),
        pytest.param({"eks_logging": ["api", "audits"]}, "eks_logging: audits unknown; choose from", id="log"),
        pytest.param({"eks_kms_key_arn": "my-key"}, "eks_kms_key_arn: 'my-key' must be a KMS key ARN", id="kms"),
        pytest.param({"eks_admin_principals": ["alice"]}, "eks_admin_principals: 'alice'", id="admin"),
        pytest.param(
            {"eks_access_entries": [{"principal_arn": "role/dev"}]},
            "eks_access_entries[0].principal_arn: 'role/dev' must be an IAM role or user ARN",
            id="entry-arn",
        ),
        pytest.param(
            {"eks_access_entries": [{"principal_arn": ROLE, "access_policies": [{"policy": "Edit"}]}]},
            "access_policies[0].policy: 'Edit' must be one of",
            id="entry-policy",
        ),
        pytest.param(
            {
                "eks_access_entries": [
                    {
                        "principal_arn": ROLE,
                        "access_policies": [{"policy": "AmazonEKSViewPolicy", "access_scope": {"type": "namespace"}}],
                    }
                ]
            },
            "a namespace scope needs namespaces",
            id="entry-scope",
        ),
        pytest.param(
            {
                "eks_access_entries": [
                    {
                        "principal_arn": ROLE,
                        "access_policies": [{"policy": "AmazonEKSViewPolicy", "access_scope": {"type": "ns"}}],
                    }
                ]
            },
            "must be 'cluster' or 'namespace'",
            id="entry-scope-type",
        ),
        pytest.param(
            {"eks_irsa_roles": [{"name": "x", "namespace": "y"}]},
            "eks_irsa_roles[0]: set service_account",
            id="irsa-missing",
        ),
        pytest.param(
            {"eks_irsa_roles": [{"name": "n" * 60, "namespace": "y", "service_account": "z"}]},
            "characters, IAM allows 64; shorten the name",
            id="irsa-length",
        ),
    ],
)
def test_problems_name_the_variable_value_and_fix(changes, expected):
    problems = eks_problems({**VALID, **changes})
    assert any(expected in problem for problem in problems), problems
