"""A worker's stdout and stderr, read line by line; drain() attributes everything written so far."""

from __future__ import annotations

import os
import selectors
import threading
from collections.abc import Callable
from typing import IO


class OutputPump(threading.Thread):
    """Reads a worker's stdout and stderr line by line; drain() attributes everything written so far."""

    def __init__(self, pipes: list[IO[bytes]], emit: Callable[[str], None], on_eof: Callable[[], None]) -> None:
        super().__init__(name="worker-output", daemon=True)
        self._pipes = {pipe.fileno(): pipe for pipe in pipes}
        for fd in self._pipes:
            os.set_blocking(fd, False)
        self._open = set(self._pipes)
        self._buffers = dict.fromkeys(self._pipes, b"")
        self._emit = emit
        self._on_eof = on_eof
        self._lock = threading.Lock()

    def run(self) -> None:
        with selectors.DefaultSelector() as selector:
            for fd in self._pipes:
                selector.register(fd, selectors.EVENT_READ)
            while self._open:
                for key, _ in selector.select():
                    with self._lock:
                        self._read(key.fd)
                    if key.fd not in self._open:
                        selector.unregister(key.fd)
        for pipe in self._pipes.values():
            pipe.close()
        self._on_eof()

    def drain(self) -> None:
        """Emit every byte the worker wrote before now (call before END so lines land in their invocation)."""
        with self._lock:
            for fd in list(self._open):
                self._read(fd)
            for fd in self._buffers:
                self._emit_partial(fd)

    def _read(self, fd: int) -> None:
        while fd in self._open:
            try:
                chunk = os.read(fd, 65536)
            except BlockingIOError:
                return
            except OSError:
                chunk = b""
            if not chunk:
                self._open.discard(fd)
                self._emit_partial(fd)
                return
            *lines, rest = (self._buffers[fd] + chunk).split(b"\n")
            self._buffers[fd] = rest
            for line in lines:
                self._emit_line(line)

    def _emit_partial(self, fd: int) -> None:
        if self._buffers[fd]:
            line, self._buffers[fd] = self._buffers[fd], b""
            self._emit_line(line)

    def _emit_line(self, line: bytes) -> None:
        # the runtime client separates the lines of one log record or error report with \r: they stay one event
        text = line.decode("utf-8", "replace").replace("\r\n", "\n").replace("\r", "\n").rstrip("\n")
        if text.strip():
            self._emit(text)
