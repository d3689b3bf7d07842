"""teamf.platform.subnet_tags: discovery tags and every refusal."""

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.teamf.platform.plugins.filter.subnet_tags import subnet_tags


@pytest.mark.parametrize(
    ("role", "clusters", "extra", "expected"),
    [
        ("public", [], {}, {"kubernetes.io/role/elb": "1"}),
        ("internal", [], {}, {"kubernetes.io/role/internal-elb": "1"}),
        ("none", [], {"Name": "dev-private-data-a"}, {"Name": "dev-private-data-a"}),
        (
            "internal",
            ["teamf-prod"],
            {"Environment": "prod"},
            {
                "Environment": "prod",
                "kubernetes.io/role/internal-elb": "1",
                "kubernetes.io/cluster/teamf-prod": "shared",
            },
        ),
        (
            "public",
            ["a", "b_2"],
            {"Count": 3},
            {
                "Count": "3",
                "kubernetes.io/role/elb": "1",
                "kubernetes.io/cluster/a": "shared",
                "kubernetes.io/cluster/b_2": "shared",
            },
        ),
        ("none", None, None, {}),
    ],
)
def test_tags(role, clusters, extra, expected):
    assert subnet_tags(role, clusters, extra) == expected


@pytest.mark.parametrize(
    ("role", "clusters", "extra", "argument", "hint"),
    [
        ("dmz", [], {}, "_input", "must be one of public, internal, none"),
        ("public", "teamf-prod", {}, "clusters", "must be a list"),
        ("public", ["-leading-dash"], {}, "clusters[0]", "not a valid EKS cluster name"),
        ("public", ["ok", "x" * 101], {}, "clusters[1]", "not a valid EKS cluster name"),
        ("public", [], ["Name"], "extra", "must be a dict"),
        ("public", [], {"kubernetes.io/role/elb": "1"}, "extra", "sets discovery tag(s) kubernetes.io/role/elb"),
        ("none", [], {"kubernetes.io/cluster/x": "owned"}, "extra", "pass the role and clusters instead"),
    ],
)
def test_refusals(role, clusters, extra, argument, hint):
    with pytest.raises(AnsibleFilterError) as err:
        subnet_tags(role, clusters, extra)
    assert str(err.value).startswith(f"subnet_tags: argument '{argument}' = ")
    assert hint in str(err.value)
