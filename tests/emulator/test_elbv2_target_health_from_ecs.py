"""emulator.fixes.elbv2_target_health_from_ecs, over HTTP.

Runs its own emulator with a two-second rollout (``TEAMF_EMULATOR_ECS_ROLLOUT_SECONDS``).
"""

import json
import re
import time

import boto3
import pytest

ROLLOUT_SECONDS = 2.0
REGION = "ap-northeast-2"


@pytest.fixture(scope="module")
def fast_emulator(emulator_factory):
    return emulator_factory("elbv2-targets", TEAMF_EMULATOR_ECS_ROLLOUT_SECONDS=ROLLOUT_SECONDS)


@pytest.fixture(scope="module")
def aws_fast(fast_emulator):
    session = boto3.session.Session(aws_access_key_id="t", aws_secret_access_key="t", region_name=REGION)
    return lambda service: session.client(service, endpoint_url=fast_emulator.url)


@pytest.fixture
def env(aws_fast, request):
    """A VPC, an instance registered in its own ECS cluster, and a task definition per network mode."""
    ec2, ecs, elbv2 = aws_fast("ec2"), aws_fast("ecs"), aws_fast("elbv2")
    name = re.sub(r"[^A-Za-z0-9]", "-", request.node.name)[:28]
    vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.40.1.0/24")["Subnet"]["SubnetId"]
    instance = ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1, SubnetId=subnet)["Instances"][0]
    ecs.create_cluster(clusterName=name)
    ecs.register_container_instance(
        cluster=name, instanceIdentityDocument=json.dumps({"instanceId": instance["InstanceId"]})
    )
    for image in ("nginx:1", "nginx:2", "nginx:fail"):
        ecs.register_task_definition(
            family=f"{name}-bridge",
            containerDefinitions=[
                {"name": "web", "image": image, "memory": 64, "portMappings": [{"containerPort": 80, "hostPort": 0}]}
            ],
        )
    ecs.register_task_definition(
        family=f"{name}-awsvpc",
        networkMode="awsvpc",
        containerDefinitions=[
            {"name": "web", "image": "nginx:1", "memory": 64, "portMappings": [{"containerPort": 80}]}
        ],
    )

    def target_group(target_type):
        return elbv2.create_target_group(
            Name=f"{name[:20].strip('-')}-{target_type}", Protocol="HTTP", Port=80, VpcId=vpc, TargetType=target_type
        )["TargetGroups"][0]["TargetGroupArn"]

    return {
        "ecs": ecs,
        "elbv2": elbv2,
        "cluster": name,
        "subnet": subnet,
        "instance": instance["InstanceId"],
        "target_group": target_group,
    }


def create_service(env, family, target_group, **kwargs):
    env["ecs"].create_service(
        cluster=env["cluster"],
        serviceName="web",
        taskDefinition=family,
        desiredCount=2,
        loadBalancers=[{"targetGroupArn": target_group, "containerName": "web", "containerPort": 80}],
        **kwargs,
    )


def health(env, target_group):
    descriptions = env["elbv2"].describe_target_health(TargetGroupArn=target_group)["TargetHealthDescriptions"]
    return sorted((d["Target"]["Id"], d["Target"]["Port"], d["TargetHealth"]["State"]) for d in descriptions)


def wait_for(env, target_group, predicate, timeout=ROLLOUT_SECONDS * 4):
    deadline = time.monotonic() + timeout
    while True:
        targets = health(env, target_group)
        if predicate(targets) or time.monotonic() > deadline:
            return targets
        time.sleep(0.1)


def states(targets):
    return [state for _, _, state in targets]


def test_bridge_tasks_register_as_instance_targets_initial_then_healthy(env):
    tg = env["target_group"]("instance")
    create_service(env, f"{env['cluster']}-bridge:1", tg)
    assert health(env, tg) == []  # tasks are still pending: nothing registered yet

    initial = wait_for(env, tg, lambda t: len(t) == 2)
    assert states(initial) == ["initial", "initial"]
    assert {target_id for target_id, _, _ in initial} == {env["instance"]}
    assert all(port >= 32768 for _, port, _ in initial)  # dynamic host ports
    assert len({port for _, port, _ in initial}) == 2

    healthy = wait_for(env, tg, lambda t: states(t) == ["healthy", "healthy"])
    assert healthy == [(i, p, "healthy") for i, p, _ in initial]
    service = env["ecs"].describe_services(cluster=env["cluster"], services=["web"])["services"][0]
    assert service["deployments"][0]["rolloutState"] == "COMPLETED"


