"""Administration of the configuration: tablets (sites and services: ``surveys.sites``;
campaigns: ``surveys.campaigns``; criteria and questionnaires: ``surveys.questionnaires``).
Each operation checks its input and raises ``DomainError`` (with the field at fault) rather
than storing something wrong; the caller commits and writes the audit entry."""

from __future__ import annotations

from . import DomainError
from .fields import clean_name
from .models import (
    Service,
    Tablet,
    utcnow,
)

# --- tablets ------------------------------------------------------------------------------


def rename_tablet(tablet: Tablet, name: str) -> None:
    """Give a tablet a new name (as shown in the back office)."""
    tablet.name = clean_name(name)


def move_tablet(tablet: Tablet, service: Service) -> None:
    """Attach a tablet to another service (of any site); its next responses go there."""
    if tablet.revoked_at is not None:
        raise DomainError("tablet revoked", field="service", code="revoked")
    if not service.active or not service.site.active:
        raise DomainError("service not in use", field="service", code="inactive")
    tablet.site_id = service.site_id
    tablet.service_id = service.id


def revoke_tablet(tablet: Tablet) -> None:
    """Withdraw a tablet's credentials: it can no longer send responses or enrol."""
    if tablet.revoked_at is None:
        tablet.revoked_at = utcnow()
    tablet.token_hash = None
    tablet.enrolment_code_hash = None
    tablet.enrolment_expires_at = None


# Criteria and questionnaires live in ``surveys.questionnaires``; these names stay importable
# from here for the callers written before the move.
from .questionnaires import (  # noqa: E402, F401
    create_criterion,
    create_questionnaire,
    edit_questionnaire,
    has_responses,
    update_criterion,
)
