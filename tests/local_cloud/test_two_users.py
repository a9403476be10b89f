"""Two Unix users on one host, as on a shared JupyterHub: each one's local cloud answers its owner only.

Needs root, to create the two users (useradd) and run each one's processes as that user; CI runs as root. As
another user the test skips: one uid cannot show what a second uid can or cannot do.
"""

from __future__ import annotations

import io
import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import sysconfig
import tempfile
import textwrap
import urllib.request
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import psutil
import pytest
from botocore.config import Config

from workshop_utils.local_cloud import state
from workshop_utils.local_cloud.config import DEFAULT_PORT_ENV, repo_root

pytestmark = pytest.mark.skipif(
    sys.platform != "linux" or os.geteuid() != 0 or shutil.which("useradd") is None,
    reason="two Unix users need root and useradd (CI runs as root on Linux)",
)

LEARNER, OTHER = "sgw-learner", "sgw-other"  # A, whose cloud is attacked, and B, another user of the host


@dataclass
class User:
    name: str
    uid: int
    gid: int
    home: Path

    @property
    def cloud_home(self) -> Path:
        return self.home / "local-cloud"


def _ensure_user(name: str) -> tuple[User, bool]:
    """The user, created (with a home of their own) unless it exists; True when created here."""
    created = False
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        subprocess.run(["useradd", "--create-home", "--user-group", name], check=True, capture_output=True)
        entry, created = pwd.getpwnam(name), True
    return User(name, entry.pw_uid, entry.pw_gid, Path(entry.pw_dir)), created


def _python_for(users: list[User], work: Path) -> str:
    """An interpreter both users can run with this project's packages: this one, or (when it lives in a folder
    only root can enter, as pyenv's under /root) a venv of the system's same-version Python that reads our
    site-packages."""
    if all(_imports_project(user, sys.executable) for user in users):
        return sys.executable
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    base = shutil.which(version, path="/usr/local/bin:/usr/bin")
    if base is None:
        pytest.fail(f"{sys.executable} is not readable by other users and there is no system {version} to run them")
    shared = work / "venv"
    subprocess.run([base, "-m", "venv", "--without-pip", str(shared)], check=True, capture_output=True)
    purelib = Path(sysconfig.get_paths(vars={"base": str(shared)})["purelib"])
    purelib.mkdir(parents=True, exist_ok=True)
    ours = sysconfig.get_paths()["purelib"]
    (purelib / "workshop_tests.pth").write_text(f"import site; site.addsitedir({ours!r})\n")
    subprocess.run(["chmod", "-R", "a+rX", str(work)], check=True)
    python = str(shared / "bin" / "python")
    assert all(_imports_project(user, python) for user in users), "the shared venv cannot import the project"
    return python


def _imports_project(user: User, python: str) -> bool:
    try:
        probe = subprocess.run([python, "-c", "import workshop_utils.local_cloud.server, boto3"], user=user.uid,
                               group=user.gid, extra_groups=[], env=_env(user, 0), cwd=repo_root(),
                               capture_output=True, timeout=120, check=False)
    except PermissionError:  # the interpreter itself is out of the user's reach
        return False
    return probe.returncode == 0


def _env(user: User, default_port: int) -> dict[str, str]:
    """A user's shell: their own home and state folder, no AWS variables, the test's default port."""
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(user.home), "LANG": "C.UTF-8",
            "LOCAL_CLOUD_HOME": str(user.cloud_home), DEFAULT_PORT_ENV: str(default_port),
            "WORKSHOP_TARGET": "local"}


@dataclass
class Host:
    python: str
    default_port: int
    learner: User
    other: User

    def run(self, user: User, code: str, *args: str) -> subprocess.CompletedProcess[str]:
        """`python -c code args` as `user` (their uid and group only), from the checkout."""
        return subprocess.run([self.python, "-c", textwrap.dedent(code), *args], user=user.uid, group=user.gid,
                              extra_groups=[], env=_env(user, self.default_port), cwd=repo_root(),
                              capture_output=True, text=True, timeout=300, check=False)

    def cli(self, user: User, *args: str) -> subprocess.CompletedProcess[str]:
        return self.run(user, "import sys; from workshop_utils.local_cloud.__main__ import main; sys.exit(main())",
                        *args)

    def record(self, user: User) -> state.ServerRecord:
        """Read as root, without the liveness check (which, run as root, would take their server for a stranger's)."""
        record = state.read_record(user.cloud_home)
        assert record is not None, f"{user.name} has no running local cloud"
        return record

    def client(self, user: User, name: str) -> Any:
        """The user's own client: their cloud, their keys."""
        record = self.record(user)
        return boto3.client(name, endpoint_url=record.endpoint_url, region_name="us-east-1",
                            aws_access_key_id=record.access_key_id, aws_secret_access_key=record.secret_access_key,
                            config=Config(retries={"total_max_attempts": 1}, read_timeout=60))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def host() -> Iterator[Host]:
    """Both users' local clouds running: the other user's on the default port, the learner's moved to a free one."""
    created: list[str] = []
    work = Path(tempfile.mkdtemp(prefix="sgw-two-users-"))  # not pytest's: its folders are root's alone (0700)
    host: Host | None = None
    try:
        users = []
        for name in (LEARNER, OTHER):
            user, was_created = _ensure_user(name)
            users.append(user)
            created += [name] if was_created else []
        os.chmod(work, 0o755)
        learner, other = users
        host = Host(_python_for(users, work), _free_port(), learner, other)
        for user in (other, learner):  # the other user first: theirs takes the default port
            started = host.cli(user, "start")
            assert started.returncode == 0, (user.name, started.stdout, started.stderr)
        assert host.record(other).port == host.default_port != host.record(learner).port
        yield host
    finally:
        if host is not None:
            for user in (host.learner, host.other):
                host.cli(user, "stop")
        for name in created:
            subprocess.run(["userdel", "--remove", name], check=False, capture_output=True)
        shutil.rmtree(work, ignore_errors=True)


