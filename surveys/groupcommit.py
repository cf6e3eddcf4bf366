"""Group commit: the responses that arrive together in one process share one transaction.

Storing a response costs little next to committing it: the commit takes SQLite's write lock
and writes a dozen pages of log (one per table and index it touched), PostgreSQL flushes
its log to disk. When several requests of one app process are waiting to store a response
at the same moment, :class:`GroupCommit` lets the first of them (the *leader*) store all of
them in one transaction, and answers each request with its own outcome once it is
committed. Nothing is acknowledged before the commit that holds it, so the guarantee of
one response per transaction is kept: an answered response is stored.

There is no waiting for company: a request that finds nobody writing writes at once, alone.
A group forms only from the requests that arrive while another group is being written, so
it grows with the load and adds no delay to a quiet préfecture. The leader takes the group
waiting when it starts, writes it, then hands the leadership to the oldest request that
came in meanwhile and returns to its own client.

What the group's writer returns for each item is handed to that item's request:

- a value (the item's outcome) or an exception that belongs to the item alone (a refused
  response, which the writer returns rather than raises);
- when the writer raises, the group's transaction is lost. An error of the database itself
  (down, read-only, locked: ``OperationalError``) is every item's error and is raised in
  each request. Any other error may come from one item's content, so each item is then
  written again alone, by its own request, and only the faulty one fails.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sqlalchemy.exc import OperationalError

T = TypeVar("T")

_WAITING, _DONE, _LEAD, _ALONE = range(4)


@dataclass(eq=False)
class _Item:
    payload: Any
    state: int = _WAITING
    result: Any = None
    woken: threading.Event = field(default_factory=threading.Event)


@dataclass
class GroupStats:
    """Counts since the process started, for the benchmark and the tests."""

    groups: int = 0
    items: int = 0
    largest: int = 0
    alone_after_failure: int = 0


class GroupCommit(Generic[T]):
    """Leader and followers over one ``write`` function, for the threads of one process.

    ``write(payloads)`` stores the payloads in one transaction and commits it; it returns
    one result per payload, in order (a result may be an exception to raise in that
    payload's request). It runs in the leader's thread, so it may use that thread's own
    session. ``max_group`` bounds a group, so that one transaction stays short.
    """

    def __init__(self, write: Callable[[list[T]], list[Any]], *, max_group: int = 64) -> None:
        self._write = write
        self._max_group = max(1, max_group)
        self._lock = threading.Lock()
        self._queue: list[_Item] = []
        self._leading = False
        self.stats = GroupStats()
        _every.append(self)

    def submit(self, payload: T) -> Any:
        """Store ``payload`` with whatever else is waiting; return its result or raise."""
        item = _Item(payload)
        with self._lock:
            self._queue.append(item)
            lead = not self._leading
            self._leading = True
        if not lead:
            item.woken.wait()
            if item.state == _ALONE:
                return _unwrap(self._write([payload])[0])
            if item.state == _DONE:
                return _unwrap(item.result)
            # _LEAD: handed the leadership; this item is at the head of the queue.
        try:
            self._lead()
        finally:
            self._hand_over()
        if item.state == _ALONE:
            return _unwrap(self._write([payload])[0])
        return _unwrap(item.result)

    def _lead(self) -> None:
        with self._lock:
            group = self._queue[: self._max_group]
            del self._queue[: self._max_group]
        for item in group:
            item.state = _WAITING  # the leader's own item was marked _LEAD
        try:
            results = self._write([item.payload for item in group])
        except OperationalError as failure:
            for item in group:
                item.result, item.state = failure, _DONE
        except Exception as failure:
            if len(group) == 1:
                group[0].result, group[0].state = failure, _DONE
            else:
                for item in group:
                    item.state = _ALONE
                self.stats.alone_after_failure += len(group)
        except BaseException as failure:  # the process is stopping: nobody was stored
            for item in group:
                item.result, item.state = failure, _DONE
            raise
        else:
            if len(results) == len(group):
                for item, result in zip(group, results, strict=True):
                    item.result, item.state = result, _DONE
        finally:
            self.stats.groups += 1
            self.stats.items += len(group)
            self.stats.largest = max(self.stats.largest, len(group))
            for item in group:
                if item.state == _WAITING:  # a writer that broke its promise: never hang
                    item.result = RuntimeError("The group's writer gave no result for it.")
                    item.state = _DONE
                item.woken.set()

    def _hand_over(self) -> None:
        with self._lock:
            if self._queue:
                head = self._queue[0]
                head.state = _LEAD
                head.woken.set()
            else:
                self._leading = False


_every: list[GroupCommit] = []


def summary() -> GroupStats:
    """The counts of every group commit of this process, added up (logged at its exit)."""
    total = GroupStats()
    for group in _every:
        total.groups += group.stats.groups
        total.items += group.stats.items
        total.largest = max(total.largest, group.stats.largest)
        total.alone_after_failure += group.stats.alone_after_failure
    return total


def _unwrap(result: Any) -> Any:
    if isinstance(result, BaseException):
        raise result
    return result
