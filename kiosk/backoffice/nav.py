"""The back-office menu; an entry shows only when its view exists and the role may use it."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_login import current_user

ALL = ("admin", "quality", "agent", "viewer")
NAV = [
    ("backoffice.home", _l("Accueil"), ALL),
    ("backoffice.inbox", _l("Réclamations"), ("admin", "quality", "agent")),
    ("backoffice.entry", _l("Saisie courrier et urne"), ("admin", "quality", "agent")),
    # A chef de bureau follows their own service's in-time rate, scoped like the inbox.
    ("backoffice.indicators", _l("Indicateurs"), ALL),
    ("backoffice.indicator_entry", _l("Saisie des indicateurs"), ("admin", "quality")),
    ("backoffice.dashboard", _l("Tableau de bord"), ("admin", "quality", "viewer")),
    ("backoffice.comments", _l("Commentaires"), ("admin", "quality", "viewer")),
    ("backoffice.paper_entry", _l("Saisie questionnaires"), ("admin", "quality", "agent")),
    ("backoffice.admin_sites", _l("Sites et services"), ("admin", "quality")),
    ("backoffice.admin_questionnaires", _l("Questionnaires"), ("admin", "quality")),
    ("backoffice.admin_campaigns", _l("Campagnes"), ("admin", "quality")),
    ("backoffice.admin_reply_templates", _l("Réponses-types"), ("admin", "quality")),
    ("backoffice.admin_tablets", _l("Tablettes"), ("admin", "quality")),
    ("backoffice.posters", _l("Affiches et QR codes"), ("admin", "quality")),
    ("backoffice.privacy", _l("Données personnelles"), ("admin", "quality")),
    ("backoffice.admin_users", _l("Comptes"), ("admin",)),
    ("backoffice.audit", _l("Journal"), ("admin",)),
]


def menu() -> list[tuple[str, str]]:
    """Return (endpoint, label) of the entries the current user may open."""
    if not current_user.is_authenticated:
        return []
    return [
        (endpoint, label)
        for endpoint, label, roles in NAV
        if endpoint in current_app.view_functions and current_user.role in roles
    ]
