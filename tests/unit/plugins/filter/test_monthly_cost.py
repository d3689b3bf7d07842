"""teamf.platform.monthly_cost: what exists x the pinned price table, to the cent, and every refusal."""

from pathlib import Path

import pytest
import yaml
from ansible.errors import AnsibleFilterError
from ansible_collections.teamf.platform.plugins.filter.monthly_cost import monthly_cost

ROOT = Path(__file__).resolve().parents[4]
TABLE = yaml.safe_load((ROOT / "playbooks/files/aws_prices.yml").read_text())
SEOUL = TABLE["regions"]["ap-northeast-2"]


def test_the_table_names_its_date_sources_and_the_platform_region():
    inventory = yaml.safe_load((ROOT / "inventories/shared/group_vars/all.yml").read_text())
    assert inventory["platform_region"] in TABLE["regions"]
    assert TABLE["as_of"] and TABLE["currency"] == "USD" and TABLE["hours_per_month"] == 730
    assert set(TABLE["sources"]) == {"ec2", "nat_gateway", "alb", "eks_cluster"}
    assert all(url.startswith("https://aws.amazon.com/") for url in TABLE["sources"].values())
    assert SEOUL["eks_cluster"] == 0.10


@pytest.mark.parametrize(
    ("resources", "lines", "total"),
    [
        pytest.param(
            # dev: one t3.medium container instance, one NAT gateway (single), one ALB
            {"ec2": {"t3.medium": 1}, "nat_gateway": 1, "alb": 1},
            [
                ("EC2 t3.medium", 1, 0.052, 37.96),
                ("NAT gateway", 1, 0.059, 43.07),
                ("load balancer (ALB)", 1, 0.0225, 16.43),
            ],
            97.46,
            id="dev",
        ),
        pytest.param(
            # staging: two m6i.large nodes, a NAT gateway per zone (3), the control plane
            {"ec2": {"m6i.large": 2}, "nat_gateway": 3, "eks_cluster": 1},
            [
                ("EC2 m6i.large", 2, 0.118, 172.28),
                ("NAT gateway", 3, 0.059, 129.21),
                ("EKS control plane", 1, 0.1, 73.0),
            ],
            374.49,
            id="staging",
        ),
        pytest.param(
            {"ec2": {"m6i.large": 3, "t3.medium": 2}, "nat_gateway": 0, "alb": 2},
            [
                ("EC2 m6i.large", 3, 0.118, 258.42),
                ("EC2 t3.medium", 2, 0.052, 75.92),
                ("load balancer (ALB)", 2, 0.0225, 32.85),
            ],
            367.19,
            id="types-sorted-zero-counts-left-out",
        ),
        pytest.param({}, [], 0.0, id="nothing-exists"),
    ],
)
def test_cost_per_line_and_total_to_the_cent(resources, lines, total):
    cost = monthly_cost(resources, TABLE, "ap-northeast-2")
    assert [(line["item"], line["count"], line["hourly"], line["monthly"]) for line in cost["lines"]] == lines
    assert cost["total"] == total
    assert (cost["currency"], cost["as_of"], cost["hours_per_month"]) == ("USD", TABLE["as_of"], 730)


def test_each_region_has_its_own_prices():
    seoul = monthly_cost({"nat_gateway": 1}, TABLE, "ap-northeast-2")["total"]
    virginia = monthly_cost({"nat_gateway": 1}, TABLE, "us-east-1")["total"]
    assert (seoul, virginia) == (43.07, 32.85)


@pytest.mark.parametrize(
    ("resources", "region", "message"),
    [
        pytest.param(
            {"ec2": {"c7g.large": 1}},
            "ap-northeast-2",
            "no hourly price for ec2.c7g.large in region ap-northeast-2: add regions.ap-northeast-2.ec2.c7g.large",
            id="unknown-instance-type",
        ),
        pytest.param(
            {"nat_gateway": 1}, "eu-west-1", "argument 'region': 'eu-west-1' has no prices", id="unknown-region"
        ),
        pytest.param({"nat_gateway": -1}, "ap-northeast-2", "'nat_gateway' must be a count", id="negative-count"),
        pytest.param({"alb": "one"}, "ap-northeast-2", "'alb' must be a count", id="word-count"),
        pytest.param({"ec2": ["t3.medium"]}, "ap-northeast-2", "'ec2' must map instance types", id="ec2-not-a-map"),
        pytest.param({"rds": 1}, "ap-northeast-2", "input field 'rds' is not priced", id="unpriced-item"),
    ],
)
def test_refusals_name_the_field_and_the_fix(resources, region, message):
    with pytest.raises(AnsibleFilterError, match=message.replace(".", r"\.").replace("(", r"\(")):
        monthly_cost(resources, TABLE, region)


def test_a_zero_count_needs_no_price():
    assert monthly_cost({"ec2": {"c7g.large": 0}}, TABLE, "ap-northeast-2")["lines"] == []
