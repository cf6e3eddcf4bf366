"""Moves the clock of every Python process that a test run starts (``avis`` commands,
gunicorn servers) by the offset of ``pytest --clock-days``, so that they live on the same
day as the tests. Only on ``PYTHONPATH`` during such a run; nothing in Avis imports it."""

import os

_offset = os.environ.get("PYTEST_CLOCK_OFFSET")
if _offset:
    import time

    import time_machine

    time_machine.travel(time.time() + float(_offset), tick=True).start()
