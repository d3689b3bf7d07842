"""Every chart under charts/ x every EKS environment's values, offline: it renders, `helm lint --strict`
passes, the manifests validate strictly against the environment's Kubernetes version, and checkov finds
nothing it was not told to skip with a written reason. Bad values fail naming the field. Then one real
install of the backend chart into the Kubernetes stand-in, read back from the API."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
CHARTS = REPO / "charts"
INVENTORIES = REPO / "inventories"
BIN = Path(sys.executable).parent
HELM = BIN / "helm"
KUBERNETES_VALIDATE = BIN / "kubernetes-validate"
# checkov pins packages the main lock pins differently, so `make setup` gives it a venv of its own.
CHECKOV = BIN.parent / "tools" / "checkov" / "bin" / "checkov"


def eks_environments() -> list[str]:
    """The environments whose inventory puts their host in eks_environments (staging, prod)."""
    envs = []
    for hosts in sorted(INVENTORIES.glob("*/hosts.yml")):
        if hosts.parent.name == "local":
            continue
        children = yaml.safe_load(hosts.read_text())["all"]["children"]
        envs += list((children.get("eks_environments") or {}).get("hosts") or {})
    return envs


ENVIRONMENTS = eks_environments()

# Every chart under charts/ (a directory there) and what it must render with each environment's values.
EXPECTED_KINDS = {
    "api": {
        "ServiceAccount": 3,
        "Deployment": 3,
        "Service": 3,
        "PodDisruptionBudget": 2,
        "HorizontalPodAutoscaler": 1,
        "Ingress": 1,
        "NetworkPolicy": 3,
    },
    "platform-rbac": {"Role": 1, "RoleBinding": 1, "ClusterRole": 1, "ClusterRoleBinding": 1},
    "standins/aws-load-balancer-controller": {"ServiceAccount": 1, "Deployment": 1, "Service": 1, "IngressClass": 1},
    "standins/kube-prometheus-stack": {"ServiceAccount": 1, "Deployment": 3, "Secret": 1, "Service": 1},
    "standins/aws-for-fluent-bit": {
        "ServiceAccount": 1,
        "ClusterRole": 1,
        "ClusterRoleBinding": 1,
        "ConfigMap": 1,
        "DaemonSet": 1,
    },
}
CLUSTER_SCOPED = {"ClusterRole", "ClusterRoleBinding", "IngressClass"}


# Run-time facts the inventory's release values refer to, as a converge would have set them.
RUNTIME_FACTS = {
    "vpc_id": "vpc-0a1b2c3d4e5f60718",
    "eks_irsa_role_arns": {
        "aws-load-balancer-controller": "arn:aws:iam::123456789012:role/teamf-lbc",
        "aws-for-fluent-bit": "arn:aws:iam::123456789012:role/teamf-fluent-bit",
    },
    "platform_grafana_admin_password": "sample-not-a-secret",
}


def inventory(env: str) -> dict:
    """The release list and Kubernetes version exactly as Ansible renders them for ``env``."""
    wanted = "{{ {'releases': helm_release_releases, 'eks_version': eks_version} }}"
    proc = subprocess.run(
        [str(BIN / "ansible"), env, "-i", str(INVENTORIES / env), "-m", "ansible.builtin.debug",
         "-a", f"msg={wanted}", "-e", json.dumps(RUNTIME_FACTS)],
        cwd=REPO, capture_output=True, text=True, timeout=300, check=False,
        env=dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), ANSIBLE_LOAD_CALLBACK_PLUGINS="1",
                 ANSIBLE_STDOUT_CALLBACK="ansible.builtin.json"),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return json.loads(proc.stdout)["plays"][0]["tasks"][0]["hosts"][env]["msg"]


def chart_of(release: dict) -> str:
    """The chart directory (under charts/) a release installs: a repository chart's local stand-in."""
    if release.get("chart_repo_url"):
        return f"standins/{release['chart_ref']}"
    return str(Path(release["chart_ref"]).resolve().relative_to(CHARTS))


def merged(base: dict, extra: dict) -> dict:
    out = dict(base)
    for key, value in extra.items():
        out[key] = merged(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


CASES = [
    pytest.param(chart, env, id=f"{chart.split('/')[-1]}-{env}") for chart in EXPECTED_KINDS for env in ENVIRONMENTS
]


def run(*cmd, check: bool = False) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=300, check=False)
    if check and proc.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, cmd))} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


