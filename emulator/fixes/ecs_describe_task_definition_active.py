"""ECS DescribeTaskDefinition by family: the latest ACTIVE revision, not the newest one.

moto resolves a bare family (no ``:revision``) to the highest revision number even when that
revision has been deregistered (INACTIVE). AWS documents that a family alone means "the latest
ACTIVE revision" and fails when the family has none:
https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeTaskDefinition.html
(taskDefinition: "The family for the latest ACTIVE revision, family and revision (family:revision)
for a specific revision in the family, or full Amazon Resource Name (ARN)").

Without this, registering a family again after deregistering all of it compares against a
deregistered revision and registers nothing. The same resolution applies wherever moto resolves a
family (services, run_task), as it does on AWS.
"""

from moto.ecs.exceptions import TaskDefinitionNotFoundException
from moto.ecs.models import EC2ContainerServiceBackend


def apply() -> None:
    original = EC2ContainerServiceBackend.describe_task_definition
    if getattr(original, "_teamf_fixed", False):
        return

    def describe_task_definition(self, task_definition_str):
        name = task_definition_str.split("/")[-1]
        if ":" in name:
            return original(self, task_definition_str)
        active = [rev for rev, td in self.task_definitions.get(name, {}).items() if td.status == "ACTIVE"]
        if not active:
            raise TaskDefinitionNotFoundException()
        return self.task_definitions[name][max(active)]

    describe_task_definition._teamf_fixed = True
    EC2ContainerServiceBackend.describe_task_definition = describe_task_definition
