"""Reply deadlines in working days. Every expected date below was read from a paper
calendar of the year, not computed by the code under test."""

from __future__ import annotations

from datetime import date

import pytest

from surveys.calendar import reply_deadline, working_days_between


@pytest.mark.parametrize(
    ("received_on", "channel", "departement", "expected"),
    [
        # The two worked examples of the issue (Easter 2023; Good Friday only in Moselle).
        (date(2023, 4, 6), "courriel", "92", date(2023, 4, 14)),
        (date(2023, 4, 6), "courriel", "57", date(2023, 4, 17)),
        # Received on a Saturday before Easter Monday: Tue 11 is day 1.
        (date(2023, 4, 8), "courriel", "92", date(2023, 4, 17)),
        # Ascension, Thursday 18 May 2023.
        (date(2023, 5, 16), "courriel", "92", date(2023, 5, 24)),
        # Whit Monday, 29 May 2023.
        (date(2023, 5, 26), "courriel", "92", date(2023, 6, 5)),
        # 14 July 2023 is a Friday.
        (date(2023, 7, 12), "web", "92", date(2023, 7, 20)),
        # 15 August 2023 is a Tuesday; paper gets 10 working days.
        (date(2023, 8, 11), "courrier", "92", date(2023, 8, 28)),
        # Christmas 2023: 26 December is a holiday in Alsace, not in the Hauts-de-Seine.
        (date(2023, 12, 22), "courriel", "67", date(2024, 1, 3)),
        (date(2023, 12, 22), "courriel", "68", date(2024, 1, 3)),
        (date(2023, 12, 22), "courriel", "92", date(2024, 1, 2)),
        # 20 December (abolition of slavery) in La Réunion.
        (date(2023, 12, 18), "telephone", "974", date(2023, 12, 27)),
        (date(2023, 12, 18), "telephone", "92", date(2023, 12, 26)),
        # A courrier spanning New Year.
        (date(2023, 12, 27), "courrier", "92", date(2024, 1, 11)),
        (date(2023, 12, 27), "urne", "92", date(2024, 1, 11)),
    ],
)
def test_reply_deadline_skips_weekends_and_local_holidays(
    received_on, channel, departement, expected
):
    assert reply_deadline(received_on, channel, departement) == expected


def test_reply_deadline_is_configurable_per_channel():
    assert reply_deadline(date(2023, 4, 6), "courriel", "92", {"courriel": 2}) == date(2023, 4, 11)


def test_reply_delay_is_zero_the_day_of_receipt_and_counts_working_days_after():
    assert working_days_between(date(2023, 4, 6), date(2023, 4, 6), "92") == 0
    assert working_days_between(date(2023, 4, 7), date(2023, 4, 10), "92") == 0  # Easter Monday
    assert working_days_between(date(2023, 4, 7), date(2023, 4, 11), "92") == 1
    assert working_days_between(date(2023, 4, 6), date(2023, 4, 17), "92") == 6
    assert working_days_between(date(2023, 4, 6), date(2023, 4, 17), "57") == 5
