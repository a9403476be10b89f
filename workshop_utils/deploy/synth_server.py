"""The warm synth's process: keeps the CDK app imported (and jsii's node runtime running) and synthesizes on request.

Started by deploy.warm_synth as `python -m workshop_utils.deploy.synth_server`. Requests and replies are JSON
lines on stdin and stdout; anything else (the app's prints, jsii's warnings) goes to stderr. It exits when
stdin closes, so it never outlives the kernel that started it.
"""

from __future__ import annotations

import json
import os
import queue
import sys
import threading
import traceback
from pathlib import Path
from typing import IO, Any

READY = "ready"
IDLE_EXIT_S = 20 * 60


def _protocol_stream() -> IO[str]:
    """A private copy of stdout for the replies; fd 1 then points at stderr, so stray prints cannot corrupt them."""
    private = os.dup(sys.stdout.fileno())
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    return os.fdopen(private, "w", encoding="utf-8", buffering=1)


def synth_once(request: dict[str, Any]) -> dict[str, Any]:
    """Build a fresh App with the request's full context into its outdir; the reply says ok, or the lines to show."""
    from aws_cdk import AssetStaging

    from infra.app import build_app
    from infra.config import ConfigError

    # Staged assets are cached by path and options, not content: a changed lambdas/ folder must be re-hashed.
    AssetStaging.clear_asset_hash_cache()
    try:
        app = build_app(request["context"], outdir=request["outdir"])
    except ConfigError as error:
        return {"ok": False, "lines": [f"Error: {error}"]}  # the sentence `python -m infra.app` prints
    except Exception:  # a learner's mistake in infra/: the traceback, as the CLI would show it
        return {"ok": False, "lines": traceback.format_exc().splitlines()}
    try:
        app.synth()
    except Exception:
        return {"ok": False, "lines": traceback.format_exc().splitlines()}
    return {"ok": True, "lines": []}


def _lines(requests: IO[str]) -> queue.Queue[str | None]:
    """stdin's lines, read by a thread, so the main loop can stop waiting after a while; None at EOF."""
    lines: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        for line in requests:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=read, name="requests", daemon=True).start()
    return lines


def serve(requests: IO[str], replies: IO[str], *, idle_exit_s: float | None = IDLE_EXIT_S) -> None:
    """Answer every request line until stdin closes, or until nothing came for idle_exit_s seconds (a kernel
    left open should not hold the app's memory for hours; the client starts a new process when needed)."""
    try:  # the import, and jsii loading aws-cdk-lib into node, is what stays warm
        from infra.app import build_app  # noqa: F401
    except Exception as error:  # infra/ does not import (a learner's edit): the CLI's synth shows the traceback
        replies.write(json.dumps({READY: False, "reason": f"{type(error).__name__}: {error}"}) + "\n")
        replies.flush()
        return
    replies.write(json.dumps({READY: True, "pid": os.getpid()}) + "\n")
    replies.flush()
    lines = _lines(requests)
    while True:
        try:
            line = lines.get(timeout=idle_exit_s)
        except queue.Empty:
            return
        if line is None:
            return
        if not line.strip():
            continue
        reply = synth_once(json.loads(line))
        replies.write(json.dumps(reply) + "\n")
        replies.flush()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    # The folder of the record the client wrote (its warm_synth registry; build/warm-synth when not given).
    registry = Path(args[0]) if args else Path("build", "warm-synth")
    replies = _protocol_stream()
    try:
        serve(sys.stdin, replies)
    finally:  # no process, no record
        (registry / f"{os.getpid()}.json").unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
