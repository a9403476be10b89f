"""One pattern's benchmark run as measured (latencies, failures, losses) and its nearest-rank percentiles."""

from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass
class PatternRun:
    """Per-request latencies of one pattern, plus the requests that failed (refused when sent, or ended in
    an error) and those lost (sent, but no result before the benchmark stopped waiting)."""

    latencies_ms: list[float] = field(default_factory=list)
    failed: int = 0
    lost: int = 0
    wall_s: float = 0.0

    def summary(self) -> dict:
        return {
            "p50_ms": percentile(self.latencies_ms, 50),
            "p95_ms": percentile(self.latencies_ms, 95),
            "p99_ms": percentile(self.latencies_ms, 99),
            "throughput_rps": round(len(self.latencies_ms) / self.wall_s, 2) if self.wall_s else 0.0,
            "completed": len(self.latencies_ms),
            "lost": self.lost,
            "failed": self.failed,
        }


def percentile(values: list[float], pct: float) -> float | None:
    """The nearest-rank percentile, rounded to 0.1 ms; None without values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(pct * len(ordered) / 100)))
    return round(ordered[rank - 1], 1)
