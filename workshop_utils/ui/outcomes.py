"""Say what just happened, from the results themselves: attempts, failures, missing vendors, what a diff changes.

Pure functions from plain data to sentences, so the notebooks' words cannot drift from their outputs.
"""

from __future__ import annotations

from workshop_utils.deploy.diff import diff_resources
from workshop_utils.quotes.timelines import role_label
from workshop_utils.render._history import CAUGHT, FAILED, STOPPED, SUCCEEDED, state_statuses, task_runs


def _names(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _times(count: int) -> str:
    return {1: "once", 2: "twice"}.get(count, f"{count} times")


def parallel_story(history: list[dict], catch_targets: dict[str, set[str]]) -> list[str]:
    """A sentence for each task that failed or needed a retry, and for quotes a failed execution lost; nothing
    when every task answered at its first attempt."""
    statuses = state_statuses(history, catch_targets)
    runs = task_runs(history)
    sentences = []
    for name, run in runs.items():
        status, who = statuses.get(name), role_label(name)
        errors = f" ({_names(sorted(set(run.errors)))})" if run.errors else ""
        if status == SUCCEEDED and run.attempts > 1:
            sentences.append(f"{who} answered at attempt {run.attempts}, after {run.attempts - 1} failure(s){errors}.")
        elif status == CAUGHT:
            sentences.append(
                f"{who} was tried {_times(run.attempts)} and failed every time{errors}; its Catch turned the error "
                "into an entry of the output's errors list, so the execution went on without it."
            )
        elif status == FAILED:
            tries = "at its first attempt, with no retry" if run.attempts == 1 else f"all {run.attempts} attempts"
            sentences.append(
                f"{who} failed {tries}{errors}; nothing caught the error, so it failed the whole execution."
            )
        elif status == STOPPED:
            sentences.append(
                f"{who} had not answered when the execution failed; Step Functions stopped waiting for it."
            )
    if any(statuses.get(name) == FAILED for name in runs):
        answered = [role_label(name) for name in runs if name != "Requester" and statuses.get(name) == SUCCEEDED]
        if answered:
            sentences.append(f"A failed execution has no output: the quotes of {_names(answered)} are lost with it.")
    return sentences


def sns_story(aggregate: dict, attempts: dict[str, int], failure_records: list[dict]) -> list[str]:
    """What the SNS pattern did for one request: the aggregate, each vendor's attempts, the OnFailure records.

    `attempts` is {vendor: invocations counted from its responder's START lines}; `failure_records` are the
    summaries (aggregates.failure_summary) of this request's OnFailure records.
    """
    status = aggregate.get("status")
    answered = sorted({quote.get("vendor") for quote in aggregate.get("quotes", []) if quote.get("vendor")})
    missing = list(aggregate.get("missing_vendors") or [])
    if status == "complete":
        sentences = [f"Aggregate complete: {_names(answered)} answered, one quote each."]
    elif status == "failed":  # the aggregator could not gather this request (its reason says why)
        sentences = [f"Aggregate failed: {aggregate.get('reason') or 'the aggregator gave no reason'}."]
    else:
        sentences = [
            f"Aggregate {status}: {_names(answered) or 'no vendor'} answered; {_names(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} missing, so the aggregator wrote it when the deadline passed."
        ]
    for vendor, count in sorted(attempts.items()):
        if count > 1 or vendor in missing:
            sentences.append(
                f"Lambda ran Responder · {vendor} {_times(count)} for this request "
                f"({count} START line{'s' if count != 1 else ''} in its log)."
            )
    for record in failure_records:
        sentences.append(
            f"The failed-invocations queue holds an OnFailure record for {record['function']}: "
            f"{record['condition']} after {record['attempts']} attempt(s), {record['error']}."
        )
    if missing and not failure_records:
        sentences.append("No OnFailure record for this request has reached the failed-invocations queue yet.")
    return sentences


PATTERN_NAMES = {"parallel": "Parallel", "sns": "SNS"}


def ms_text(value: float | None) -> str:
    """A latency as the table and the sentences both show it: to 0.1 ms, as the benchmark measures it."""
    return "–" if value is None else f"{value:.1f} ms"


def benchmark_rows(summaries: dict[str, dict], offered: str) -> list[dict]:
    """The benchmark's table: one row a pattern, every latency formatted as the sentences below it say it."""
    return [
        {"pattern": PATTERN_NAMES.get(name, name), "offered load": offered,
         "median (p50)": ms_text(summary.get("p50_ms")), "p95": ms_text(summary.get("p95_ms")),
         "p99": ms_text(summary.get("p99_ms")), "throughput": f"{summary.get('throughput_rps', 0):.2f} req/s",
         "completed": summary.get("completed"), "lost": summary.get("lost"), "failed": summary.get("failed")}
        for name, summary in summaries.items()
    ]


def benchmark_story(summaries: dict[str, dict]) -> list[str]:
    """The benchmark's medians and tails side by side, and anything lost or failed, from its summaries."""
    names = PATTERN_NAMES
    sentences = []
    medians = {name: summary.get("p50_ms") for name, summary in summaries.items()}
    if all(value is not None for value in medians.values()) and len(medians) == 2:
        (slow, slow_ms), (fast, fast_ms) = sorted(medians.items(), key=lambda item: -item[1])
        sentences.append(
            f"Median (p50, half the requests took less): {names.get(fast, fast)} {ms_text(fast_ms)}, "
            f"{names.get(slow, slow)} {ms_text(slow_ms)} ({ms_text(slow_ms - fast_ms)} apart); the 95th "
            "percentile (p95, all but the slowest 5 %): "
            + ", ".join(f"{names.get(n, n)} {ms_text(s['p95_ms'])}" for n, s in summaries.items()) + "."
        )
    for name, summary in summaries.items():
        if summary.get("lost") or summary.get("failed"):
            sentences.append(
                f"{names.get(name, name)}: {summary['lost']} request(s) got no result in time and "
                f"{summary['failed']} failed: the target was overloaded, or a vendor is failing."
            )
    return sentences


def diff_story(stack: str, text: str) -> str:
    """One sentence on what a `cdk diff` would add, change and remove, resource by resource."""
    changes = diff_resources(text)
    if not changes:
        return f"{stack}: nothing would change."
    parts = []
    added = [c for c in changes if c.op == "+"]
    if added:
        listed = _names([f"{c.name} ({c.resource_type.split('::')[-1]})" for c in added])
        parts.append(f"adds {len(added)} resource{'s' if len(added) != 1 else ''}: {listed}")
    for change in (c for c in changes if c.op == "~"):
        what = _names([
            f"{leaf} {old or '(none)'} → {new}" for leaf, (old, new) in change.values.items()
        ] or change.properties or ["its properties"])
        parts.append(f"changes {change.name}: {what}")
    removed = [c for c in changes if c.op == "-"]
    if removed:
        parts.append(f"removes {_names([c.name for c in removed])}")
    return f"{stack} " + "; ".join(parts) + "."
