"""API machinery of the stand-in over HTTP: negotiation, concurrency, selectors, watch, finalizers, CRDs."""

from __future__ import annotations

import base64
import json
import threading
import time

import pytest
import requests

from emulator.kube import protobuf
from emulator.kube.launcher import KubeEmulator
from emulator.kube.tools import install_tools


@pytest.fixture
def api(clean_kube):
    session = requests.Session()
    base = clean_kube.url

    def call(method: str, path: str, body=None, content_type="application/json", **kwargs):
        headers = {"Content-Type": content_type, **kwargs.pop("headers", {})}
        data = body if isinstance(body, bytes) or body is None else json.dumps(body)
        return session.request(method, base + path, data=data, headers=headers, timeout=10, **kwargs)

    return call


def _cm(name: str, labels=None, **extra) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "labels": labels or {}}, **extra}


CMS = "/api/v1/namespaces/default/configmaps"


def test_discovery_and_version(api):
    assert api("GET", "/version").json()["gitVersion"].startswith("v1.32.")
    core = {r["name"]: r for r in api("GET", "/api/v1").json()["resources"]}
    assert core["secrets"]["namespaced"] and not core["namespaces"]["namespaced"]
    groups = {g["name"] for g in api("GET", "/apis").json()["groups"]}
    assert {"apps", "autoscaling", "policy", "networking.k8s.io", "rbac.authorization.k8s.io"} <= groups
    hpa = api("GET", "/apis/autoscaling/v2").json()["resources"]
    assert "horizontalpodautoscalers" in {r["name"] for r in hpa}
    apps_v3 = api("GET", "/openapi/v3/apis/apps/v1").json()["paths"]
    patch = apps_v3["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]["patch"]
    assert "fieldValidation" in {p["name"] for p in patch["parameters"]}


def test_json_is_answered_when_protobuf_is_preferred_but_not_required(api):
    preferred = api("GET", CMS, headers={"Accept": "application/vnd.kubernetes.protobuf, application/json"})
    assert preferred.status_code == 200 and preferred.headers["Content-Type"].startswith("application/json")
    only = api("GET", CMS, headers={"Accept": "application/vnd.kubernetes.protobuf"})
    assert only.status_code == 406


def _pb_field(number: int, payload: bytes) -> bytes:
    assert len(payload) < 128
    return bytes([number << 3 | 2, len(payload)]) + payload


def test_protobuf_secret_body_is_decoded(api):
    meta = _pb_field(1, b"pb") + _pb_field(11, _pb_field(1, b"owner") + _pb_field(2, b"helm"))
    secret = _pb_field(1, meta) + _pb_field(2, _pb_field(1, b"k") + _pb_field(2, b"v")) + _pb_field(3, b"Opaque")
    envelope = protobuf.MAGIC + _pb_field(1, _pb_field(1, b"v1") + _pb_field(2, b"Secret")) + _pb_field(2, secret)

    created = api("POST", "/api/v1/namespaces/default/secrets", envelope, "application/vnd.kubernetes.protobuf")

    assert created.status_code == 201, created.text
    stored = api("GET", "/api/v1/namespaces/default/secrets?labelSelector=owner%3Dhelm").json()["items"]
    assert [(s["metadata"]["name"], s["data"]) for s in stored] == [("pb", {"k": base64.b64encode(b"v").decode()})]


def test_create_conflict_replace_and_stale_resource_version(api):
    first = api("POST", CMS, _cm("a", data={"k": "1"}))
    assert first.status_code == 201
    assert api("POST", CMS, _cm("a")).json()["reason"] == "AlreadyExists"
    current = first.json()
    current["data"] = {"k": "2"}
    replaced = api("PUT", f"{CMS}/a", current)
    assert replaced.status_code == 200 and replaced.json()["data"] == {"k": "2"}
    assert int(replaced.json()["metadata"]["resourceVersion"]) > int(first.json()["metadata"]["resourceVersion"])
    stale = api("PUT", f"{CMS}/a", current)  # still carries the first resourceVersion
    assert (stale.status_code, stale.json()["reason"]) == (409, "Conflict")


def test_dry_run_and_namespace_must_exist(api):
    assert api("POST", f"{CMS}?dryRun=All", _cm("dry")).status_code == 201
    assert api("GET", f"{CMS}/dry").status_code == 404
    missing = api("POST", "/api/v1/namespaces/nowhere/configmaps", _cm("x"))
    assert (missing.status_code, missing.json()["message"]) == (404, 'namespaces "nowhere" not found')


def test_label_and_field_selectors(api):
    api("POST", CMS, _cm("one", {"tier": "web", "env": "dev"}))
    api("POST", CMS, _cm("two", {"tier": "db"}))

    def names(query):
        return [i["metadata"]["name"] for i in api("GET", f"{CMS}?{query}").json()["items"]]

    assert names("labelSelector=tier%3Dweb") == ["one"]
    assert names("labelSelector=tier,tier+notin+(web),!env") == ["two"]
    assert names("labelSelector=env") == ["one"]
    assert names("fieldSelector=metadata.name%21%3Done") == ["kube-root-ca.crt", "two"]


@pytest.mark.parametrize(
    ("content_type", "body", "expected"),
    [
        ("application/merge-patch+json", {"data": {"b": "2", "a": None}}, {"b": "2"}),
        ("application/json-patch+json", [{"op": "add", "path": "/data/b", "value": "2"}], {"a": "1", "b": "2"}),
        ("application/strategic-merge-patch+json", {"data": {"b": "2"}}, {"a": "1", "b": "2"}),
    ],
)
def test_patch_flavours(api, content_type, body, expected):
    api("POST", CMS, _cm("p", data={"a": "1"}))
    patched = api("PATCH", f"{CMS}/p", body, content_type)
    assert patched.status_code == 200, patched.text
    assert patched.json()["data"] == expected


def test_strategic_merge_merges_containers_by_name(api):
    deploy = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "d"},
        "spec": {
            "selector": {"matchLabels": {"app": "d"}},
            "template": {
                "metadata": {"labels": {"app": "d"}},
                "spec": {"containers": [{"name": "a", "image": "a:1"}, {"name": "b", "image": "b:1"}]},
            },
        },
    }
    path = "/apis/apps/v1/namespaces/default/deployments"
    assert api("POST", path, deploy).status_code == 201
    patch = {
        "spec": {
            "template": {"spec": {"containers": [{"name": "b", "image": "b:2"}, {"name": "a", "$patch": "delete"}]}}
        }
    }
    patched = api("PATCH", f"{path}/d", patch, "application/strategic-merge-patch+json").json()
    assert [(c["name"], c["image"]) for c in patched["spec"]["template"]["spec"]["containers"]] == [("b", "b:2")]
    assert patched["metadata"]["generation"] == 2