ATTACK_API = """
import json, sys, urllib.request, urllib.error
import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
from workshop_utils.local_cloud import service

endpoint = sys.argv[1]
own = service.recorded_status()  # the other user's own, valid keys: for their own cloud only
keys = {"own": (own.access_key_id, own.secret_access_key), "testing": ("testing", "testing"),
        "made_up": ("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")}
calls = {
    "lambda.list_functions": ("lambda", lambda c: c.list_functions()),
    "lambda.invoke": ("lambda", lambda c: c.invoke(FunctionName=sys.argv[2])),
    "logs.describe_log_groups": ("logs", lambda c: c.describe_log_groups()),
    "stepfunctions.list_state_machines": ("stepfunctions", lambda c: c.list_state_machines()),
    "dynamodb.scan": ("dynamodb", lambda c: c.scan(TableName=sys.argv[3])),
    "sqs.list_queues": ("sqs", lambda c: c.list_queues()),
    "cloudformation.delete_stack": ("cloudformation", lambda c: c.delete_stack(StackName="Anything")),
    "s3.list_buckets": ("s3", lambda c: c.list_buckets()),
    "sts.get_caller_identity": ("sts", lambda c: c.get_caller_identity()),
}
answers = {}
for label, (key, secret) in keys.items():
    for name, (service_name, call) in calls.items():
        client = boto3.client(service_name, endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=key,
                              aws_secret_access_key=secret, config=Config(retries={"total_max_attempts": 1}))
        try:
            call(client)
            answers[f"{label} {name}"] = "ANSWERED"
        except ClientError as error:
            answers[f"{label} {name}"] = error.response["Error"]["Code"]
for method, path in (("POST", "/moto-api/reset"), ("GET", "/moto-api/"), ("GET", "/moto-api/data.json"),
                     ("POST", "/_local_cloud/shutdown"), ("GET", "/_local_cloud/status")):
    request = urllib.request.Request(endpoint + path, method=method, data=b"" if method == "POST" else None)
    try:
        answers[f"{method} {path}"] = urllib.request.urlopen(request, timeout=10).status
    except urllib.error.HTTPError as error:
        answers[f"{method} {path}"] = error.code
print(json.dumps(answers))
"""

REFUSED_FOR_AN_UNKNOWN_KEY = {"lambda": "UnrecognizedClientException", "logs": "UnrecognizedClientException",
                              "stepfunctions": "UnrecognizedClientException", "dynamodb": "UnrecognizedClientException",
                              "sqs": "UnrecognizedClientException", "cloudformation": "InvalidClientTokenId",
                              "s3": "InvalidAccessKeyId", "sts": "InvalidClientTokenId"}


def _learners_deployment(host: Host) -> tuple[str, str, str]:
    """A function (warm), a table and a queue in the learner's cloud, made with the learner's own keys."""
    learner = host.learner
    iam, lam = host.client(learner, "iam"), host.client(learner, "lambda")
    role = iam.create_role(RoleName="quotes", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    package = io.BytesIO()
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return {'quote': 'genuine'}\n")
    lam.create_function(FunctionName="quote", Runtime="python3.11", Role=role, Handler="app.handler",
                        Code={"ZipFile": package.getvalue()}, Timeout=10)
    host.client(learner, "dynamodb").create_table(
        TableName="aggregates", BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "uuid", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "uuid", "AttributeType": "S"}])
    host.client(learner, "sqs").create_queue(QueueName="quotes")
    assert _invoke_as_learner(host) == {"quote": "genuine"}  # a warm worker now waits for the next invocation
    return "quote", "aggregates", "quotes"


def _invoke_as_learner(host: Host) -> Any:
    return json.loads(host.client(host.learner, "lambda").invoke(FunctionName="quote")["Payload"].read())


@pytest.fixture(scope="module")
def deployed(host: Host) -> tuple[str, str, str]:
    return _learners_deployment(host)


