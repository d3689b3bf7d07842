"""teamf.platform.helm_releases and helm_release_problems: the helm_release role's releases, checked."""

import pytest
from ansible_collections.teamf.platform.plugins.filter.helm_release_problems import helm_release_problems
from ansible_collections.teamf.platform.plugins.filter.helm_releases import helm_releases

REPO = {"name": "alb", "namespace": "kube-system", "chart_ref": "aws-load-balancer-controller"}
REPO |= {"chart_repo_url": "https://aws.github.io/eks-charts", "chart_version": "1.13.3"}


def test_defaults_repository_charts_and_relative_paths(tmp_path):
    local = {"name": "api", "namespace": "teamf", "chart_ref": "../charts/api", "values_files": ["v.yml", "/abs.yml"]}
    oci = {"name": "oci", "namespace": "x", "chart_ref": "oci://registry/charts/x", "chart_version": "1.0.0"}
    api, alb, pulled = helm_releases([local, REPO, oci], {}, base_dir="/play")
    assert api == local | {
        "state": "present",
        "create_namespace": True,
        "values": {},
        "secret_values": {},
        "chart_ref": "/play/../charts/api",
        "values_files": ["/play/v.yml", "/abs.yml"],
        "repository_chart": False,
    }
    assert alb["repository_chart"] is True and alb["chart_ref"] == "aws-load-balancer-controller"
    assert pulled["repository_chart"] is True and pulled["chart_ref"] == "oci://registry/charts/x"


def test_an_override_replaces_the_whole_chart_source_and_keeps_the_values():
    release = REPO | {"values": {"clusterName": "teamf-staging"}}
    override = {"alb": {"chart_ref": "charts/standins/aws-load-balancer-controller"}}
    (alb,) = helm_releases([release], override, base_dir="/play")
    assert alb["chart_ref"] == "/play/charts/standins/aws-load-balancer-controller"
    assert "chart_repo_url" not in alb and "chart_version" not in alb and alb["repository_chart"] is False
    assert alb["values"] == {"clusterName": "teamf-staging"}


def test_the_input_is_not_changed():
    release = {"name": "api", "namespace": "teamf", "chart_ref": "c", "values_files": ["v.yml"]}
    helm_releases([release], {}, base_dir="/play")
    assert release == {"name": "api", "namespace": "teamf", "chart_ref": "c", "values_files": ["v.yml"]}


@pytest.fixture
def chart(tmp_path):
    (tmp_path / "chart").mkdir()
    (tmp_path / "values.yml").write_text("a: 1\n")
    return tmp_path


def completed(chart, **fields):
    base = {"name": "api", "namespace": "teamf", "chart_ref": "chart", "values_files": ["values.yml"]}
    (release,) = helm_releases([base | fields], {}, base_dir=str(chart))
    return release


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        pytest.param({"name": "API"}, "helm_release_releases[0] (API).name: must be a DNS label", id="name"),
        pytest.param({"name": "a" * 54}, ".name: must be a DNS label", id="name-too-long"),
        pytest.param({"chart_ref": ""}, "(api).chart_ref: required for a present release", id="no-chart"),
        pytest.param(
            {"chart_ref": "x", "chart_repo_url": "https://charts"},
            "(api).chart_version: a repository chart must be pinned",
            id="unpinned",
        ),
        pytest.param({"chart_ref": "missing"}, "/missing not found (set chart_repo_url", id="local-missing"),
        pytest.param(
            {"chart_ref": "x", "chart_repo_url": "ftp://charts", "chart_version": "1"},
            "(api).chart_repo_url: ftp://charts is not an http(s) or oci URL",
            id="repo-url",
        ),
        pytest.param({"values_files": ["values.yml", "nope.yml"]}, "(api).values_files[1]: ", id="values-file"),
    ],
)
def test_each_problem_names_its_field(chart, fields, problem):
    (found,) = helm_release_problems([completed(chart, **fields)])
    assert problem in found


def test_a_good_release_and_an_absent_one_have_no_problem(chart):
    gone = completed(chart, name="old", state="absent", chart_ref="")
    assert helm_release_problems([completed(chart), gone]) == []


def test_duplicate_names_are_reported_once_even_when_removing(chart):
    twice = [completed(chart), completed(chart), completed(chart, name="ok")]
    expected = ["helm_release_releases: release name api is listed 2 times; names must be unique"]
    assert helm_release_problems(twice) == expected
    broken = [completed(chart, chart_ref=""), completed(chart, chart_ref="")]
    assert helm_release_problems(broken, state="absent") == expected
