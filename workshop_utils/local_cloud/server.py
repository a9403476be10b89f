"""The local cloud's server process: moto's server app plus our extensions on 127.0.0.1, with control endpoints."""

from __future__ import annotations

import argparse
import errno
import importlib
import json
import logging
import os
import secrets
import signal
import socket
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from . import auth, state
from .config import HOST, default_port, endpoint_url, home_dir

logger = logging.getLogger("workshop_utils.local_cloud")

CONTROL_PREFIX = "/_local_cloud/"
MOTO_API_PREFIX = "/moto-api"  # moto's reset, dashboard and data: the owner's only, like the control endpoints
# Imported in the background after the server listens (they take seconds); their requests wait for them.
EXTENSION_MODULES = (
    "workshop_utils.local_cloud.cloudformation.install",
    "workshop_utils.local_cloud.backends.stepfunctions",
)
WARM_UP_MODULES = ("moto.cloudformation.parsing", "moto.cloudformation.responses",
                   "moto.stepfunctions.parser.models", "moto.stepfunctions.responses", "moto.ssm.responses")
GATED_SERVICES = {"cloudformation", "states"}
# Imported before serving: what install() and the first calls (health, SQS, SNS, Lambda, logs) need.
EAGER_MODULES = ("moto.sts.responses", "moto.sqs.responses", "moto.sns.responses", "moto.awslambda.responses",
                 "moto.logs.responses", "moto.s3.responses", "moto.iam.responses")

StartResponse = Callable[..., Any]


class ServerError(Exception):
    """A startup problem a learner can fix; the message is one sentence saying how."""


class Extensions:
    """Loads the CloudFormation and Step Functions extensions in the background; gated requests wait."""

    def __init__(self) -> None:
        self.ready = threading.Event()
        self.error: str | None = None
        self.seconds: float | None = None
        self._started = False
        self._lock = threading.Lock()
        self.then: list[Callable[[], None]] = []  # run once loaded, before gated requests go on (the restore)

    def load(self) -> None:
        started = time.perf_counter()
        try:
            for name in EXTENSION_MODULES + WARM_UP_MODULES:
                importlib.import_module(name)
            _warm_up_rest_routers()
        except Exception:
            self.error = traceback.format_exc()
            logger.error("loading the local cloud extensions failed:\n%s", self.error)
        finally:
            for step in self.then:  # even after a failed load: `start` waits for the restore's report
                try:
                    step()
                except Exception:
                    logger.exception("%s failed after loading the extensions", getattr(step, "__name__", step))
            self.seconds = time.perf_counter() - started
            logger.info("CloudFormation and Step Functions extensions ready in %.2f s", self.seconds)
            self.ready.set()

    def start(self) -> None:
        """Begin loading (once). Called after the first request is answered, so the import does not compete
        for the GIL with the health check that `start` waits for, or when a gated request arrives."""
        with self._lock:
            if self._started:
                return
            self._started = True
        threading.Thread(target=self.load, name="load-extensions", daemon=True).start()

    def start_soon(self, delay: float) -> None:
        """Load anyway if no request comes (nobody ran `start`'s health check)."""
        timer = threading.Timer(delay, self.start)
        timer.daemon = True
        timer.start()


def _warm_up_rest_routers() -> None:
    """Build moto's URL router for REST services now: the first Lambda call would otherwise build it
    (a few hundred ms, and once per concurrent first caller) and count it as the function's cold start."""
    from moto.core.routing import get_service_router

    for service in ("lambda",):
        get_service_router(service)._get_router("rest-json")


def _request_service(environ: dict[str, Any]) -> str | None:
    """The signing service of a SigV4 request (Credential=key/date/region/SERVICE/aws4_request)."""
    authorization = environ.get("HTTP_AUTHORIZATION", "")
    marker = "Credential="
    if marker in authorization:
        scope = authorization.split(marker, 1)[1].split(",", 1)[0].split("/")
        if len(scope) >= 4:
            return scope[3].lower()
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    return "states" if target.startswith("AWSStepFunctions") else None


