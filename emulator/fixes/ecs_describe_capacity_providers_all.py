"""ECS DescribeCapacityProviders without names lists every capacity provider.

What moto does: iterates over the ``capacityProviders`` request parameter, which is absent when no
names are given, and answers with an internal server error (500).

What AWS documents: ``capacityProviders`` is optional; "If no capacity providers are specified,
all capacity providers ... are described" (paginated with ``maxResults``/``nextToken``):
https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeCapacityProviders.html

What the fix changes: no names (or an empty list) returns all the account's capacity providers in
the region, without failures. AWS also lists its built-in ``FARGATE`` and ``FARGATE_SPOT``
providers; the emulator does not model those. Pagination is not implemented.
"""

from moto.ecs.models import EC2ContainerServiceBackend


def apply() -> None:
    original = EC2ContainerServiceBackend.describe_capacity_providers
    if getattr(original, "_teamf_fixed", False):
        return

    def describe_capacity_providers(self, names):
        if not names:
            return list(self.capacity_providers.values()), []
        return original(self, names)

    describe_capacity_providers._teamf_fixed = True
    EC2ContainerServiceBackend.describe_capacity_providers = describe_capacity_providers
