"""teamf.platform.release_status and release_endpoints: what helm_release's info entry point publishes."""

import pytest
from ansible_collections.teamf.platform.plugins.filter.release_endpoints import release_endpoints
from ansible_collections.teamf.platform.plugins.filter.release_status import release_status

API = {"name": "api", "namespace": "teamf"}


def helm(release, **status):
    return {"item": release, "status": status or None}


def workload(kind, name, instance, *, generation=1, **status):
    spec = {"template": {"spec": {"containers": [{"image": f"registry/{name}@sha256:{'a' * 64}"}]}}}
    if kind != "DaemonSet":
        spec["replicas"] = 2
    labels = {"app.kubernetes.io/instance": instance} if instance else {}
    return {"metadata": {"name": name, "labels": labels, "generation": generation}, "spec": spec, "status": status}


def listing(namespace, kind, *objects):
    return {"item": [namespace, kind], "resources": list(objects)}


DEPLOYED = {"status": "deployed", "chart": "api-1.1.0", "app_version": "1.1.0", "revision": 3, "updated": "t"}


@pytest.mark.parametrize(
    ("objects", "kind", "ready", "ready_count", "desired"),
    [
        pytest.param([dict(readyReplicas=2, observedGeneration=1)], "Deployment", True, 2, 2, id="deployment-ready"),
        pytest.param([dict(readyReplicas=1, observedGeneration=1)], "Deployment", False, 1, 2, id="one-of-two"),
        pytest.param([dict(readyReplicas=2, observedGeneration=0)], "Deployment", False, 2, 2, id="old-generation"),
        pytest.param([dict(numberReady=3, desiredNumberScheduled=3)], "DaemonSet", True, 3, 3, id="daemonset-ready"),
        pytest.param([dict(numberReady=2, desiredNumberScheduled=3)], "DaemonSet", False, 2, 3, id="daemonset-short"),
        pytest.param([{}], "StatefulSet", False, 0, 2, id="no-status-yet"),
    ],
)
def test_a_release_is_ready_when_deployed_and_every_workload_is(objects, kind, ready, ready_count, desired):
    (status,) = objects
    read = [helm(API, **DEPLOYED)]
    found = release_status(read, [listing("teamf", kind, workload(kind, "users-api", "api", **status))])
    (entry,) = found
    assert entry["ready"] is ready and entry["not_ready"] == ([] if ready else ["users-api"])
    (only,) = entry["workloads"]
    assert (only["kind"], only["ready_count"], only["desired"]) == (kind, ready_count, desired)
    assert only["images"] == [f"registry/users-api@sha256:{'a' * 64}"]
    assert (entry["chart"], entry["app_version"], entry["revision"], entry["status"]) == (
        "api-1.1.0",
        "1.1.0",
        3,
        "deployed",
    )


def test_workloads_belong_to_a_release_by_instance_label_and_namespace():
    read = [helm(API, **DEPLOYED), helm({"name": "redis", "namespace": "teamf"}, status="deployed")]
    workloads = [
        listing(
            "teamf", "Deployment", workload("Deployment", "users-api", "api", readyReplicas=2, observedGeneration=1)
        ),
        listing(
            "teamf", "StatefulSet", workload("StatefulSet", "redis", "redis", readyReplicas=2, observedGeneration=1)
        ),
        listing("other", "Deployment", workload("Deployment", "lookalike", "api")),
        listing("teamf", "Deployment", workload("Deployment", "unlabelled", None)),
    ]
    api, redis = release_status(read, workloads)
    assert [w["name"] for w in api["workloads"]] == ["users-api"]
    assert [w["name"] for w in redis["workloads"]] == ["redis"]


def test_a_release_helm_does_not_know_is_not_installed_and_not_ready():
    (entry,) = release_status([helm(API)], [])
    assert entry["status"] == "not installed" and entry["ready"] is False and entry["workloads"] == []
    assert (entry["chart"], entry["revision"]) == ("", "")


def test_a_failed_release_with_ready_workloads_is_not_ready():
    ok = workload("Deployment", "users-api", "api", readyReplicas=2, observedGeneration=1)
    (entry,) = release_status([helm(API, status="failed")], [listing("teamf", "Deployment", ok)])
    assert entry["ready"] is False and entry["not_ready"] == []


def service(name, kind_of_service, hostname=None, namespace="teamf"):
    status = {"loadBalancer": {"ingress": [{"hostname": hostname}]}} if hostname else {}
    return {"metadata": {"name": name, "namespace": namespace}, "spec": {"type": kind_of_service}, "status": status}


def ingress(name, hosts, hostname=None, certificate=None):
    annotations = {"alb.ingress.kubernetes.io/certificate-arn": certificate} if certificate else {}
    return {
        "metadata": {"name": name, "namespace": "teamf", "annotations": annotations},
        "spec": {"rules": [{"host": host} for host in hosts] + [{"http": {}}]},
        "status": {"loadBalancer": {"ingress": [{"hostname": hostname}]}} if hostname else {},
    }


def test_endpoints_are_ingresses_then_load_balancer_services():
    ingresses = [{"resources": [ingress("users", ["api.staging.teamf.example"], "k8s-teamf.elb", "arn:acm:1")]}]
    services = [
        {"resources": [service("auth-api", "ClusterIP"), service("users-lb", "LoadBalancer", "a1.elb")]},
        {"resources": [service("pending-lb", "LoadBalancer", namespace="other")]},
    ]
    assert release_endpoints(ingresses, services) == [
        {
            "kind": "Ingress",
            "namespace": "teamf",
            "name": "users",
            "hostname": "k8s-teamf.elb",
            "hosts": ["api.staging.teamf.example"],
            "scheme": "https",
        },
        {
            "kind": "Service",
            "namespace": "teamf",
            "name": "users-lb",
            "hostname": "a1.elb",
            "hosts": [],
            "scheme": "http",
        },
        {
            "kind": "Service",
            "namespace": "other",
            "name": "pending-lb",
            "hostname": "pending",
            "hosts": [],
            "scheme": "http",
        },
    ]


def test_no_ingress_and_no_load_balancer_means_no_endpoint():
    assert release_endpoints([{"resources": []}], [{"resources": [service("auth-api", "ClusterIP")]}]) == []
