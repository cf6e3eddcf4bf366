"""The départements: which codes there are, the time zone of each and the public-holiday
law it follows. One place for what the sites CSV, the back office's site form, the working
days of the réclamation deadlines and the sites' time zones read.

Codes are INSEE's: 01 to 95 (Corsica as 2A and 2B, no 20), the overseas départements 971
to 976, and the overseas collectivities whose State services receive the public (975,
977, 978, 986 to 988)."""

from __future__ import annotations

import re

# The time zone of metropolitan France: the day of whatever spans several sites (the
# dashboard's default period, the purge) and of a site whose zone is not known.
HOME_TIMEZONE = "Europe/Paris"

CODE_RE = re.compile(r"^(0[1-9]|1\d|2[1-9AB]|[3-8]\d|9[0-5]|97[1-8]|98[6-8])$")

# The time zones outside metropolitan time; every other département is Europe/Paris.
TIMEZONES = {
    "971": "America/Guadeloupe",
    "972": "America/Martinique",
    "973": "America/Cayenne",
    "974": "Indian/Reunion",
    "975": "America/Miquelon",
    "976": "Indian/Mayotte",
    "977": "America/St_Barthelemy",
    "978": "America/Marigot",
    "986": "Pacific/Wallis",
    "987": "Pacific/Tahiti",
    "988": "Pacific/Noumea",
}

# Département -> subdivision of the ``holidays`` package, where its law is not the
# metropolitan one: Alsace-Moselle (57, 67, 68) and each overseas territory.
HOLIDAY_SUBDIVISIONS = {
    "57": "57",
    "67": "6AE",
    "68": "6AE",
    "971": "971",
    "972": "972",
    "973": "973",
    "974": "974",
    "975": "PM",
    "976": "976",
    "977": "BL",
    "978": "MF",
    "986": "WF",
    "987": "PF",
    "988": "NC",
}


def normalise(code: str | None) -> str:
    """Return a typed département code as it is stored: trimmed, 2a → 2A."""
    return (code or "").strip().upper()


def is_departement(code: str) -> bool:
    """Return True for a département code (see the module's docstring)."""
    return bool(CODE_RE.match(code))


def timezone_for(code: str) -> str:
    """Return the IANA time zone of a département (Europe/Paris unless overseas)."""
    return TIMEZONES.get(code, HOME_TIMEZONE)


def holiday_subdivision(code: str) -> str | None:
    """Return the ``holidays`` subdivision of a département (None: metropolitan law)."""
    return HOLIDAY_SUBDIVISIONS.get(normalise(code))
