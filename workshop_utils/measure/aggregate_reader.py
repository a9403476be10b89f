"""The aggregator's `aggregate:` log lines read incrementally: when each request's result was logged."""

from __future__ import annotations

from workshop_utils.cloud import target
from workshop_utils.cloud.logs import fetch_log_events
from workshop_utils.quotes import aggregates


class AggregateLineReader:
    """Reads the aggregator's `aggregate:` lines as they arrive: each request's status and when it was logged.

    Each read asks only for events from a little before the newest one seen (CloudWatch Logs can make an
    event readable after newer ones: seconds later on AWS, never locally, where events are stored in time
    order) and skips the ones already read, so a long run does not re-read its whole log every time.
    """

    def __init__(self, log_group: str, *, since_ms: int, overlap_ms: int | None = None) -> None:
        self.log_group = log_group
        self.overlap_ms = overlap_ms if overlap_ms is not None else (500 if target.current() == "local" else 15_000)
        self.cursor_ms = since_ms
        self.seen_ids: set[str] = set()
        self.aggregated: dict[str, tuple[str, int]] = {}  # uuid -> (status, epoch ms of its aggregate line)

    def read(self) -> None:
        for event in fetch_log_events(self.log_group, start_ms=self.cursor_ms):
            event_id = event.get("eventId") or f"{event['timestamp']}:{event['message']}"
            if event_id in self.seen_ids:
                continue
            self.seen_ids.add(event_id)
            self.cursor_ms = max(self.cursor_ms, event["timestamp"] - self.overlap_ms)
            document = aggregates.parse_aggregate_line(event["message"])
            if document and document.get("uuid") and document["uuid"] not in self.aggregated:
                self.aggregated[document["uuid"]] = (str(document.get("status")), event["timestamp"])
