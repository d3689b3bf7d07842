"""Simulated controllers: what kube-controller-manager, the scheduler/kubelet and the AWS Load
Balancer Controller would write back, so that readiness checks (``helm --wait``, ``kubectl rollout
status``, ``kubernetes.core.k8s`` with ``wait``) see a healthy cluster.

Each runs ``READY_DELAY`` seconds after the write that triggers it (``--ready-delay``, default 0.5):

* Deployment → a ReplicaSet ``<name>-<pod-template-hash>`` owned by it (helm's readiness check
  looks the new ReplicaSet up by owner uid and pod template), older ReplicaSets scaled to 0, and
  status ``observedGeneration``/``replicas``/``updatedReplicas``/``readyReplicas``/
  ``availableReplicas`` equal to ``spec.replicas`` with conditions Available and Progressing.
  Paused Deployments are left alone. No Pods are created.
* StatefulSet → ready replicas, ``currentRevision == updateRevision``; DaemonSet → one node's worth.
* Job → Complete (``succeeded == completions``); CronJob → untouched; Pod → Running and Ready (or
  Succeeded when ``restartPolicy`` is not Always).
* Service → a ClusterIP from 10.100.0.0/16 at once (and nodePorts for NodePort/LoadBalancer); a
  LoadBalancer Service then gets ``status.loadBalancer.ingress[0].hostname`` shaped like an NLB's.
* Ingress → ``status.loadBalancer.ingress[0].hostname`` shaped like an ALB's, whatever its class.
* PersistentVolumeClaim → Bound; HorizontalPodAutoscaler → current/desired = minReplicas.
* CustomResourceDefinition → NamesAccepted and Established; its kinds are served from then on, and
  deleting it deletes its custom resources.
* Namespace → a ``default`` ServiceAccount and ``kube-root-ca.crt`` ConfigMap on creation; on
  deletion it stays Terminating until its content is deleted, then goes.

With ``aws_endpoint`` (``--aws-endpoint``), the pods that go Running (bare Pods; those a Deployment's
ReplicaSet, a StatefulSet or a DaemonSet would run, named as their controllers name them) are handed to
``fluentbit.FluentBit``, the aws-for-fluent-bit DaemonSet's part: their containers' started lines go to
CloudWatch Logs. No Pod objects are created for them.
"""

from __future__ import annotations

import asyncio
import copy
import hashlib
import ipaddress
import json
import uuid
from typing import Any

from emulator.kube.fluentbit import FluentBit
from emulator.kube.resources import Registry, Resource
from emulator.kube.store import Store, WriteOptions, now

SAFE_ENCODE = "bcdfghjklmnpqrstvwxz2456789"
REGION = "ap-northeast-2"
CA_CERT = "-----BEGIN CERTIFICATE-----\nTUlJQ2VtdWxhdG9yLW5vdC1hLXJlYWwtY2E=\n-----END CERTIFICATE-----\n"


def template_hash(template: dict[str, Any]) -> str:
    digest = hashlib.sha256(json.dumps(template, sort_keys=True).encode()).digest()
    return "".join(SAFE_ENCODE[b % len(SAFE_ENCODE)] for b in digest[:10])


