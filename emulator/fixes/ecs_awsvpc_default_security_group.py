"""ECS CreateService with ``awsvpc`` networking but no security groups must not fail.

What moto does: validates ``networkConfiguration.awsvpcConfiguration`` by reading
``securityGroups`` unconditionally, so a configuration with only subnets fails with an internal
server error (500, ``KeyError``).

What AWS documents: ``securityGroups`` is optional; "If you don't specify a security group, the
default security group for the VPC is used":
https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_AwsVpcConfiguration.html

What the fix changes: only the security groups that are given are validated, and the service keeps
the configuration as it was sent. Tasks the emulator starts for such a service get the VPC's
default security group (see ``ecs_deployments``).
"""

from moto.ecs.models import Service


def apply() -> None:
    original = Service._validate_network
    if getattr(original, "_teamf_fixed", False):
        return

    def _validate_network(self, nc):
        config = nc.get("awsvpcConfiguration") or {}
        if config.get("securityGroups"):
            return original(self, nc)
        original(self, {**nc, "awsvpcConfiguration": {**config, "securityGroups": []}})
        return nc

    _validate_network._teamf_fixed = True
    Service._validate_network = _validate_network
