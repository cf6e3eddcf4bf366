"""The test session's clock: under ``pytest --clock-days N`` (``make test-future``) the
commands and servers the tests start live on the same day as the tests themselves."""

from __future__ import annotations

import subprocess
import sys
import time


def test_a_started_python_process_reads_the_same_clock_as_the_tests():
    before = time.time()
    printed = subprocess.run(
        [sys.executable, "-c", "import time; print(time.time())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    after = time.time()
    assert before - 1 <= float(printed) <= after + 1
