# Copyright: teamf platform engineers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: release_endpoints
short_description: How the releases are reached from outside, from the Ingresses and Services k8s_info read
version_added: 0.4.0
description:
  - Every Ingress, and every Service of type C(LoadBalancer), as the role output C(helm_release_endpoints) of
    C(teamf.platform.helm_release) (entry point C(info)). The hostname is the load balancer's once AWS gave
    it one, C(pending) until then; an Ingress with the AWS Load Balancer Controller's
    C(alb.ingress.kubernetes.io/certificate-arn) annotation is C(https).
options:
  _input:
    description: The registered results of the k8s_info loop over the Ingresses (one per namespace).
    type: list
    elements: dict
    required: true
  services:
    description: The registered results of the k8s_info loop over the Services (one per namespace).
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Publish what was read
  ansible.builtin.set_fact:
    helm_release_endpoints: >-
      {{ helm_release__ingresses.results | teamf.platform.release_endpoints(helm_release__services.results) }}
"""

RETURN = r"""
_value:
  description:
    - The Ingresses first, then the load balancer Services, each with C(kind), C(namespace), C(name),
      C(hostname), C(hosts) (an Ingress's rule hosts; empty for a Service) and C(scheme).
  type: list
  elements: dict
"""

CERTIFICATE_ANNOTATION = "alb.ingress.kubernetes.io/certificate-arn"


def _objects(listings):
    return [obj for listing in listings for obj in listing.get("resources") or []]


def endpoint(kind, obj):
    metadata = obj.get("metadata") or {}
    ingress = ((obj.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
    rules = (obj.get("spec") or {}).get("rules") or []
    tls = (metadata.get("annotations") or {}).get(CERTIFICATE_ANNOTATION, "")
    return {
        "kind": kind,
        "namespace": metadata.get("namespace"),
        "name": metadata.get("name"),
        "hostname": (ingress[0].get("hostname") if ingress else None) or "pending",
        "hosts": [rule["host"] for rule in rules if rule.get("host")] if kind == "Ingress" else [],
        "scheme": "https" if tls else "http",
    }


def release_endpoints(ingresses, services):
    balanced = [obj for obj in _objects(services) if (obj.get("spec") or {}).get("type") == "LoadBalancer"]
    return [endpoint("Ingress", obj) for obj in _objects(ingresses)] + [endpoint("Service", obj) for obj in balanced]


class FilterModule:
    def filters(self):
        return {"release_endpoints": release_endpoints}