@pytest.fixture(scope="module")
def inventories():
    return {env: inventory(env) for env in ENVIRONMENTS}


@pytest.fixture(scope="module")
def releases(tmp_path_factory, inventories):
    """(chart, env) -> (release name, namespace, values arguments) from the environment's inventory."""
    tmp = tmp_path_factory.mktemp("values")
    table = {}
    for env in ENVIRONMENTS:
        for release in inventories[env]["releases"]:
            chart = chart_of(release)
            if release.get("chart_version"):
                chart_yaml = yaml.safe_load((CHARTS / chart / "Chart.yaml").read_text())
                assert str(release["chart_version"]) == str(chart_yaml["version"]), f"{chart}: stand-in version"
            args = [a for f in release.get("values_files") or [] for a in ("-f", f)]
            inline = merged(release.get("values") or {}, release.get("secret_values") or {})
            if inline:
                path = tmp / f"{env}-{release['name']}.yml"
                path.write_text(yaml.safe_dump(inline))
                args += ["-f", str(path)]
            table[chart, env] = (release["name"], release["namespace"], args)
    return table


@pytest.fixture(scope="module")
def rendered(tmp_path_factory, releases):
    """helm template of every case, as the inventory installs it, into one directory (checkov scans it once)."""
    out = tmp_path_factory.mktemp("rendered")
    results = {}
    for (chart, env), (release, namespace, args) in releases.items():
        proc = run(HELM, "template", release, CHARTS / chart, "-n", namespace, *args)
        path = out / f"{env}--{chart.replace('/', '--')}.yaml"
        path.write_text(proc.stdout)
        results[chart, env] = (path, proc)
    return out, results


def documents(path: Path) -> list[dict]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def test_every_chart_is_checked():
    charts = sorted(str(c.parent.relative_to(CHARTS)) for c in CHARTS.rglob("Chart.yaml"))
    assert charts == sorted(EXPECTED_KINDS)


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_chart_is_released_in_every_eks_environment(releases, env):
    assert sorted(chart for chart, e in releases if e == env) == sorted(EXPECTED_KINDS)


def test_values_files_exist_for_eks_environments_only():
    assert ENVIRONMENTS == ["prod", "staging"]
    assert all((INVENTORIES / env / "values" / "api.yml").is_file() for env in ENVIRONMENTS)
    assert not (INVENTORIES / "dev" / "values").exists()  # dev runs on ECS


def _paths(tree: dict, prefix: str = "") -> set[str]:
    keys = set()
    for key, value in tree.items():
        keys.add(prefix + key)
        if isinstance(value, dict):
            keys |= _paths(value, f"{prefix}{key}.")
    return keys


def test_staging_and_prod_values_set_the_same_keys():
    staging, prod = (yaml.safe_load((INVENTORIES / e / "values" / "api.yml").read_text()) for e in ("staging", "prod"))
    assert _paths(staging) == _paths(prod)
    assert staging != prod


@pytest.mark.parametrize(("chart", "env"), CASES)
def test_renders(releases, rendered, chart, env):
    path, proc = rendered[1][chart, env]
    assert proc.returncode == 0, proc.stderr
    docs = documents(path)
    assert Counter(d["kind"] for d in docs) == Counter(EXPECTED_KINDS[chart])
    _, namespace, _ = releases[chart, env]
    for doc in docs:
        if doc["kind"] not in CLUSTER_SCOPED:
            # platform-rbac's Roles live in the application namespaces it lists.
            expected = "teamf" if chart == "platform-rbac" else namespace
            assert doc["metadata"].get("namespace") == expected, (doc["kind"], doc["metadata"]["name"])


@pytest.mark.parametrize(("chart", "env"), CASES)
def test_helm_lint_strict(releases, chart, env):
    _, namespace, args = releases[chart, env]
    proc = run(HELM, "lint", "--strict", CHARTS / chart, "-n", namespace, *args)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 chart(s) linted, 0 chart(s) failed" in proc.stdout


