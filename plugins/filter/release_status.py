# Copyright: teamf platform engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: release_status
short_description: Each Helm release's status and workloads, from what helm_info and k8s_info read
version_added: 0.4.0
description:
  - Joins the results of a C(kubernetes.core.helm_info) loop over releases and of a C(kubernetes.core.k8s_info)
    loop over (namespace, kind) pairs into one entry per release, the role output C(helm_release_info) of
    C(teamf.platform.helm_release) (entry point C(info)).
  - A workload belongs to a release by its C(app.kubernetes.io/instance) label in the release's namespace. A
    Deployment or StatefulSet is ready when its ready replicas reach C(spec.replicas) and the controller saw
    its latest generation; a DaemonSet when its ready pods reach the pods it should schedule.
  - A release is ready when Helm reports it C(deployed) and every workload is ready.
options:
  _input:
    description: The results of the registered helm_info loop; each one's C(item) has C(name) and C(namespace).
    type: list
    elements: dict
    required: true
  workloads:
    description: The registered results of the k8s_info loop; each item's C(item) is C([namespace, kind]).
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Publish what was read
  ansible.builtin.set_fact:
    helm_release_info: >-
      {{ helm_release__read.results | teamf.platform.release_status(helm_release__workloads.results) }}
"""

RETURN = r"""
_value:
  description:
    - One entry per release, in the input's order, with C(name), C(namespace), C(chart), C(app_version),
      C(revision), C(status) (C(not installed) when Helm has none), C(updated), C(workloads) (C(kind),
      C(name), C(ready), C(labels), C(desired), C(ready_count), C(conditions), C(images)), C(ready) and
      C(not_ready) (the names of the workloads that are not).
  type: list
  elements: dict
"""

INSTANCE_LABEL = "app.kubernetes.io/instance"


def workload_entry(kind, obj):
    """What the summary and the status playbooks show of one workload object."""
    status = obj.get("status") or {}
    spec = obj.get("spec") or {}
    metadata = obj.get("metadata") or {}
    if kind == "DaemonSet":
        desired = status.get("desiredNumberScheduled", 0)
        ready_count = status.get("numberReady", 0)
        ready = ready_count >= status.get("desiredNumberScheduled", 1)
    else:
        desired = spec.get("replicas", 1)
        ready_count = status.get("readyReplicas", 0)
        ready = ready_count >= desired and status.get("observedGeneration", 0) >= metadata.get("generation", 0)
    containers = ((spec.get("template") or {}).get("spec") or {}).get("containers") or []
    return {
        "kind": kind,
        "name": metadata.get("name"),
        "ready": ready,
        "labels": metadata.get("labels") or {},
        "desired": desired,
        "ready_count": ready_count,
        "conditions": status.get("conditions") or [],
        "images": [container.get("image") for container in containers],
    }


def release_status(read, workloads):
    out = []
    for result in read:
        release = result["item"]
        status = result.get("status") or {}
        found = [
            workload_entry(listing["item"][1], obj)
            for listing in workloads
            if listing["item"][0] == release["namespace"]
            for obj in listing.get("resources") or []
            if ((obj.get("metadata") or {}).get("labels") or {}).get(INSTANCE_LABEL, "") == release["name"]
        ]
        not_ready = [entry["name"] for entry in found if not entry["ready"]]
        out.append(
            {
                "name": release["name"],
                "namespace": release["namespace"],
                "chart": status.get("chart", ""),
                "app_version": status.get("app_version", ""),
                "revision": status.get("revision", ""),
                "status": status.get("status", "not installed"),
                "updated": status.get("updated", ""),
                "workloads": found,
                "ready": status.get("status", "") == "deployed" and not not_ready,
                "not_ready": not_ready,
            }
        )
    return out


class FilterModule:
    def filters(self):
        return {"release_status": release_status}
