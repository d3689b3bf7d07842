"""emulator.fixes.ecs_describe_task_definition_active, over HTTP."""

import pytest
from botocore.exceptions import ClientError

CONTAINER = [{"name": "app", "image": "nginx:1", "memory": 128}]


def test_family_resolves_to_latest_active_revision(aws, clean_emulator):
    ecs = aws("ecs")
    for _ in range(3):
        ecs.register_task_definition(family="web", containerDefinitions=CONTAINER)
    ecs.deregister_task_definition(taskDefinition="web:3")
    assert ecs.describe_task_definition(taskDefinition="web")["taskDefinition"]["revision"] == 2
    assert ecs.describe_task_definition(taskDefinition="web:3")["taskDefinition"]["status"] == "INACTIVE"


def test_family_with_no_active_revision_is_not_found(aws, clean_emulator):
    ecs = aws("ecs")
    ecs.register_task_definition(family="gone", containerDefinitions=CONTAINER)
    ecs.deregister_task_definition(taskDefinition="gone:1")
    with pytest.raises(ClientError) as err:
        ecs.describe_task_definition(taskDefinition="gone")
    assert err.value.response["Error"]["Code"] == "ClientException"


def test_bare_moto_resolves_a_family_to_its_deregistered_revision(bare_moto):
    """Marker: the behaviour this fix exists for.
    Failing here means moto resolves a family to its latest ACTIVE revision itself now: the fix can go."""
    ecs = bare_moto("ecs")
    for _ in range(2):
        ecs.register_task_definition(family="deregistered", containerDefinitions=CONTAINER)
    ecs.deregister_task_definition(taskDefinition="deregistered:2")
    described = ecs.describe_task_definition(taskDefinition="deregistered")["taskDefinition"]
    assert (described["revision"], described["status"]) == (2, "INACTIVE")
