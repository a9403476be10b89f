"""A journal of accepted requests (202s, executions started): one line on accept, one on finish, so that after a
crash the next start can name what was accepted and never finished instead of losing it silently."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

from .files import private_folder

JOURNAL_NAME = "journal.log"
# Rewrite the file with only the open entries once it holds this many lines (it is append-only otherwise).
COMPACT_AFTER_LINES = 20_000
SHOWN_IDS = 10


@dataclass(frozen=True)
class Entry:
    """One accepted request: its id (request id, execution name), what kind it is, what it targets, and the name
    the learner knows it by (the request's own uuid when its payload has one, else its id)."""

    request_id: str
    kind: str
    target: str
    name: str = ""

    def line(self) -> bytes:
        return f"A\t{self.request_id}\t{self.kind}\t{self.target}\t{self.name or self.request_id}\n".encode()


class Journal:
    """Append-only, one os.write per line on a descriptor opened with O_APPEND.

    A write reaches the kernel at once, so a kill -9 of the server loses nothing that was written; there is no
    fsync (a power cut may lose the last lines; a laptop that sleeps or reboots cleanly does not). The cost is a
    few microseconds a request, on the hot path of every asynchronous invocation.
    """

    def __init__(self, folder: Path) -> None:
        self.path = private_folder(folder) / JOURNAL_NAME
        self._open: dict[str, Entry] = {}
        self._lines = 0
        self._lock = threading.Lock()
        self._descriptor = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)

    def accepted(self, request_id: str, kind: str, target: str, name: str = "") -> None:
        entry = Entry(request_id, kind, target, name.replace("\t", " ").replace("\n", " "))
        line = entry.line()
        with self._lock:
            self._open[request_id] = entry
            self._write(line)

    def finished(self, request_id: str) -> None:
        with self._lock:
            if self._open.pop(request_id, None) is None:
                return
            self._write(f"F\t{request_id}\n".encode())

    def unfinished(self) -> list[Entry]:
        with self._lock:
            return list(self._open.values())

    def close(self) -> None:
        with self._lock:
            if self._descriptor >= 0:
                os.close(self._descriptor)
                self._descriptor = -1

    def _write(self, line: bytes) -> None:
        if self._descriptor < 0:  # closed at shutdown: what still finishes is not worth a journal line
            return
        os.write(self._descriptor, line)
        self._lines += 1
        if self._lines >= COMPACT_AFTER_LINES:
            self._compact()

    def _compact(self) -> None:
        """Replace the file by the open entries only (called with the lock held)."""
        temporary = self.path.with_name(f".{JOURNAL_NAME}.tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(b"".join(entry.line() for entry in self._open.values()))
        os.replace(temporary, self.path)
        os.close(self._descriptor)
        self._descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND, 0o600)
        self._lines = len(self._open)


def read_unfinished(path: Path) -> list[Entry]:
    """The entries of a journal file that were accepted and never finished, in the order they were accepted."""
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return []
    open_entries: dict[str, Entry] = {}
    for line in text.splitlines():
        fields = line.split("\t")
        if fields[0] == "A" and len(fields) == 5:
            open_entries[fields[1]] = Entry(*fields[1:])
        elif fields[0] == "F" and len(fields) == 2:
            open_entries.pop(fields[1], None)
    return list(open_entries.values())


def take_over(folder: Path) -> list[Entry]:
    """At start: what the previous server left unfinished; its journal is then set aside for a fresh one."""
    path = folder / JOURNAL_NAME
    entries = read_unfinished(path)
    if path.exists():
        os.replace(path, folder / (JOURNAL_NAME + ".previous"))
    return entries


def describe_lost(entries: list[Entry]) -> str | None:
    """One sentence naming the requests that were accepted and never finished, or None when there are none."""
    if not entries:
        return None
    groups: dict[tuple[str, str], list[str]] = {}
    for entry in entries:
        groups.setdefault((entry.kind, entry.target), []).append(entry.name or entry.request_id)
    parts = []
    for (kind, target), ids in groups.items():
        shown = ", ".join(ids[:SHOWN_IDS]) + (f" and {len(ids) - SHOWN_IDS} more" if len(ids) > SHOWN_IDS else "")
        plural = "s" if len(ids) != 1 else ""
        parts.append(f"{len(ids)} {kind}{plural} of {target} ({shown})")
    count = len(entries)
    were = "request was" if count == 1 else "requests were"
    return (f"{count} {were} accepted but never finished before the local cloud stopped, so their results are "
            f"lost: {'; '.join(parts)}; send them again (re-run the cells that sent them).")
