"""Loaded only by the servers of ``bench/load.py --without-write``, which put this folder
first on their PYTHONPATH: a response is received, authenticated, validated and answered
as usual (the tablet's limits are read, the transaction is committed) but its rows are not
written. What is left is the cost of a response apart from storing it: the ceiling any
storage could reach under this worker model. Never on a real server's path."""

import surveys.responses as responses


def _not_stored(session, rows, *, tallies=True, skip_stored=False):
    return {row.response_id: 0 for row in rows}


responses.insert_responses = _not_stored