def test_the_state_file_and_folder_are_the_owners_alone(host: Host) -> None:
    peek = host.run(host.other, "import sys; open(sys.argv[1]).read()",
                    str(state.state_file(host.learner.cloud_home)))

    assert peek.returncode != 0 and "PermissionError" in peek.stderr
    assert os.stat(host.learner.cloud_home).st_mode & 0o777 == 0o700


def test_another_user_with_any_keys_is_refused_on_every_call_and_cannot_reset(host: Host, deployed) -> None:
    function, table, _queue = deployed
    attack = host.run(host.other, ATTACK_API, host.record(host.learner).endpoint_url, function, table)
    assert attack.returncode == 0, attack.stderr
    answers = json.loads(attack.stdout)

    for label in ("own", "testing", "made_up"):
        for name, code in answers.items():
            if name.startswith(label + " "):
                assert code == REFUSED_FOR_AN_UNKNOWN_KEY[name.split()[1].split(".")[0]], (name, code)
    assert {answers[f"{m} {p}"] for m, p in (("POST", "/moto-api/reset"), ("GET", "/moto-api/"),
                                              ("GET", "/moto-api/data.json"), ("POST", "/_local_cloud/shutdown"),
                                              ("GET", "/_local_cloud/status"))} == {403}
    # nothing was reset, deleted or stopped: the learner's cloud still holds and runs everything
    assert [f["FunctionName"] for f in host.client(host.learner, "lambda").list_functions()["Functions"]] == [function]
    assert host.client(host.learner, "dynamodb").list_tables()["TableNames"] == [table]
    assert _invoke_as_learner(host) == {"quote": "genuine"}


FORGE = """
import socket, sys
host, port = sys.argv[1], int(sys.argv[2])
outcomes = []
for request in (b"GET /2018-06-01/runtime/invocation/next HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n",
                b"POST /2018-06-01/runtime/invocation/any-id/response HTTP/1.1\\r\\nHost: x\\r\\n"
                b"Content-Length: 20\\r\\n\\r\\n{\\"quote\\": \\"forged\\"}",
                b"POST /2018-06-01/runtime/init/error HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 2\\r\\n\\r\\n{}",
                b"GET /2018-06-01/runtime/invocation/next HTTP/1.1\\r\\nHost: x\\r\\n"
                b"X-Local-Cloud-Runtime-Secret: a-guess\\r\\n\\r\\n"):
    try:
        with socket.create_connection((host, port), timeout=10) as sock:
            sock.sendall(request)
            status_line = sock.recv(100).decode().split("\\r\\n")[0]
            outcomes.append(status_line.split()[1] if status_line else "closed")
    except OSError:
        outcomes.append("closed")
print("|".join(outcomes))
"""


def test_another_user_cannot_take_or_answer_the_learners_invocations(host: Host, deployed) -> None:
    record = host.record(host.learner)
    status = urllib.request.Request(f"{record.endpoint_url}/_local_cloud/status",
                                    headers={state.TOKEN_HEADER: record.token})
    with urllib.request.urlopen(status, timeout=10) as response:
        workers = json.loads(response.read())["workers"]
    (pid,) = [worker["pid"] for worker in workers if worker["function"] == "quote"]
    # The port is no secret: every user sees loopback ports and their owner (ss, netstat). Root finds it here.
    (connection,) = [c for c in psutil.Process(pid).net_connections(kind="tcp4") if c.raddr]

    forged = host.run(host.other, FORGE, connection.raddr.ip, str(connection.raddr.port))

    assert forged.returncode == 0, forged.stderr
    assert forged.stdout.strip() == "403|403|403|403"
    assert [_invoke_as_learner(host) for _ in range(3)] == [{"quote": "genuine"}] * 3


NO_FALLBACK = """
from workshop_utils.cloud import target
try:
    target.client("lambda").list_functions()
    print("SENT")
except target.TargetNotReady as error:
    print(error)
"""


def test_with_the_learners_cloud_down_their_requests_never_reach_the_other_users(host: Host, deployed) -> None:
    """The other user's cloud listens on the default port; the learner's requests used to fall back to it."""
    log = Path(host.record(host.other).log_file)
    before = log.read_text()
    stopped = host.cli(host.learner, "stop")
    assert stopped.returncode == 0, stopped.stderr

    tried = host.run(host.learner, NO_FALLBACK)
    env = host.cli(host.learner, "status", "--env")

    assert tried.stdout.strip() == (
        "The local cloud is not running: run `make cloud-start` (or `python -m workshop_utils.local_cloud start`) "
        "in a terminal, then re-run this cell.")
    assert env.returncode == 1 and env.stdout == ""
    assert env.stderr.strip() == ("The local cloud is not running; start it with `make cloud-start`, then run "
                                  "`make cloud-env` again.")
    assert log.read_text() == before  # not even a refused request reached the other user's cloud
    assert host.cli(host.other, "status").returncode == 0