def _aws_suffix(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def pod_suffix(*parts: str) -> str:
    """The 5 characters a ReplicaSet or DaemonSet controller appends to a pod's name."""
    digest = hashlib.sha256("/".join(parts).encode()).digest()
    return "".join(SAFE_ENCODE[b % len(SAFE_ENCODE)] for b in digest[:5])


class Controllers:
    def __init__(
        self,
        store: Store,
        registry: Registry,
        ready_delay: float = 0.5,
        region: str = REGION,
        aws_endpoint: str | None = None,
    ):
        self.store, self.registry, self.delay, self.region = store, registry, ready_delay, region
        self.fluent_bit = FluentBit(aws_endpoint) if aws_endpoint else None
        # Names what is this cluster's alone (an Ingress group's load balancer).
        self.cluster_id = uuid.uuid4().hex
        self.pending: dict[tuple[str, str, str, str], asyncio.TimerHandle] = {}
        self.next_ip = 10
        store.hooks.append(self.observe)

    def reset(self) -> None:
        for handle in self.pending.values():
            handle.cancel()
        self.pending.clear()
        self.next_ip = 10
        if self.fluent_bit is not None:
            self.fluent_bit.reset()
        self.bootstrap()

    def bootstrap(self) -> None:
        """What a fresh cluster has: the system namespaces and one Ready node."""
        namespaces = self.registry.find("", "v1", "namespaces")
        for name in ("default", "kube-system", "kube-public", "kube-node-lease"):
            body = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}
            self.store.create(namespaces, None, body, WriteOptions())
        node = {
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": {
                "name": f"ip-10-0-1-10.{self.region}.compute.internal",
                "labels": {
                    "kubernetes.io/os": "linux",
                    "kubernetes.io/arch": "amd64",
                    "topology.kubernetes.io/region": self.region,
                    "topology.kubernetes.io/zone": f"{self.region}a",
                    "node.kubernetes.io/instance-type": "m6i.large",
                },
            },
            "status": {
                "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady"}],
                "nodeInfo": {"kubeletVersion": "v1.32.3-eks", "architecture": "amd64", "operatingSystem": "linux"},
                "allocatable": {"cpu": "1930m", "memory": "7220Mi", "pods": "29"},
            },
        }
        self.store.system_write(self.registry.find("", "v1", "nodes"), node)

    # --- dispatch ---------------------------------------------------------------------------

    def observe(self, res: Resource, obj: dict[str, Any] | None, old: dict[str, Any] | None) -> None:
        if obj is None:
            if res.kind == "CustomResourceDefinition":
                self._crd_deleted(old)
            return
        handler = getattr(self, f"_{res.kind.lower()}", None)
        if res.kind == "Namespace" and obj["metadata"].get("deletionTimestamp"):
            self._later(res, obj, self._finalize_namespace)
        elif res.kind == "Namespace" and old is None:
            self._namespace_created(obj)
        elif res.kind == "Service":
            self._service(res, obj)
        elif handler is not None:
            self._later(res, obj, handler)

    def _later(self, res: Resource, obj: dict[str, Any], handler) -> None:
        meta = obj["metadata"]
        key = (res.group, res.plural, meta.get("namespace", ""), meta["name"])
        if key in self.pending:
            self.pending[key].cancel()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # writes made outside the server (tests of the store) run at once
            handler(res, key)
            return

        def run():
            self.pending.pop(key, None)
            handler(res, key)

        self.pending[key] = loop.call_later(self.delay, run)

    def _current(self, key) -> dict[str, Any] | None:
        obj = self.store.objects.get(key)
        if obj is None or obj["metadata"].get("deletionTimestamp"):
            return None
        return copy.deepcopy(obj)

    def _set_status(self, res: Resource, obj: dict[str, Any], status: dict[str, Any]) -> None:
        obj["status"] = status
        self.store.system_write(res, obj)

    def _node_name(self) -> str:
        return next((k[3] for k in self.store.objects if k[:2] == ("", "nodes")), "")

    def _running(self, namespace: str, pods: list[tuple[str, str]], pod_spec: dict[str, Any], node: str = "") -> None:
        """``pods`` (name, uid) of ``namespace`` run ``pod_spec``'s containers: tell the log shipper."""
        if self.fluent_bit is None or not pods:
            return
        configmaps = [o for k, o in self.store.objects.items() if k[:2] == ("", "configmaps")]
        containers = pod_spec.get("containers", [])
        self.fluent_bit.pods_running(configmaps, namespace, pods, containers, node or self._node_name())

    def _template_pods(self, owner: dict[str, Any], names: list[str]) -> list[tuple[str, str]]:
        """Simulated pods of ``owner`` (name, uid): stable uids, so a pod's container ids do not change."""
        return [(name, str(uuid.uuid5(uuid.NAMESPACE_URL, f"{owner['metadata']['uid']}/{name}"))) for name in names]

    # --- workloads --------------------------------------------------------------------------

    def _deployment(self, res: Resource, key) -> None:
        dep = self._current(key)
        if dep is None or dep["spec"].get("paused"):
            return
        spec, meta = dep["spec"], dep["metadata"]
        replicas = spec.get("replicas", 1)
        rs_res = self.registry.find("apps", "v1", "replicasets")
        pod_hash = template_hash(spec["template"])
        owned = [
            obj
            for (group, plural, ns, _), obj in self.store.objects.items()
            if (group, plural, ns) == ("apps", "replicasets", meta["namespace"])
            and any(
                r.get("uid") == meta["uid"] and r.get("controller") for r in obj["metadata"].get("ownerReferences", [])
            )
        ]
        revisions = [
            int(o["metadata"].get("annotations", {}).get("deployment.kubernetes.io/revision", 0)) for o in owned
        ]
        name = f"{meta['name']}-{pod_hash}"
        current = next((o for o in owned if o["metadata"]["name"] == name), None)
        revision = max(revisions, default=0) + (0 if current else 1)
        if current is not None:
            revision = max(revision, int(current["metadata"]["annotations"]["deployment.kubernetes.io/revision"]))
        template = copy.deepcopy(spec["template"])
        template.setdefault("metadata", {}).setdefault("labels", {})["pod-template-hash"] = pod_hash
        selector = copy.deepcopy(spec["selector"])
        selector.setdefault("matchLabels", {})["pod-template-hash"] = pod_hash
        rs = {
            "metadata": {
                "name": name,
                "namespace": meta["namespace"],
                "labels": template["metadata"]["labels"],
                "annotations": {
                    "deployment.kubernetes.io/desired-replicas": str(replicas),
                    "deployment.kubernetes.io/max-replicas": str(replicas + 1),
                    "deployment.kubernetes.io/revision": str(revision),
                },
                "ownerReferences": [
                    {
                        "apiVersion": "apps/v1",
                        "kind": "Deployment",
                        "name": meta["name"],
                        "uid": meta["uid"],
                        "controller": True,
                        "blockOwnerDeletion": True,
                    }
                ],
            },
            "spec": {"replicas": replicas, "selector": selector, "template": template},
            "status": self._replica_status(replicas, 1),
        }
        if current is not None:
            rs["metadata"]["uid"] = current["metadata"]["uid"]
            rs["metadata"]["creationTimestamp"] = current["metadata"]["creationTimestamp"]
            rs["metadata"]["generation"] = current["metadata"].get("generation", 1) + (
                current["spec"].get("replicas") != replicas
            )
            rs["status"]["observedGeneration"] = rs["metadata"]["generation"]
        written = self.store.system_write(rs_res, rs)  # the stored ReplicaSet, with its uid
        pods = [f"{name}-{pod_suffix(written['metadata']['uid'], str(i))}" for i in range(replicas)]
        self._running(meta["namespace"], self._template_pods(written, pods), template.get("spec", {}))
        old_sets = sorted(
            (o for o in owned if o["metadata"]["name"] != name),
            key=lambda o: int(o["metadata"]["annotations"].get("deployment.kubernetes.io/revision", 0)),
        )
        keep = spec.get("revisionHistoryLimit", 10)
        for index, old_rs in enumerate(old_sets):
            old_rs = copy.deepcopy(old_rs)
            if index < len(old_sets) - keep:
                self.store.remove(rs_res, ("apps", "replicasets", meta["namespace"], old_rs["metadata"]["name"]))
                continue
            old_rs["spec"]["replicas"] = 0
            old_rs["status"] = {"replicas": 0, "observedGeneration": old_rs["metadata"].get("generation", 1)}
            self.store.system_write(rs_res, old_rs)
        dep["metadata"].setdefault("annotations", {})["deployment.kubernetes.io/revision"] = str(revision)
        stamp = now()
        status = self._replica_status(replicas, meta.get("generation", 1))
        status.pop("fullyLabeledReplicas", None)  # a ReplicaSet field, not a Deployment one
        status["updatedReplicas"] = replicas
        status["conditions"] = [
            {
                "type": "Available",
                "status": "True",
                "reason": "MinimumReplicasAvailable",
                "message": "Deployment has minimum availability.",
                "lastUpdateTime": stamp,
                "lastTransitionTime": stamp,
            },
            {
                "type": "Progressing",
                "status": "True",
                "reason": "NewReplicaSetAvailable",
                "message": f'ReplicaSet "{name}" has successfully progressed.',
                "lastUpdateTime": stamp,
                "lastTransitionTime": stamp,
            },
        ]
        self._set_status(res, dep, {k: v for k, v in status.items() if v != 0 or k == "observedGeneration"})

    @staticmethod
    def _replica_status(replicas: int, generation: int) -> dict[str, Any]:
        status = {"observedGeneration": generation, "replicas": replicas}
        if replicas:
            status |= {"fullyLabeledReplicas": replicas, "readyReplicas": replicas, "availableReplicas": replicas}
        return status

    def _replicaset(self, res: Resource, key) -> None:
        rs = self._current(key)
        if rs is None or rs["metadata"].get("ownerReferences"):
            return  # owned ReplicaSets are reported by the Deployment controller above
        self._set_status(res, rs, self._replica_status(rs["spec"].get("replicas", 1), rs["metadata"]["generation"]))
        name, replicas = rs["metadata"]["name"], rs["spec"].get("replicas", 1)
        pods = [f"{name}-{pod_suffix(rs['metadata']['uid'], str(i))}" for i in range(replicas)]
        pod_spec = rs["spec"]["template"].get("spec", {})
        self._running(rs["metadata"]["namespace"], self._template_pods(rs, pods), pod_spec)

    def _statefulset(self, res: Resource, key) -> None:
        sts = self._current(key)
        if sts is None:
            return
        replicas = sts["spec"].get("replicas", 1)
        revision = f"{sts['metadata']['name']}-{template_hash(sts['spec']['template'])}"
        status = {
            "observedGeneration": sts["metadata"]["generation"],
            "replicas": replicas,
            "readyReplicas": replicas,
            "currentReplicas": replicas,
            "updatedReplicas": replicas,
            "availableReplicas": replicas,
            "currentRevision": revision,
            "updateRevision": revision,
            "collisionCount": 0,
        }
        self._set_status(
            res, sts, {k: v for k, v in status.items() if v != 0 or k in ("observedGeneration", "replicas")}
        )
        pods = [f"{sts['metadata']['name']}-{i}" for i in range(replicas)]
        pod_spec = sts["spec"]["template"].get("spec", {})
        self._running(sts["metadata"]["namespace"], self._template_pods(sts, pods), pod_spec)

    def _daemonset(self, res: Resource, key) -> None:
        ds = self._current(key)
        if ds is None:
            return
        nodes = sum(1 for k in self.store.objects if k[:2] == ("", "nodes"))
        status = {"observedGeneration": ds["metadata"]["generation"]}
        for field in ("currentNumberScheduled", "desiredNumberScheduled", "numberAvailable", "numberReady"):
            status[field] = nodes
        status |= {"updatedNumberScheduled": nodes, "numberMisscheduled": 0}
        self._set_status(res, ds, status)
        for node in [k[3] for k in self.store.objects if k[:2] == ("", "nodes")]:
            pods = self._template_pods(ds, [f"{ds['metadata']['name']}-{pod_suffix(ds['metadata']['uid'], node)}"])
            self._running(ds["metadata"]["namespace"], pods, ds["spec"]["template"].get("spec", {}), node)

    def _job(self, res: Resource, key) -> None:
        job = self._current(key)
        if job is None or job["spec"].get("suspend") or job.get("status", {}).get("completionTime"):
            return
        stamp = now()
        conditions = [
            {"type": t, "status": "True", "lastProbeTime": stamp, "lastTransitionTime": stamp, "reason": r}
            for t, r in (("SuccessCriteriaMet", "CompletionsReached"), ("Complete", "CompletionsReached"))
        ]
        status = {"startTime": stamp, "completionTime": stamp, "succeeded": job["spec"].get("completions", 1)}
        self._set_status(res, job, status | {"ready": 0, "terminating": 0, "conditions": conditions})

    def _pod(self, res: Resource, key) -> None:
        pod = self._current(key)
        if pod is None:
            return
        spec = pod["spec"]
        done = spec.get("restartPolicy", "Always") != "Always"
        stamp = now()
        ready = "False" if done else "True"
        pod["spec"].setdefault("nodeName", self._node_name())
        status = {
            "phase": "Succeeded" if done else "Running",
            "podIP": f"10.0.1.{100 + len(self.store.objects) % 150}",
            "hostIP": "10.0.1.10",
            "startTime": stamp,
            "qosClass": "BestEffort",
            "conditions": [
                {"type": t, "status": s, "lastTransitionTime": stamp}
                for t, s in (
                    ("PodScheduled", "True"),
                    ("Initialized", "True"),
                    ("ContainersReady", ready),
                    ("Ready", ready),
                )
            ],
            "containerStatuses": [
                {
                    "name": c["name"],
                    "image": c.get("image", ""),
                    "ready": not done,
                    "restartCount": 0,
                    "started": not done,
                    "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}
                    if done
                    else {"running": {"startedAt": stamp}},
                }
                for c in spec.get("containers", [])
            ],
        }
        self._set_status(res, pod, status)
        meta = pod["metadata"]
        self._running(meta["namespace"], [(meta["name"], meta["uid"])], spec, spec["nodeName"])

    def _persistentvolumeclaim(self, res: Resource, key) -> None:
        pvc = self._current(key)
        if pvc is None or pvc.get("status", {}).get("phase") == "Bound":
            return
        request = pvc["spec"].get("resources", {}).get("requests", {}).get("storage", "1Gi")
        status = {"phase": "Bound", "accessModes": pvc["spec"].get("accessModes", []), "capacity": {"storage": request}}
        pvc["spec"].setdefault("volumeName", f"pvc-{pvc['metadata']['uid']}")
        self._set_status(res, pvc, status)

    def _horizontalpodautoscaler(self, res: Resource, key) -> None:
        hpa = self._current(key)
        if hpa is None:
            return
        replicas = hpa["spec"].get("minReplicas", 1)
        status = {
            "currentReplicas": replicas,
            "desiredReplicas": replicas,
            "observedGeneration": hpa["metadata"]["generation"],
        }
        self._set_status(res, hpa, status)

    # --- networking -------------------------------------------------------------------------

    def _service(self, res: Resource, obj: dict[str, Any]) -> None:
        svc = copy.deepcopy(obj)
        spec = svc["spec"]
        changed = False
        if spec.get("type") != "ExternalName" and "clusterIP" not in spec:
            ip = str(ipaddress.ip_address("10.100.0.0") + self.next_ip)
            self.next_ip += 1
            spec["clusterIP"], spec["clusterIPs"] = ip, [ip]
            changed = True
        if spec.get("type") in ("NodePort", "LoadBalancer"):
            used = {
                p.get("nodePort")
                for (g, pl, _, _), o in self.store.objects.items()
                if (g, pl) == ("", "services")
                for p in o.get("spec", {}).get("ports", [])
            }
            for port in spec.get("ports", []):
                if "nodePort" not in port:
                    port["nodePort"] = next(n for n in range(30000, 32768) if n not in used)
                    used.add(port["nodePort"])
                    changed = True
        if changed:
            self.store.system_write(res, svc)
        if spec.get("type") == "LoadBalancer":
            self._later(res, svc, self._load_balancer)

    def _load_balancer(self, res: Resource, key) -> None:
        svc = self._current(key)
        if svc is None or svc["spec"].get("type") != "LoadBalancer":
            return
        ns, name = svc["metadata"]["namespace"], svc["metadata"]["name"]
        digest = _aws_suffix(ns, name, svc["metadata"]["uid"])
        hostname = f"k8s-{ns[:8]}-{name[:9]}-{digest[:10]}-{digest[10:26]}.elb.{self.region}.amazonaws.com"
        self._set_status(res, svc, {"loadBalancer": {"ingress": [{"hostname": hostname}]}})

    def _ingress(self, res: Resource, key) -> None:
        ing = self._current(key)
        if ing is None:
            return
        ns, name = ing["metadata"]["namespace"], ing["metadata"]["name"]
        group = ing["metadata"].get("annotations", {}).get("alb.ingress.kubernetes.io/group.name")
        # Each ALB has its own name: one per Ingress (its uid, so two clusters' Ingresses of the same
        # name differ, as on AWS) or one per group of this cluster.
        digest = _aws_suffix(group, self.cluster_id) if group else _aws_suffix(ns, name, ing["metadata"]["uid"])
        number = int(digest[10:19], 16) % 10**10
        label = f"k8s-{group[:17]}" if group else f"k8s-{ns[:8]}-{name[:8]}"
        hostname = f"{label}-{digest[:10]}-{number}.{self.region}.elb.amazonaws.com"
        self._set_status(res, ing, {"loadBalancer": {"ingress": [{"hostname": hostname}]}})

    # --- API machinery ----------------------------------------------------------------------

    def _customresourcedefinition(self, res: Resource, key) -> None:
        crd = self._current(key)
        if crd is None:
            return
        stamp = now()
        conditions = [
            {"type": "NamesAccepted", "status": "True", "reason": "NoConflicts", "message": "no conflicts found"},
            {
                "type": "Established",
                "status": "True",
                "reason": "InitialNamesAccepted",
                "message": "the initial names have been accepted",
            },
        ]
        for condition in conditions:
            condition["lastTransitionTime"] = stamp
        storage = [v["name"] for v in crd["spec"].get("versions", []) if v.get("storage")]
        self.registry.add_crd(crd)
        self._set_status(
            res, crd, {"acceptedNames": crd["spec"]["names"], "conditions": conditions, "storedVersions": storage}
        )

    def _crd_deleted(self, crd: dict[str, Any] | None) -> None:
        if crd is None:
            return
        for served in self.registry.remove_crd(crd["metadata"]["name"]):
            for key in [k for k in self.store.objects if k[:2] == (served.group, served.plural)]:
                self.store.remove(served, key)

    def _namespace_created(self, ns: dict[str, Any]) -> None:
        name = ns["metadata"]["name"]
        sa = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default", "namespace": name}}
        cm = {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "kube-root-ca.crt", "namespace": name},
            "data": {"ca.crt": CA_CERT},
        }
        self.store.system_write(self.registry.find("", "v1", "serviceaccounts"), sa)
        self.store.system_write(self.registry.find("", "v1", "configmaps"), cm)

    def _finalize_namespace(self, res: Resource, key) -> None:
        name = key[3]
        for obj_key in list(self.store.objects):
            if obj_key[2] == name and obj_key in self.store.objects:
                owner = next(
                    (r for r in self.registry.all() if (r.group, r.plural) == obj_key[:2] and r.namespaced), None
                )
                if owner is not None:
                    self.store.remove(owner, obj_key)
        self.store.remove(res, key)