class LocalCloudApp:
    """WSGI wrapper: /_local_cloud/* control endpoints, a gate for not-yet-loaded extensions, then moto.

    Everything answers its owner only. The control endpoints (shutdown, status) and moto's /moto-api/ need the
    token of the state file, which only this server's user can read; every AWS API request must be signed
    (SigV4, checked) with this cloud's own keys from that file, or a worker's temporary ones. On a shared host,
    another user can neither stop, reset nor read this cloud.
    """

    def __init__(
        self, moto_app: Any, extensions: Extensions, port: int, shutdown: Callable[[], None], token: str,
        credentials: auth.CredentialStore | None = None,
    ) -> None:
        self.moto_app = moto_app
        self.extensions = extensions
        self.port = port
        self.shutdown = shutdown
        self.token = token
        self.credentials = credentials or auth.store()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path.startswith(CONTROL_PREFIX):
            return self._control(path[len(CONTROL_PREFIX):], environ, start_response)
        if path.startswith(MOTO_API_PREFIX):
            if not self._authorized(environ):
                return self._refuse_foreign(start_response)
        elif (refusal := self.credentials.refusal(environ)) is not None:
            return auth.refuse(environ, start_response, refusal)
        if not self.extensions.ready.is_set() and _request_service(environ) in GATED_SERVICES:
            self.extensions.start()
            self.extensions.ready.wait(300)
        response = self.moto_app(environ, start_response)
        self.extensions.start()
        return response

    def _json(self, start_response: StartResponse, status: str, body: dict[str, Any]) -> list[bytes]:
        data = json.dumps(body).encode()
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
        return [data]

    def health(self) -> dict[str, Any]:
        return {
            "pid": os.getpid(),
            "port": self.port,
            "extensions_ready": self.extensions.ready.is_set(),
            "extensions_error": self.extensions.error,
        }

    def _authorized(self, environ: dict[str, Any]) -> bool:
        offered = environ.get("HTTP_" + state.TOKEN_HEADER.upper().replace("-", "_"), "")
        return bool(self.token) and secrets.compare_digest(offered.encode(), self.token.encode())

    def _refuse_foreign(self, start_response: StartResponse) -> list[bytes]:
        return self._json(start_response, "403 Forbidden", {
            "error": "This local cloud belongs to another user or session: use the local cloud of your own "
                     "(`python -m workshop_utils.local_cloud status` shows it)."
        })

    def _control(self, action: str, environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        if not self._authorized(environ):
            return self._refuse_foreign(start_response)
        if action == "health":
            return self._json(start_response, "200 OK", self.health())
        if action == "status":
            from .lambda_service import services

            body = self.health()
            if services.installed():
                current = services.current()
                body["workers"] = current.runtime.describe()
                body["sqs_pollers"] = current.pollers.describe()
                body["async_retries_pending"] = current.async_invoker.pending()
            return self._json(start_response, "200 OK", body)
        if action == "shutdown" and method == "POST":
            threading.Thread(target=self.shutdown, name="shutdown", daemon=True).start()
            return self._json(start_response, "202 Accepted", {"stopping": True})
        return self._json(start_response, "404 Not Found", {"error": f"unknown control action {action!r}"})


def _acquire_home_lock(home: Path) -> Any:
    """One server per LOCAL_CLOUD_HOME; the lock dies with the process, so it is never stale."""
    try:
        import fcntl
    except ImportError:  # Windows: the state file check in lifecycle/status.py has to do
        return None
    handle = open(home / "server.lock", "w")  # noqa: SIM115 - held for the life of the process
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError as error:
        handle.close()
        record = state.read_record(home)
        where = f" on port {record.port} (pid {record.pid})" if record else ""
        raise ServerError(
            f"Another local cloud is already running from {home}{where}; use it, or stop it first with "
            "`python -m workshop_utils.local_cloud stop`."
        ) from error
    return handle


def _bind(port: int, *, any_port_if_taken: bool = False) -> socket.socket:
    """Listen on `port`; with any_port_if_taken, a taken port (another user's local cloud) falls back to a free one.

    Falling back here, at bind and listen time, rather than probing first: two users starting at once cannot both
    see the default port free and then collide on it.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        if port != 0 and _someone_listens(port):
            # On macOS, SO_REUSEADDR lets a bind to 127.0.0.1 succeed beside a server on all addresses (0.0.0.0),
            # which would then lose its loopback traffic to us: a listener that answers means the port is taken.
            raise OSError(errno.EADDRINUSE, f"port {port} is in use")
        sock.bind((HOST, port))
        sock.listen(128)  # inside the try: with SO_REUSEADDR on Linux, of two binds at once the second fails here
    except OSError as error:
        sock.close()
        if any_port_if_taken and port != 0 and error.errno in (errno.EADDRINUSE, errno.EACCES):
            logger.info("port %s is taken; listening on a free port instead", port)
            return _bind(0)
        if error.errno in (errno.EADDRINUSE, errno.EACCES):
            raise ServerError(
                f"Port {port} on {HOST} is already in use by another program; stop that program or start the "
                "local cloud on another port, e.g. `python -m workshop_utils.local_cloud start --port 4567`."
            ) from error
        raise
    return sock


def _someone_listens(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((HOST, port)) == 0


# Optional imports that moto's import chain would take but the server never uses: jsonschema (through
# moto.apigateway's OpenAPI validator) checks IRIs with rfc3987_syntax when it is installed (JupyterLab's
# jupyter-events brings it), and that module compiles a grammar on import: 2.7 s of every start on a 2-core machine.
UNUSED_OPTIONAL_IMPORTS = ("rfc3987_syntax",)


def _skip_unused_optional_imports() -> None:
    """Make each of them an ImportError in this process (the importer's own fallback applies)."""
    for name in UNUSED_OPTIONAL_IMPORTS:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]  # None in sys.modules: import fails


def serve(port: int, home: Path, *, any_port_if_taken: bool = False) -> int:
    import psutil

    started = time.perf_counter()
    _skip_unused_optional_imports()
    state.make_private_home(home)
    lock = _acquire_home_lock(home)
    listener = _bind(port, any_port_if_taken=any_port_if_taken)
    port = listener.getsockname()[1]
    os.environ["MOTO_PORT"] = str(port)  # Step Functions' interpreter calls Lambda at localhost:$MOTO_PORT
    credentials = auth.generate_owner_keys()
    url = endpoint_url(port)

    from moto.moto_server.werkzeug_app import MotoRequestHandler, create_backend_app
    from werkzeug.serving import make_server

    from .dispatcher import LocalDispatcher
    from .install import install
    from .persistence.startup import Persistence

    for name in EAGER_MODULES:
        importlib.import_module(name)
    installed = install(endpoint_url=url, home=home)

    extensions = Extensions()
    kept = Persistence(home, installed)  # the last run's journal, and the stacks to restore once loaded
    extensions.then.append(kept.after_extensions)
    http_server: Any = None

    def shutdown() -> None:
        if http_server is not None:
            http_server.shutdown()

    token = state.new_token()
    app = LocalCloudApp(LocalDispatcher(create_backend_app), extensions, port, shutdown, token)
    http_server = make_server(HOST, port, app, threaded=True, request_handler=MotoRequestHandler,
                              fd=listener.fileno())
    listener.close()  # make_server duplicated the descriptor
    extensions.start_soon(3.0)

    def on_signal(signum: int, frame: Any) -> None:
        threading.Thread(target=shutdown, name="shutdown", daemon=True).start()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    record = state.ServerRecord(
        pid=os.getpid(), port=port, endpoint_url=url, log_file=str(state.log_file(home)), started_at=time.time(),
        token=token, process_created_at=psutil.Process().create_time(),
        access_key_id=credentials.access_key_id, secret_access_key=credentials.secret_access_key,
    )
    state.write_record(home, record)
    if kept.pending_restore:  # `start` waits for the restore anyway: begin loading now, not at the first request
        extensions.start()
    logger.info("listening on %s (pid %s), ready in %.2f s", url, os.getpid(), time.perf_counter() - started)
    try:
        http_server.serve_forever()
    finally:
        logger.info("stopping: workers, pollers and retries")
        installed.shutdown()
        kept.close()
        http_server.server_close()
        state.remove_record(home, os.getpid())
        if lock is not None:
            lock.close()
        logger.info("stopped")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workshop_utils.local_cloud.server")
    parser.add_argument("--port", type=int, default=None, help="0 picks a free port (default: 4566, else a free one)")
    parser.add_argument("--home", type=Path, default=None, help="state directory (default: LOCAL_CLOUD_HOME)")
    parser.add_argument("--any-port-if-taken", action="store_true", help="listen on a free port if --port is taken")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    home = (args.home or home_dir()).resolve()
    from .install import ExtensionPointsMoved

    try:
        if args.port is None:
            return serve(default_port(), home, any_port_if_taken=True)
        return serve(args.port, home, any_port_if_taken=args.any_port_if_taken)
    except (ServerError, ExtensionPointsMoved) as error:
        print(f"local cloud: {error}", file=sys.stderr, flush=True)
        return 2


if __name__ == "__main__":
    sys.exit(main())