def test_watch_streams_changes(api, clean_kube):
    rv = api("GET", CMS).json()["metadata"]["resourceVersion"]
    events = []

    def watch():
        url = f"{clean_kube.url}{CMS}?watch=true&resourceVersion={rv}&timeoutSeconds=3"
        with requests.get(url, stream=True, timeout=10) as resp:
            for line in resp.iter_lines():
                events.append(json.loads(line))

    thread = threading.Thread(target=watch)
    thread.start()
    time.sleep(0.3)
    api("POST", CMS, _cm("w"))
    api("DELETE", f"{CMS}/w")
    thread.join()
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in events] == [("ADDED", "w"), ("DELETED", "w")]


def test_finalizers_hold_deletion_until_removed(api):
    api("POST", CMS, _cm("f", metadata={"name": "f", "finalizers": ["example.com/hold"]}))
    held = api("DELETE", f"{CMS}/f")
    assert held.status_code == 200 and held.json()["metadata"]["deletionTimestamp"]
    assert api("GET", f"{CMS}/f").status_code == 200
    api("PATCH", f"{CMS}/f", {"metadata": {"finalizers": None}}, "application/merge-patch+json")
    assert api("GET", f"{CMS}/f").status_code == 404


def test_crd_serves_its_kind_after_it_is_established(api):
    crd = {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {
            "group": "example.com",
            "scope": "Namespaced",
            "names": {"plural": "widgets", "singular": "widget", "kind": "Widget"},
            "versions": [
                {"name": "v1", "served": True, "storage": True, "schema": {"openAPIV3Schema": {"type": "object"}}}
            ],
        },
    }
    assert api("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd).status_code == 201
    for _ in range(50):
        status = api("GET", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com").json()
        if any(
            c["type"] == "Established" and c["status"] == "True" for c in status.get("status", {}).get("conditions", [])
        ):
            break
        time.sleep(0.1)
    widget = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w1"}, "spec": {"size": 3}}
    created = api("POST", "/apis/example.com/v1/namespaces/default/widgets", widget)
    assert created.status_code == 201, created.text
    assert [r["name"] for r in api("GET", "/apis/example.com/v1").json()["resources"]] == ["widgets"]
    api("DELETE", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com")
    assert api("GET", "/apis/example.com/v1/namespaces/default/widgets/w1").status_code == 404


def test_reset_returns_to_a_fresh_cluster(api, clean_kube):
    api("POST", CMS, _cm("gone"))
    clean_kube.reset()
    assert api("GET", f"{CMS}/gone").status_code == 404
    assert "default" in [n["metadata"]["name"] for n in api("GET", "/api/v1/namespaces").json()["items"]]


def test_launcher_is_idempotent_and_refuses_a_foreign_port(kube, tmp_path):
    assert "already running" in kube.start()
    stranger = KubeEmulator(port=kube.port, state_dir=tmp_path)
    with pytest.raises(RuntimeError, match="not ours"):
        stranger.start()


def test_install_tools_is_idempotent(tmp_path):
    assert install_tools(tmp_path) == {"helm": "installed", "kubectl": "installed"}
    assert install_tools(tmp_path) == {"helm": "unchanged", "kubectl": "unchanged"}


def _ingress_hostname(api, name: str, group: str | None = None) -> str:
    annotations = {"alb.ingress.kubernetes.io/group.name": group} if group else {}
    ingress = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {"name": name, "annotations": annotations},
        "spec": {"rules": [{"host": f"{name}.example", "http": {"paths": []}}]},
    }
    path = "/apis/networking.k8s.io/v1/namespaces/default/ingresses"
    assert api("POST", path, ingress).status_code == 201
    for _ in range(50):
        status = api("GET", f"{path}/{name}").json().get("status", {})
        if status.get("loadBalancer", {}).get("ingress"):
            return status["loadBalancer"]["ingress"][0]["hostname"]
        time.sleep(0.1)
    raise AssertionError(f"Ingress {name} got no load balancer")


def test_each_ingress_gets_its_own_alb_and_a_group_shares_one(api):
    """Like the AWS Load Balancer Controller: an ALB per Ingress (a new one when it is recreated, so two
    clusters' Ingresses of the same name never share a name), one per IngressGroup."""
    first = _ingress_hostname(api, "web")
    assert first.endswith(".ap-northeast-2.elb.amazonaws.com")
    assert api("DELETE", "/apis/networking.k8s.io/v1/namespaces/default/ingresses/web").status_code == 200
    assert _ingress_hostname(api, "web") != first
    assert _ingress_hostname(api, "a", group="shared") == _ingress_hostname(api, "b", group="shared")
