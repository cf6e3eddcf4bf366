"""The reference data every fresh database holds: Qual-e-Pref criteria, questionnaire and
réclamation categories. The first migration inserts its own frozen copy of them (a
migration never imports live code) and later ones add languages: editing this module
changes no database."""

from __future__ import annotations

# Order is the order of the questionnaire: the overall question first, because one tap
# on it is already a response that counts.
CRITERIA: list[tuple[str, dict[str, str], bool]] = [
    (
        "overall",
        {
            "fr": "Votre satisfaction globale sur l'accueil et le service rendu",
            "en": "Your overall satisfaction with the reception and the service",
        },
        False,
    ),
    (
        "courtesy",
        {
            "fr": "Courtoisie et disponibilité des agents",
            "en": "Courtesy and availability of the staff",
        },
        False,
    ),
    (
        "accessibility",
        {
            "fr": "Prise en compte des personnes à mobilité réduite",
            "en": "Consideration for people with reduced mobility",
        },
        False,
    ),
    (
        "clarity",
        {"fr": "Langage compréhensible", "en": "Language that is easy to understand"},
        False,
    ),
    ("orientation", {"fr": "Orientation des usagers", "en": "Being shown where to go"}, False),
    ("signage", {"fr": "Signalétique adaptée", "en": "Clear signs"}, False),
    (
        "comfort",
        {
            "fr": "Confort de l'accueil et qualité des équipements",
            "en": "Comfort of the reception area and its equipment",
        },
        False,
    ),
    (
        "confidentiality",
        {"fr": "Respect de la confidentialité", "en": "Respect for confidentiality"},
        False,
    ),
    ("waiting_time", {"fr": "Temps d'attente", "en": "Waiting time"}, False),
    (
        "effort",
        {
            "fr": "Effort ressenti pour votre démarche (1 = très facile, 5 = très difficile)",
            "en": "Effort needed for your request (1 = very easy, 5 = very hard)",
        },
        True,
    ),
]

QUALEPREF_QUESTIONNAIRE = "qualepref-accueil"
QUALEPREF_CRITERIA = [code for code, _labels, lower in CRITERIA if not lower]

CATEGORIES: list[tuple[str, dict[str, str]]] = [
    (
        "waiting_time",
        {
            "fr": "Délai d'instruction d'un dossier",
            "en": "Time taken to process a file",
        },
    ),
    ("appointment", {"fr": "Prise de rendez-vous", "en": "Booking an appointment"}),
    ("reception", {"fr": "Accueil et courtoisie", "en": "Reception and courtesy"}),
    ("information", {"fr": "Information et signalétique", "en": "Information and signs"}),
    ("premises", {"fr": "Locaux", "en": "Premises"}),
    ("telephone", {"fr": "Accueil téléphonique", "en": "Telephone"}),
    ("website", {"fr": "Site internet", "en": "Website"}),
    ("other", {"fr": "Autre", "en": "Other"}),
]
