"""One rule for département codes, read by the sites CSV and the back office's site form."""

from __future__ import annotations

import pytest

from surveys import DomainError
from surveys.calendar import is_working_day
from surveys.departements import is_departement, normalise, timezone_for
from surveys.sites import create_site


@pytest.mark.parametrize("code", ["01", "19", "2A", "2B", "21", "92", "95", "971", "976", "988"])
def test_the_codes_of_insee_are_departements(code):
    assert is_departement(code)


@pytest.mark.parametrize("code", ["", "1", "00", "20", "96", "99", "970", "979", "989", "2C"])
def test_other_codes_are_not(code):
    assert not is_departement(code)


def test_a_code_typed_in_lower_case_is_stored_in_capitals():
    assert normalise(" 2a ") == "2A"


def test_an_overseas_departement_has_its_zone_and_its_holidays():
    from datetime import date

    assert timezone_for("974") == "Indian/Reunion" and timezone_for("92") == "Europe/Paris"
    # 20 December, the abolition of slavery in La Réunion, is worked in the Hauts-de-Seine.
    abolition = date(2027, 12, 20)
    assert not is_working_day(abolition, "974") and is_working_day(abolition, "92")


def test_the_site_form_takes_what_the_sites_file_takes(db):
    # Nouméa's code was refused by the form and taken by the file; 20 the other way round.
    assert create_site(db, code="988-noumea", name="Haut-commissariat", departement="988")
    with pytest.raises(DomainError) as refused:
        create_site(db, code="20-ajaccio", name="Préfecture de Corse", departement="20")
    assert refused.value.field == "departement"
