"""Command line: python -m workshop_utils.local_cloud start [--port N] | stop | status [--json|--env] | logs."""

from __future__ import annotations

import argparse
import json
import sys

from .config import DEFAULT_PORT, NATIVE_WINDOWS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m workshop_utils.local_cloud",
        description="The workshop's local cloud: an offline AWS on 127.0.0.1, shared by every notebook.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    start_parser = commands.add_parser("start", help="start it (does nothing if it already runs)")
    start_parser.add_argument(
        "--port", type=int, default=None,
        help=f"port to listen on (default: {DEFAULT_PORT}, or a free one when it is taken; 0: any free port)",
    )
    commands.add_parser("stop", help="stop it and every function worker")
    status_parser = commands.add_parser("status", help="is it running and answering?")
    shown = status_parser.add_mutually_exclusive_group()
    shown.add_argument("--json", action="store_true", help="print the status as JSON")
    shown.add_argument("--env", action="store_true",
                       help="print `export` lines (endpoint, this cloud's own keys, region) for a terminal")
    logs_parser = commands.add_parser("logs", help="print the server log")
    logs_parser.add_argument("--tail", type=int, default=None, help="only the last N lines")
    args = parser.parse_args(argv)
    if sys.platform == "win32" and args.command == "start":
        print(NATIVE_WINDOWS, file=sys.stderr)
        return 1

    from . import service  # after argument parsing, so --help stays instant
    from .config import home_dir
    from .persistence.startup import lost_requests

    try:
        if args.command == "start":
            service.start(port=args.port)
            return 0
        if args.command == "stop":
            service.stop()
            return 0
        if args.command == "status":
            current = service.status()
            if args.env:
                return _print_env(current)
            if args.json:
                print(json.dumps(current.as_dict(), indent=2))
            elif current.healthy:
                print(f"The local cloud is running and healthy at {current.endpoint_url} (pid {current.pid}).")
                lost = lost_requests(home_dir())  # what the crash before this start cut short, said again
                if lost:
                    print(lost)
            elif current.running:
                print(f"The local cloud is running (pid {current.pid}) but does not answer; "
                      "restart it with `python -m workshop_utils.local_cloud stop` and `start`.")
            else:
                print("The local cloud is not running; start it with `python -m workshop_utils.local_cloud start`.")
            return 0 if current.healthy else 1
        if args.command == "logs":
            text = service.read_log(tail=args.tail)
            sys.stdout.write(text if text else "The local cloud has not written a log yet.\n")
            return 0
    except service.LocalCloudError as error:
        print(error, file=sys.stderr)
        return 1
    return 2


def _print_env(current: object) -> int:
    """`eval "$(python -m workshop_utils.local_cloud status --env)"` points aws, boto3 and cdk at this cloud."""
    import shlex

    from . import service

    assert isinstance(current, service.Status)
    env = current.client_env()
    if not env:
        print("The local cloud is not running; start it with `make cloud-start`, then run `make cloud-env` again.",
              file=sys.stderr)
        return 1
    for name, value in env.items():
        print(f"export {name}={shlex.quote(value)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