@pytest.mark.parametrize(("chart", "env"), CASES)
def test_kubernetes_validate_strict(inventories, rendered, chart, env):
    path, _ = rendered[1][chart, env]
    version = inventories[env]["eks_version"]
    proc = run(KUBERNETES_VALIDATE, "--strict", "-k", f"{version}.0", path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count(f"against version {version}") == len(documents(path))


@pytest.fixture(scope="module")
def checkov(rendered):
    """One offline checkov run (kubernetes framework) over every rendered case."""
    assert CHECKOV.exists(), f"{CHECKOV} is missing: run `make setup` (it installs requirements-checkov.txt)"
    directory, _ = rendered
    proc = run(CHECKOV, "-d", directory, "--framework", "kubernetes", "-o", "json", "--skip-download")
    report = json.loads(proc.stdout)
    assert report["summary"]["parsing_errors"] == 0, report["results"]["parsing_errors"]
    return report["results"]


@pytest.mark.parametrize(("chart", "env"), CASES)
def test_checkov_has_no_failure_without_a_written_reason(rendered, checkov, chart, env):
    name = "/" + rendered[1][chart, env][0].name

    def of_case(kind: str) -> list[dict]:
        return [c for c in checkov[kind] if c["file_path"] == name]

    assert len(of_case("passed_checks")) > 20
    failed = [(c["check_id"], c["check_name"], c["resource"]) for c in of_case("failed_checks")]
    assert failed == []
    for skipped in of_case("skipped_checks"):
        reason = skipped["check_result"].get("suppress_comment") or ""
        assert len(reason) > 20 and reason != "No comment provided", (skipped["check_id"], skipped["resource"])


# Bad values fail before anything reaches a cluster, naming the field: the schema (values.schema.json,
# also what `helm lint` checks) ...
SCHEMA_REJECTS = [
    ("api", ["--set", "usersApi.replicaCount=two"], "usersApi.replicaCount: Invalid type. Expected: integer"),
    ("api", ["--set", "usersApi.expose.type=nlb"], 'usersApi.expose.type must be one of the following: "ingress"'),
    ("api", ["--set", "authApi.image.digest=sha256:abc"], "authApi.image.digest: Does not match pattern"),
    ("api", ["--set", "release=1.0.0+build.5"], "release: Does not match pattern"),
    ("api", ["--set", "redis.persistence=true"], "Additional property persistence is not allowed"),
    ("api", ["--set", "usersApi.port=80"], "usersApi.port: Must be greater than or equal to 1024"),
    ("platform-rbac", ["--set", "developersGroup=Developers"], "developersGroup: Does not match pattern"),
    (
        "standins/aws-load-balancer-controller",
        ["--set", "clusterName=teamf-staging,region=ap-northeast-2"],
        "vpcId: Does not match pattern",
    ),
    (
        "standins/aws-for-fluent-bit",
        [
            "--set",
            "cloudWatchLogs.region=ap-northeast-2,cloudWatchLogs.logGroupName=/x,cloudWatchLogs.logRetentionDays=10",
        ],
        "cloudWatchLogs.logRetentionDays must be one of the following",
    ),
    (
        "standins/kube-prometheus-stack",
        ["--set", "grafana.adminPassword=x,prometheus.prometheusSpec.retention=15days"],
        "prometheus.prometheusSpec.retention: Does not match pattern",
    ),
]
# ... and the charts' own guards, for rules a schema cannot express.
TEMPLATE_GUARDS = [
    ("api", ["--set", "usersApi.image.tag=latest"], 'usersApi.image.tag "latest" is not a pinned version'),
    (
        "api",
        ["--set", "authApi.podDisruptionBudget.minAvailable=2"],
        "authApi.podDisruptionBudget.minAvailable (2) must be lower than the authApi replica count (2)",
    ),
    (
        "api",
        ["--set", "usersApi.autoscaling.minReplicas=5,usersApi.autoscaling.maxReplicas=3"],
        "usersApi.autoscaling.minReplicas (5) must not exceed usersApi.autoscaling.maxReplicas (3)",
    ),
    (
        "platform-rbac",
        ["--set", "developersGroup=system:masters"],
        'developersGroup "system:masters" is a Kubernetes system group',
    ),
    ("platform-rbac", ["--set", "namespaces={teamf,kube-system}"], 'namespaces: "kube-system" is a system namespace'),
    (
        "standins/kube-prometheus-stack",
        [],
        "grafana.admin.existingSecret (preferred) or grafana.adminPassword must be set",
    ),
]


@pytest.mark.parametrize(
    ("chart", "args", "message"),
    [
        pytest.param(*case, id=f"{case[0].split('/')[-1]}-{i}")
        for i, case in enumerate(SCHEMA_REJECTS + TEMPLATE_GUARDS)
    ],
)
def test_bad_values_fail_naming_the_field(chart, args, message):
    proc = run(HELM, "template", chart.split("/")[-1], CHARTS / chart, "-n", "teamf", *args)
    assert proc.returncode != 0
    assert message in proc.stderr


def test_lint_fails_on_a_broken_value():
    proc = run(HELM, "lint", "--strict", CHARTS / "api", "-f", INVENTORIES / "prod" / "values" / "api.yml",
               "--set", "usersApi.port=80")  # fmt: skip
    assert proc.returncode != 0
    assert "usersApi.port: Must be greater than or equal to 1024" in proc.stdout
    assert "1 chart(s) linted, 1 chart(s) failed" in proc.stderr


def _api(*args: str) -> dict[tuple[str, str], dict]:
    out = run(HELM, "template", "api", CHARTS / "api", "-n", "teamf", *args, check=True).stdout
    return {(d["kind"], d["metadata"]["name"]): d for d in yaml.safe_load_all(out) if d}


def test_users_api_behind_an_alb_with_https_when_a_certificate_is_given():
    arn = "arn:aws:acm:ap-northeast-2:123456789012:certificate/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
    objects = _api("--set", f"usersApi.expose.ingress.certificateArn={arn}")
    annotations = objects["Ingress", "api-users-api"]["metadata"]["annotations"]
    assert json.loads(annotations["alb.ingress.kubernetes.io/listen-ports"]) == [{"HTTP": 80}, {"HTTPS": 443}]
    assert annotations["alb.ingress.kubernetes.io/certificate-arn"] == arn
    assert annotations["alb.ingress.kubernetes.io/ssl-redirect"] == "443"


def test_users_api_behind_an_nlb():
    objects = _api("-f", str(INVENTORIES / "prod" / "values" / "api.yml"), "--set", "usersApi.expose.type=loadBalancer")
    assert ("Ingress", "api-users-api") not in objects
    service = objects["Service", "api-users-api"]
    assert service["spec"]["type"] == "LoadBalancer"
    assert service["spec"]["loadBalancerClass"] == "service.k8s.aws/nlb"
    annotations = service["metadata"]["annotations"]
    assert annotations["service.beta.kubernetes.io/aws-load-balancer-nlb-target-type"] == "ip"
    assert annotations["service.beta.kubernetes.io/aws-load-balancer-scheme"] == "internet-facing"
    assert annotations["service.beta.kubernetes.io/aws-load-balancer-healthcheck-path"] == "/healthz"
    assert objects["Service", "api-auth-api"]["spec"]["type"] == "ClusterIP"


def test_a_digest_pins_the_image_and_lifts_the_digest_waiver():
    digest = "sha256:" + "0123456789abcdef" * 4
    objects = _api("--set", f"usersApi.image.digest={digest}")
    deployment = objects["Deployment", "api-users-api"]
    assert deployment["spec"]["template"]["spec"]["containers"][0]["image"].endswith(f"/teamf/users-api@{digest}")
    assert "checkov.io/skip1" not in deployment["metadata"]["annotations"]
    assert "checkov.io/skip1" in objects["Deployment", "api-auth-api"]["metadata"]["annotations"]


# --- one install into the Kubernetes stand-in, read back from the API -----------------------------

NS = "teamf"
RELEASE = "2026.11.1"


@pytest.fixture(scope="module")
def installed(module_cli):
    """helm install of the api chart with staging's values, then every object it made, by kind."""
    notes = module_cli.helm(
        "install", "api", str(CHARTS / "api"), "-n", NS, "--create-namespace",
        "-f", str(INVENTORIES / "staging" / "values" / "api.yml"), "--set", f"release={RELEASE}",
        "--wait", "--atomic", "--timeout", "120s",
    ).stdout  # fmt: skip
    kinds = ("deployments", "services", "ingresses", "poddisruptionbudgets", "horizontalpodautoscalers",
             "networkpolicies", "serviceaccounts")  # fmt: skip
    objects = {
        kind: {
            i["metadata"]["name"]: i
            for i in module_cli.get(kind, "-n", NS, "-l", "app.kubernetes.io/instance=api")["items"]
        }
        for kind in kinds
    }
    return notes, objects


def test_installed_workloads_are_ready_hardened_and_labelled_with_the_release(installed):
    _, objects = installed
    deployments = objects["deployments"]
    assert sorted(deployments) == ["api-auth-api", "api-redis", "api-users-api"]
    for name, deployment in deployments.items():
        assert deployment["metadata"]["labels"]["teamf.io/release"] == RELEASE
        assert deployment["metadata"]["annotations"]["teamf.io/release"] == RELEASE
        template = deployment["spec"]["template"]
        assert template["metadata"]["labels"]["teamf.io/release"] == RELEASE
        assert "teamf.io/release" not in deployment["spec"]["selector"]["matchLabels"]
        assert deployment["status"]["availableReplicas"] == deployment["spec"]["replicas"], name
        pod = template["spec"]
        assert pod["automountServiceAccountToken"] is False
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        (container,) = pod["containers"]
        assert container["securityContext"]["readOnlyRootFilesystem"] is True
        assert container["securityContext"]["allowPrivilegeEscalation"] is False
        assert container["securityContext"]["capabilities"]["drop"] == ["ALL"]
        assert set(container["resources"]) == {"requests", "limits"}
        assert container["readinessProbe"] and container["livenessProbe"]
        assert "/tmp" in {m["mountPath"] for m in container["volumeMounts"]}
    assert deployments["api-auth-api"]["spec"]["replicas"] == 2  # staging's value
    auth_env = {
        e["name"]: e["value"] for e in deployments["api-auth-api"]["spec"]["template"]["spec"]["containers"][0]["env"]
    }
    assert (auth_env["REDIS_HOST"], auth_env["REDIS_PORT"]) == ("api-redis", "6379")
    assert all(sa["automountServiceAccountToken"] is False for sa in objects["serviceaccounts"].values())


def test_installed_services_keep_auth_api_and_redis_internal(installed):
    _, objects = installed
    services = objects["services"]
    assert {name: s["spec"]["type"] for name, s in services.items()} == {
        "api-auth-api": "ClusterIP",
        "api-users-api": "ClusterIP",
        "api-redis": "ClusterIP",
    }
    assert services["api-redis"]["spec"]["ports"][0]["port"] == 6379
    redis_policy = objects["networkpolicies"]["api-redis"]["spec"]
    assert (
        redis_policy["ingress"][0]["from"][0]["podSelector"]["matchLabels"]["app.kubernetes.io/component"] == "auth-api"
    )


def test_installed_users_api_is_exposed_through_an_alb_ingress(installed):
    notes, objects = installed
    ingress = objects["ingresses"]["api-users-api"]
    assert ingress["spec"]["ingressClassName"] == "alb"
    annotations = ingress["metadata"]["annotations"]
    assert annotations["alb.ingress.kubernetes.io/target-type"] == "ip"
    assert annotations["alb.ingress.kubernetes.io/scheme"] == "internet-facing"
    assert annotations["alb.ingress.kubernetes.io/healthcheck-path"] == "/healthz"
    (rule,) = ingress["spec"]["rules"]
    assert rule["host"] == "api.staging.teamf.example"
    assert rule["http"]["paths"][0]["backend"]["service"] == {"name": "api-users-api", "port": {"name": "http"}}
    assert ingress["status"]["loadBalancer"]["ingress"][0]["hostname"].endswith(".elb.amazonaws.com")
    assert "users-api is exposed through an ALB (Ingress api-users-api" in notes


def test_installed_disruption_budgets_and_autoscaler(installed):
    _, objects = installed
    assert {n: p["spec"]["minAvailable"] for n, p in objects["poddisruptionbudgets"].items()} == {
        "api-auth-api": 1,
        "api-users-api": 1,
    }
    hpa = objects["horizontalpodautoscalers"]["api-users-api"]["spec"]
    assert (hpa["minReplicas"], hpa["maxReplicas"]) == (2, 4)  # staging's bounds
    assert hpa["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "api-users-api"}
    assert hpa["metrics"][0]["resource"]["target"] == {"type": "Utilization", "averageUtilization": 70}
