"""Group commit: requests arriving while a group is written share the next transaction; each
gets its own result, and a failure reaches only those it concerns."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy.exc import OperationalError

from surveys.groupcommit import GroupCommit


class Writer:
    """A write function that records its groups; the first group waits for ``release``."""

    def __init__(self, fail=None) -> None:
        self.groups: list[list[str]] = []
        self.writing = threading.Event()
        self.release = threading.Event()
        self.fail = fail

    def __call__(self, payloads: list[str]) -> list[str]:
        self.groups.append(list(payloads))
        if len(self.groups) == 1:
            self.writing.set()
            assert self.release.wait(10)
        if self.fail is not None:
            self.fail(payloads)
        return [f"stored {p}" for p in payloads]


def in_thread(group: GroupCommit, payload: str, results: dict) -> threading.Thread:
    def run() -> None:
        try:
            results[payload] = group.submit(payload)
        except Exception as failure:  # noqa: BLE001 - the test reads it
            results[payload] = failure

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def wait_queued(group: GroupCommit, n: int) -> None:
    deadline = time.monotonic() + 10
    while len(group._queue) < n:  # noqa: SLF001 - the test waits for the queue to form
        assert time.monotonic() < deadline, "the requests did not queue"
        time.sleep(0.005)


def start_group_behind_a_first_one(group, writer, later: list[str], results: dict):
    first = in_thread(group, "a", results)
    assert writer.writing.wait(10)
    threads = [in_thread(group, p, results) for p in later]
    wait_queued(group, len(later))
    return [first, *threads]


def test_a_request_alone_is_written_at_once_without_waiting_for_company():
    writer = Writer()
    writer.release.set()
    group = GroupCommit(writer)
    assert group.submit("a") == "stored a"
    assert group.submit("b") == "stored b"
    assert writer.groups == [["a"], ["b"]]


def test_requests_arriving_during_a_write_share_the_next_transaction():
    writer, results = Writer(), {}
    group = GroupCommit(writer)
    threads = start_group_behind_a_first_one(group, writer, ["b", "c", "d"], results)
    writer.release.set()
    for thread in threads:
        thread.join(10)
    assert writer.groups == [["a"], ["b", "c", "d"]]
    assert results == {p: f"stored {p}" for p in "abcd"}
    assert (group.stats.groups, group.stats.items, group.stats.largest) == (2, 4, 3)


def test_the_leader_answers_its_client_before_the_next_group_is_written():
    writer, results = Writer(), {}
    second_writing, second_release = threading.Event(), threading.Event()

    def slow_second(payloads):
        if payloads == ["b", "c"]:
            second_writing.set()
            assert second_release.wait(10)

    writer.fail = slow_second
    group = GroupCommit(writer)
    first, *others = start_group_behind_a_first_one(group, writer, ["b", "c"], results)
    writer.release.set()
    assert second_writing.wait(10)
    first.join(10)
    assert not first.is_alive() and results["a"] == "stored a"  # while b and c are written
    assert "b" not in results
    second_release.set()
    for thread in others:
        thread.join(10)
    assert results["b"] == "stored b" and results["c"] == "stored c"


def test_a_group_is_bounded():
    writer, results = Writer(), {}
    group = GroupCommit(writer, max_group=2)
    threads = start_group_behind_a_first_one(group, writer, ["b", "c", "d", "e"], results)
    writer.release.set()
    for thread in threads:
        thread.join(10)
    assert writer.groups == [["a"], ["b", "c"], ["d", "e"]]
    assert len(results) == 5


def test_a_database_error_is_the_error_of_every_member():
    def database_down(payloads):
        if len(payloads) > 1:
            raise OperationalError("INSERT", {}, Exception("server closed the connection"))

    writer, results = Writer(database_down), {}
    group = GroupCommit(writer)
    threads = start_group_behind_a_first_one(group, writer, ["b", "c"], results)
    writer.release.set()
    for thread in threads:
        thread.join(10)
    assert results["a"] == "stored a"
    assert isinstance(results["b"], OperationalError) and results["c"] is results["b"]
    assert writer.groups == [["a"], ["b", "c"]]  # nobody wrote again on a dead database


def test_another_error_makes_each_member_write_alone_so_only_the_faulty_one_fails():
    def one_is_faulty(payloads):
        if "bad" in payloads:
            raise ValueError("a value the database refuses")

    writer, results = Writer(one_is_faulty), {}
    group = GroupCommit(writer)
    threads = start_group_behind_a_first_one(group, writer, ["b", "bad", "d"], results)
    writer.release.set()
    for thread in threads:
        thread.join(10)
    assert results["b"] == "stored b" and results["d"] == "stored d"
    assert isinstance(results["bad"], ValueError)
    assert writer.groups[1] == ["b", "bad", "d"]
    assert sorted(map(tuple, writer.groups[2:])) == [("b",), ("bad",), ("d",)]
    assert group.stats.alone_after_failure == 3


def test_a_result_that_is_an_exception_is_raised_in_its_own_request_only():
    def write(payloads):
        return [ValueError("refused") if p == "x" else f"stored {p}" for p in payloads]

    group = GroupCommit(write)
    with pytest.raises(ValueError, match="refused"):
        group.submit("x")
    assert group.submit("y") == "stored y"


def test_an_error_of_a_write_alone_is_raised_to_its_caller_and_the_next_can_lead():
    calls = []

    def write(payloads):
        calls.append(payloads)
        if len(calls) == 1:
            raise RuntimeError("broken")
        return ["ok" for _ in payloads]

    group = GroupCommit(write)
    with pytest.raises(RuntimeError, match="broken"):
        group.submit("a")
    assert group.submit("b") == "ok"


def test_a_writer_returning_too_few_results_fails_its_members_without_hanging_them():
    writer, results = Writer(), {}

    def forgetful(payloads):
        stored = writer(payloads)
        return [] if len(payloads) > 1 else stored

    group = GroupCommit(forgetful)
    threads = start_group_behind_a_first_one(group, writer, ["b", "c"], results)
    writer.release.set()
    for thread in threads:
        thread.join(10)
    assert not any(thread.is_alive() for thread in threads)
    assert results["a"] == "stored a"
    assert isinstance(results["b"], RuntimeError) and isinstance(results["c"], RuntimeError)
    assert group.submit("d") == "stored d"  # and the next request can lead
