"""A number or a day past the bounds Avis reads is refused with a code the back office
reads and a message the command line and the API show, in French or in English."""

from __future__ import annotations

from datetime import date

import pytest

from surveys import DomainError
from surveys.bounds import check_day, parse_day, parse_int
from surveys.i18n import render


@pytest.mark.parametrize(
    ("refused", "code", "french", "english"),
    [
        (lambda: parse_int("12a", "site_id"), "integer",
         "site_id doit être un nombre entier.", "site_id must be a whole number."),
        (lambda: parse_int("0", "page"), "range",
         "page doit être compris entre 1 et 2147483647.", "page must be between 1 and 2147483647."),
        (lambda: parse_day("30/06/2023", "from"), "date",
         "from doit être une date AAAA-MM-JJ.", "from must be a date YYYY-MM-DD."),
        (lambda: check_day(date(2200, 1, 1), "to"), "day_range",
         "to doit être une date entre 1900-01-01 et 2199-12-31.",
         "to must be a date between 1900-01-01 and 2199-12-31."),
    ],
)  # fmt: skip
def test_a_value_past_the_bounds_says_what_is_wrong_in_either_language(
    refused, code, french, english
):
    with pytest.raises(DomainError) as error:
        refused()
    assert error.value.code == code
    assert (render(error.value.message, "fr"), render(error.value.message, "en")) == (
        french,
        english,
    )
