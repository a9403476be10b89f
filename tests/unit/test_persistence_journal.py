"""The journal of accepted requests: what a crash left unfinished is found and named in one sentence."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from workshop_utils.local_cloud.lambda_service.async_invoke import correlation_id
from workshop_utils.local_cloud.persistence import journal
from workshop_utils.local_cloud.persistence.journal import Entry, Journal, describe_lost, read_unfinished, take_over


def test_accepted_and_not_finished_requests_are_what_a_new_start_finds(tmp_path: Path) -> None:
    kept = Journal(tmp_path)
    kept.accepted("r1", "asynchronous invocation", "Requester", "uuid-1")
    kept.accepted("r2", "asynchronous invocation", "Requester", "uuid-2")
    kept.accepted("e1", "execution", "StateMachine")
    kept.finished("r1")
    # no close(): a kill -9 closes nothing, and every line was written through to the file already

    assert read_unfinished(kept.path) == [
        Entry("r2", "asynchronous invocation", "Requester", "uuid-2"), Entry("e1", "execution", "StateMachine", "e1")
    ]
    assert kept.unfinished() == [Entry("r2", "asynchronous invocation", "Requester", "uuid-2"),
                                 Entry("e1", "execution", "StateMachine", "")]


def test_take_over_sets_the_old_journal_aside_so_a_second_start_names_nothing(tmp_path: Path) -> None:
    Journal(tmp_path).accepted("r1", "asynchronous invocation", "Requester")

    assert [entry.request_id for entry in take_over(tmp_path)] == ["r1"]
    assert take_over(tmp_path) == []
    assert (tmp_path / (journal.JOURNAL_NAME + ".previous")).exists()


def test_the_journal_is_private(tmp_path: Path) -> None:
    folder = tmp_path / "persist"
    kept = Journal(folder)
    kept.accepted("r1", "execution", "StateMachine")

    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(kept.path.stat().st_mode) == 0o600


def test_compaction_keeps_only_the_open_requests(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(journal, "COMPACT_AFTER_LINES", 10)
    kept = Journal(tmp_path)
    for number in range(20):
        kept.accepted(f"r{number}", "execution", "StateMachine")
        if number % 2:
            kept.finished(f"r{number}")

    assert [entry.request_id for entry in read_unfinished(kept.path)] == [f"r{n}" for n in range(0, 20, 2)]
    assert len(kept.path.read_text().splitlines()) < 20


def test_finishing_an_unknown_or_finished_request_writes_nothing(tmp_path: Path) -> None:
    kept = Journal(tmp_path)
    kept.accepted("r1", "execution", "StateMachine")
    kept.finished("r1")
    kept.finished("r1")
    kept.finished("never-accepted")

    assert kept.path.read_text().count("\nF\t") + kept.path.read_text().startswith("F\t") == 1


def test_the_sentence_names_every_lost_request_by_target_and_counts_them() -> None:
    entries = [Entry(f"id{n}", "asynchronous invocation", "Requester", f"uuid-{n}") for n in range(12)]
    entries.append(Entry("run-1", "execution", "StateMachine", "run-1"))

    sentence = describe_lost(entries)

    assert sentence is not None and sentence.count(".") == 1 and sentence.endswith(".")
    assert sentence.startswith("13 requests were accepted but never finished")
    assert "12 asynchronous invocations of Requester (uuid-0, uuid-1" in sentence and "and 2 more" in sentence
    assert "1 execution of StateMachine (run-1)" in sentence
    assert "send them again" in sentence
    assert describe_lost([]) is None


@pytest.mark.parametrize(("payload", "name"), [
    (b'{"data": {"car_type": "XL", "uuid": "request-1"}}', "request-1"),  # the workshop's quote request
    (b'{"uuid": "request-2"}', "request-2"),
    (b'{"Records": [{"Sns": {"Message": "{\\"uuid\\": \\"x\\"}"}}]}', None),  # SNS's event: its request id names it
    (b"not json", None),
])
def test_a_request_is_named_by_the_uuid_it_carries(payload: bytes, name: str | None) -> None:
    assert correlation_id(payload) == name