def test_awsvpc_tasks_register_by_ip_and_container_port(env):
    tg = env["target_group"]("ip")
    network = {"awsvpcConfiguration": {"subnets": [env["subnet"]]}}
    create_service(env, f"{env['cluster']}-awsvpc", tg, networkConfiguration=network)
    targets = wait_for(env, tg, lambda t: states(t) == ["healthy", "healthy"])
    assert states(targets) == ["healthy", "healthy"]
    arns = env["ecs"].list_tasks(cluster=env["cluster"], serviceName="web")["taskArns"]
    tasks = env["ecs"].describe_tasks(cluster=env["cluster"], tasks=arns)["tasks"]
    ips = sorted(d["value"] for t in tasks for d in t["attachments"][0]["details"] if d["name"] == "privateIPv4Address")
    assert [(ip, port) for ip, port, _ in targets] == [(ip, 80) for ip in ips]
    assert all(ip.startswith("10.40.1.") for ip in ips)


def test_rollout_replaces_targets_and_drops_the_old_ones(env):
    tg = env["target_group"]("instance")
    family = f"{env['cluster']}-bridge"
    create_service(env, f"{family}:1", tg)
    old = wait_for(env, tg, lambda t: states(t) == ["healthy", "healthy"])
    env["ecs"].update_service(cluster=env["cluster"], service="web", taskDefinition=f"{family}:2")

    during = wait_for(env, tg, lambda t: len(t) == 4)
    assert sorted(states(during)) == ["healthy", "healthy", "initial", "initial"]
    assert {(i, p) for i, p, s in during if s == "healthy"} == {(i, p) for i, p, _ in old}

    after = wait_for(env, tg, lambda t: len(t) == 2 and states(t) == ["healthy", "healthy"])
    assert states(after) == ["healthy", "healthy"]
    assert {(i, p) for i, p, _ in after}.isdisjoint({(i, p) for i, p, _ in old})


def test_failing_deployment_targets_are_unhealthy(env):
    tg = env["target_group"]("instance")
    family = f"{env['cluster']}-bridge"
    create_service(env, f"{family}:1", tg)
    wait_for(env, tg, lambda t: states(t) == ["healthy", "healthy"])
    env["ecs"].update_service(cluster=env["cluster"], service="web", taskDefinition=f"{family}:3")
    deadline = time.monotonic() + ROLLOUT_SECONDS * 2
    while True:  # one response, read whole: failing tasks come and go every third of the rollout
        descriptions = env["elbv2"].describe_target_health(TargetGroupArn=tg)["TargetHealthDescriptions"]
        by_state = {}
        for d in descriptions:
            by_state.setdefault(d["TargetHealth"]["State"], []).append(d["TargetHealth"].get("Reason"))
        if "unhealthy" in by_state or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert set(by_state["unhealthy"]) == {"Target.ResponseCodeMismatch"}
    assert by_state["healthy"] == [None, None]  # the old tasks keep serving


def test_asking_for_one_target_reports_it(env):
    tg = env["target_group"]("instance")
    create_service(env, f"{env['cluster']}-bridge:1", tg)
    [(target_id, port, _), _] = wait_for(env, tg, lambda t: states(t) == ["healthy", "healthy"])
    [description] = env["elbv2"].describe_target_health(TargetGroupArn=tg, Targets=[{"Id": target_id, "Port": port}])[
        "TargetHealthDescriptions"
    ]
    assert (description["Target"]["Port"], description["TargetHealth"]["State"]) == (port, "healthy")


def test_bare_moto_registers_no_targets_for_an_ecs_service(bare_moto):
    """Marker: the behaviour this fix exists for. Failing here means moto registers an ECS service's tasks with
    its target groups itself now: the fix can go."""
    ec2, ecs, elbv2 = bare_moto("ec2"), bare_moto("ecs"), bare_moto("elbv2")
    vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    [target_group] = elbv2.create_target_group(Name="marker-web", Protocol="HTTP", Port=80, VpcId=vpc)["TargetGroups"]
    ecs.create_cluster(clusterName="marker-targets")
    ecs.register_task_definition(
        family="marker-web",
        containerDefinitions=[
            {"name": "web", "image": "nginx:1", "memory": 64, "portMappings": [{"containerPort": 80, "hostPort": 0}]}
        ],
    )
    ecs.create_service(
        cluster="marker-targets",
        serviceName="web",
        taskDefinition="marker-web",
        desiredCount=2,
        loadBalancers=[{"targetGroupArn": target_group["TargetGroupArn"], "containerName": "web", "containerPort": 80}],
    )
    health = elbv2.describe_target_health(TargetGroupArn=target_group["TargetGroupArn"])
    assert health["TargetHealthDescriptions"] == []
