"""emulator.faults (fault injection), over HTTP with boto3, and its CLI.

Two private emulators: one configured at start through TEAMF_EMULATOR_FAULTS, one controlled only at
run time through /moto-api/teamf/faults. botocore's own standard-retry classifiers judge every error.
"""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
import threading
import urllib.error
import urllib.request

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.retries import standard

from emulator import faults
from emulator.launcher import Emulator, EmulatorError
from tests.conftest import REGION, REPO_ROOT, _free_port

ENV_CONFIG = {"rate": 1.0, "seed": 7, "services": ["ec2"], "kinds": ["throttling"]}


@pytest.fixture(scope="module")
def started_faulty(emulator_factory) -> Emulator:
    return emulator_factory(isolation="faults", TEAMF_EMULATOR_FAULTS=json.dumps(ENV_CONFIG))


@pytest.fixture
def live(emulator_factory) -> Emulator:
    """The run-time-controlled emulator, faults off and counters zeroed before and after each test."""
    emu = emulator_factory(isolation="faults")
    faults.call_endpoint(emu.url, "DELETE")
    yield emu
    faults.call_endpoint(emu.url, "DELETE")


# One session for the module: it caches the service models, so each client is quick to make.
SESSION = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)


def client(emu: Emulator, service: str, attempts: int = 1):
    """boto3 in standard retry mode; ``attempts`` counts the first try (botocore's max_attempts does not)."""
    config = Config(retries={"mode": "standard", "total_max_attempts": attempts})
    return SESSION.client(service, endpoint_url=emu.url, config=config)


def set_faults(emu: Emulator, **config) -> dict:
    return faults.call_endpoint(emu.url, "POST", config)


def fails(call) -> str | None:
    """The error code ``call()`` raises, or None when it succeeds."""
    try:
        call()
    except ClientError as exc:
        return exc.response["Error"]["Code"]
    return None


# --- error shapes: what botocore sees, per protocol -----------------------------------------------

CALLS = {
    "ec2": ("describe_vpcs", "ec2"),
    "iam": ("list_roles", "query"),
    "sts": ("get_caller_identity", "query"),
    "elbv2": ("describe_load_balancers", "query"),
    "autoscaling": ("describe_auto_scaling_groups", "query"),
    "cloudformation": ("list_stacks", "query"),
    "ecs": ("list_clusters", "json"),
    "ecr": ("describe_repositories", "json"),
    "kms": ("list_keys", "json"),
    "logs": ("describe_log_groups", "json"),
    "ssm": ("describe_parameters", "json"),
    "servicediscovery": ("list_namespaces", "json"),
    "eks": ("list_clusters", "rest-json"),
    "s3": ("list_buckets", "s3"),
    "route53": ("list_hosted_zones", "rest-xml"),
}
# (status, code) per kind; the protocol defaults unless the service's botocore model declares its own.
EXPECTED = {
    "ec2": {
        "throttling": (503, "RequestLimitExceeded"),
        "internal": (500, "InternalError"),
        "unavailable": (503, "Unavailable"),
    },
    "query": {"throttling": (400, "Throttling"), "internal": (500, "InternalFailure")},
    "json": {"throttling": (400, "ThrottlingException"), "internal": (500, "InternalFailure")},
    "rest-json": {"throttling": (429, "ThrottlingException"), "internal": (500, "ServerException")},
    "s3": {"throttling": (503, "SlowDown"), "internal": (500, "InternalError")},
    "rest-xml": {"throttling": (400, "ThrottlingException"), "internal": (500, "InternalFailure")},
    # modeled: Cloud Map's throttling error, ECS/ECR/KMS/Logs/SSM server faults, EKS's 503
    "servicediscovery": {"throttling": (429, "RequestLimitExceeded")},
    "ecs": {"internal": (500, "ServerException")},
    "ecr": {"internal": (500, "ServerException")},
    "kms": {"internal": (500, "KMSInternalException")},
    "logs": {"internal": (500, "InternalServerException")},
    "ssm": {"internal": (500, "InternalServerError")},
    "eks": {"unavailable": (503, "ServiceUnavailableException")},
}


def expected(service: str, protocol: str, kind: str) -> tuple[int, str]:
    for key in (service, protocol):
        if kind in EXPECTED.get(key, {}):
            return EXPECTED[key][kind]
    return 503, "ServiceUnavailable"


