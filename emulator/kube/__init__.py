"""Local Kubernetes API stand-in for helm, kubectl and kubernetes.core, over plain HTTP.

A small stateful API server (aiohttp) that serves the built-in kinds a chart for an EKS workload
uses, plus whatever CustomResourceDefinitions define, with enough of the API machinery that the
real helm 3 and kubectl 1.32 CLIs and the Python ``kubernetes`` client work against it unchanged:
discovery, OpenAPI, CRUD with PUT/PATCH (JSON, merge, strategic merge, server-side apply),
``dryRun``, label and field selectors, watches, finalizers, owner-reference garbage collection and
simulated controllers that report workloads ready. See ``store``, ``patch``, ``controllers`` and
``server`` for the exact behaviour, and README.md beside this file for the overview and the gaps.

kmock 0.8 (PyPI) was evaluated first: its KubernetesEmulator keeps objects as bare dicts (no uid,
resourceVersion, generation or defaults), has no PUT, label selectors or strategic merge and only
discovers resources it has seen — each of which helm needs — so nothing here builds on it.
"""

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8001