@pytest.mark.parametrize("kind", faults.KINDS)
@pytest.mark.parametrize("service", CALLS)
def test_faults_are_the_errors_aws_returns(live, service, kind):
    operation, protocol = CALLS[service]
    aws = client(live, service)
    seen = []
    aws.meta.events.register("needs-retry", lambda **kwargs: seen.append(kwargs) and None)
    getattr(aws, operation)()  # the call itself works
    set_faults(live, rate=1, services=[service], kinds=[kind])  # elbv2: an alias of elasticloadbalancing
    seen.clear()
    with pytest.raises(ClientError) as raised:
        getattr(aws, operation)()

    status, code = expected(service, protocol, kind)
    response = raised.value.response
    assert (response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"]) == (status, code)
    assert response["ResponseMetadata"]["HTTPHeaders"]["x-teamf-fault"] == kind
    # botocore's standard retry mode classifies it as AWS's: throttling, or a transient 5xx.
    context = standard.RetryEventAdapter().create_retry_context(**seen[-1])
    is_throttling = standard.ThrottlingErrorDetector(standard.RetryEventAdapter()).is_throttling_error_from_context
    assert is_throttling(context) is (kind == "throttling")
    if kind != "throttling":
        assert standard.TransientRetryableChecker().is_retryable(context)
    assert standard.StandardRetryConditions(max_attempts=2).is_retryable(context)

    raw = context.http_response
    if protocol == "ec2":
        assert raw.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>')
    elif protocol == "query":
        fault_type = "Sender" if status < 500 else "Receiver"
        assert f"<ErrorResponse><Error><Type>{fault_type}</Type><Code>{code}</Code>".encode() in raw.content
    elif protocol == "json":
        assert json.loads(raw.content)["__type"] == code
        assert raw.headers["x-amzn-ErrorType"] == code
        assert raw.headers["Content-Type"] == "application/x-amz-json-1.1"
    elif protocol == "rest-json":
        assert raw.headers["x-amzn-ErrorType"] == code
        assert "message" in json.loads(raw.content)
    elif protocol == "s3":
        assert f"<Error><Code>{code}</Code>".encode() in raw.content


# --- configuration at start ------------------------------------------------------------------------


def test_rate_one_from_the_environment_throttles_that_service_only(started_faulty):
    status = faults.call_endpoint(started_faulty.url)
    assert status["enabled"] is True
    assert status["config"] == {
        "seed": 7,
        "rules": [{"rate": 1.0, "services": ["ec2"], "actions": [], "kinds": ["throttling"]}],
    }
    ec2 = client(started_faulty, "ec2")
    for call in (ec2.describe_vpcs, ec2.describe_vpcs, ec2.describe_subnets):
        assert fails(call) == "RequestLimitExceeded"
    assert fails(client(started_faulty, "sts").get_caller_identity) is None
    assert fails(client(started_faulty, "ecs").list_clusters) is None
    assert fails(client(started_faulty, "eks").list_clusters) is None

    status = faults.call_endpoint(started_faulty.url)
    assert status["requests"] == {
        "total": 6,
        "by_service": {
            "ec2": {"DescribeSubnets": 1, "DescribeVpcs": 2},
            "ecs": {"ListClusters": 1},
            "eks": {"ListClusters": 1},
            "sts": {"GetCallerIdentity": 1},
        },
    }
    assert status["faults"] == {
        "total": 3,
        "by_kind": {"throttling": 3, "internal": 0, "unavailable": 0},
        "by_service": {"ec2": {"DescribeSubnets": {"throttling": 1}, "DescribeVpcs": {"throttling": 2}}},
    }
    assert [(e["request"], e["action"], e["status"], e["code"]) for e in status["log"]] == [
        (1, "DescribeVpcs", 503, "RequestLimitExceeded"),
        (2, "DescribeVpcs", 503, "RequestLimitExceeded"),
        (3, "DescribeSubnets", 503, "RequestLimitExceeded"),
    ]


def test_an_invalid_environment_configuration_stops_the_server(tmp_path, monkeypatch):
    monkeypatch.setenv(faults.ENV, '{"rate": 2}')
    emu = Emulator(port=_free_port(), state_dir=tmp_path)
    with pytest.raises(EmulatorError, match="exited"):
        emu.start()
    assert "TEAMF_EMULATOR_FAULTS: rate must be a number from 0 to 1, not 2" in emu.log_file.read_text()


# --- run time --------------------------------------------------------------------------------------


def test_actions_and_rule_order_choose_the_calls(live):
    set_faults(
        live,
        seed=1,
        rules=[
            {"rate": 0, "actions": ["DescribeSubnets"]},
            {"rate": 1, "services": ["ec2"]},
            {"rate": 1, "services": ["eks"], "actions": ["DescribeCluster"]},
        ],
    )
    ec2, eks = client(live, "ec2"), client(live, "eks")
    assert fails(ec2.describe_subnets) is None  # the first matching rule decides: rate 0
    assert fails(ec2.describe_vpcs) == "RequestLimitExceeded"
    assert fails(eks.list_clusters) is None  # REST: the action comes from the method and path
    assert fails(lambda: eks.describe_cluster(name="anything")) == "ThrottlingException"
    assert faults.call_endpoint(live.url)["faults"]["by_service"] == {
        "ec2": {"DescribeVpcs": {"throttling": 1}},
        "eks": {"DescribeCluster": {"throttling": 1}},
    }


def test_seeded_runs_reproduce_the_same_fault_sequence(live):
    sts, ec2 = client(live, "sts"), client(live, "ec2")
    rng = random.Random(5)
    documented = ["Throttling" if rng.random() < 0.5 else None for _ in range(30)]

    def run(seed: int, interleave: bool = False) -> list[str | None]:
        set_faults(live, rate=0.5, seed=seed, services=["sts"])
        sequence = []
        for _ in range(30):
            sequence.append(fails(sts.get_caller_identity))
            if interleave:
                ec2.describe_vpcs()  # calls no rule matches draw no random numbers
        return sequence

    first = run(5)
    assert first == documented
    assert run(5) == first
    assert run(5, interleave=True) == first
    assert run(6) != first
    run(5)
    log = faults.call_endpoint(live.url)["log"]
    assert [entry["request"] for entry in log] == [n for n, code in enumerate(first, start=1) if code]


def test_counters_match_what_concurrent_clients_saw(live):
    set_faults(live, rate=0.5, seed=11, services=["ecs"], kinds=["5xx"])
    observed: list[str | None] = []
    lock = threading.Lock()

    def worker(ecs):
        for _ in range(15):
            code = fails(ecs.list_clusters)
            with lock:
                observed.append(code)

    threads = [threading.Thread(target=worker, args=(client(live, "ecs"),)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    status = faults.call_endpoint(live.url)
    failed = [code for code in observed if code]
    assert status["requests"]["by_service"] == {"ecs": {"ListClusters": 60}}
    assert status["faults"]["total"] == len(failed) > 0
    by_kind = status["faults"]["by_kind"]
    assert by_kind == {
        "throttling": 0,
        "internal": failed.count("ServerException"),
        "unavailable": failed.count("ServiceUnavailable"),
    }
    assert len(status["log"]) == len(failed)


def test_default_standard_retries_get_through_a_flaky_service(live):
    kinds = ["throttling", "internal", "unavailable"]
    set_faults(live, rate=0.3, seed=4, services=["ecs"], kinds=["throttling", "5xx"])
    rng, expected_faults = random.Random(4), []
    for _ in range(10):  # what the server draws for 10 calls that each retry until one passes
        while rng.random() < 0.3:
            expected_faults.append(rng.choice(kinds))

    ecs = client(live, "ecs", attempts=10)
    retried = [ecs.list_clusters()["ResponseMetadata"]["RetryAttempts"] for _ in range(10)]

    status = faults.call_endpoint(live.url)
    assert sum(retried) == status["faults"]["total"] == len(expected_faults) > 0
    assert status["requests"]["total"] == 10 + len(expected_faults)
    assert status["faults"]["by_kind"] == {kind: expected_faults.count(kind) for kind in kinds}


def test_off_means_no_faults_and_returns_the_final_counts(live):
    set_faults(live, rate=1, kinds=["5xx"])
    assert fails(client(live, "sts").get_caller_identity) in ("InternalFailure", "ServiceUnavailable")
    final = faults.call_endpoint(live.url, "DELETE")
    assert (final["enabled"], final["faults"]["total"]) == (True, 1)
    for service, (operation, _) in CALLS.items():
        assert fails(getattr(client(live, service), operation)) is None
    status = faults.call_endpoint(live.url)
    assert (status["enabled"], status["config"], status["faults"]["total"]) == (False, None, 0)
    assert status["requests"]["total"] == len(CALLS)  # still counted


def test_moto_api_is_never_faulted_nor_counted(live):
    set_faults(live, rate=1, kinds=["throttling", "5xx"])  # every service, every action
    for path, method in [
        ("/moto-api/", "GET"),
        ("/moto-api/reset", "POST"),
        ("/moto-api/teamf/faults", "GET"),
        ("/moto-api/teamf/ecr/verify-authorization-token", "POST"),
    ]:
        data = b'{"password": "x"}' if method == "POST" else None
        req = urllib.request.Request(f"{live.url}{path}", data=data, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            assert resp.status == 200, path
            assert "x-teamf-fault" not in resp.headers
    assert faults.call_endpoint(live.url)["requests"]["total"] == 0


def test_invalid_configurations_are_refused_and_change_nothing(live):
    before = set_faults(live, rate=0.25, seed=3, services=["elbv2"], kinds=["500"])
    assert before["config"]["rules"] == [
        {"rate": 0.25, "services": ["elasticloadbalancing"], "actions": [], "kinds": ["internal"]}
    ]
    for bad, message in [
        ({"rate": 1.5}, "rate must be a number from 0 to 1"),
        ({"rate": 0.1, "kinds": ["boom"]}, "unknown kind 'boom'"),
        ({"rate": 0.1, "rules": []}, "not both"),
        ({"seed": 1}, "give a rate"),
        ({"rate": 0.1, "errors": ["5xx"]}, "unknown keys ['errors']"),
    ]:
        with pytest.raises(faults.FaultConfigError, match=re.escape(message)):
            set_faults(live, **bad)
    assert faults.call_endpoint(live.url)["config"] == before["config"]
    req = urllib.request.Request(f"{live.url}{faults.PATH}", method="PUT")
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(req, timeout=10)
    assert raised.value.code == 405


def test_configuration_defaults_and_aliases():
    config = faults.FaultConfig.parse('{"rate": 0.2, "services": ["ELBv2", "cloudwatch", "ec2"], "kinds": "5xx"}')
    [rule] = config.rules
    assert rule.services == ("elasticloadbalancing", "monitoring", "ec2")
    assert rule.kinds == ("internal", "unavailable")
    assert 0 <= config.seed < 2**32  # drawn, and reported so the run can be replayed
    assert faults.Rule.parse({"rate": 1}).kinds == ("throttling",)
    assert faults.config_from_environment({}) is None


# --- the CLI ---------------------------------------------------------------------------------------


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "emulator", *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60
    )


def test_cli_sets_reports_and_turns_off_faults(live):
    port = str(live.port)
    done = cli(
        "faults", "set", "--rate", "1", "--seed", "3", "--service", "sts", "--kind", "throttling", "--port", port
    )
    assert done.returncode == 0, done.stderr
    assert "faults on at" in done.stdout and "(seed 3)" in done.stdout and "100% of calls to sts" in done.stdout
    assert fails(client(live, "sts").get_caller_identity) == "Throttling"

    done = cli("--port", port, "faults", "status")  # options before the command work too
    assert done.returncode == 0, done.stderr
    status = json.loads(done.stdout)
    assert status["enabled"] is True
    assert status["faults"]["by_service"] == {"sts": {"GetCallerIdentity": {"throttling": 1}}}

    done = cli("faults", "off", "--port", port)
    assert done.returncode == 0, done.stderr
    assert "faults off at" in done.stdout and "1 requests, 1 faults (throttling 1" in done.stdout
    assert fails(client(live, "sts").get_caller_identity) is None

    done = cli("faults", "set", "--json", '{"seed": 9, "rules": [{"rate": 0.5, "kinds": ["5xx"]}]}', "--port", port)
    assert done.returncode == 0, done.stderr
    assert faults.call_endpoint(live.url)["config"]["seed"] == 9


def test_cli_errors_and_the_existing_commands(live):
    port = str(live.port)
    done = cli("faults", "set", "--service", "ec2", "--port", port)
    assert (done.returncode, done.stderr.strip()) == (1, "error: --rate is required (or --json)")
    done = cli("faults", "set", "--rate", "7", "--port", port)
    assert (done.returncode, done.stderr.strip()) == (1, "error: rate must be a number from 0 to 1, not 7.0")
    done = cli("faults", "status", "--port", str(_free_port()))
    assert done.returncode == 1 and "no emulator answers" in done.stderr

    done = cli("status", "--port", port, "--state-dir", str(live.state_dir))
    assert (done.returncode, done.stdout.startswith(f"running at {live.url}")) == (0, True)
    done = cli("--port", str(_free_port()), "--state-dir", str(live.state_dir), "status")
    assert (done.returncode, done.stdout.strip()) == (3, "stopped")
