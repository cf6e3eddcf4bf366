"""Tablet credentials: enrolment consumes the code, tokens are stored hashed, last_seen."""

from __future__ import annotations

from datetime import timedelta

import pytest

from surveys.models import utcnow
from surveys.tablets import (
    EnrolmentError,
    enrol_tablet,
    mark_seen,
    new_enrolment_code,
    register_tablet,
    tablet_for_token,
    token_hash,
)
from tests.factories import make_service


def test_enrolment_gives_a_token_stored_only_as_its_hash(db):
    tablet, code = register_tablet(db, make_service(db), "Hall")
    enrolled, token = enrol_tablet(db, code)
    assert enrolled.id == tablet.id and enrolled.token_hash == token_hash(token)
    assert token not in (enrolled.token_hash, enrolled.enrolment_code_hash)
    assert enrolled.enrolment_code_hash is None
    assert tablet_for_token(db, token).id == tablet.id
    assert tablet_for_token(db, "x" * 43) is None and tablet_for_token(db, None) is None
    with pytest.raises(EnrolmentError):
        enrol_tablet(db, code)


def test_a_new_enrolment_code_replaces_the_old_device(db):
    tablet, code = register_tablet(db, make_service(db), "Hall")
    _tablet, old_token = enrol_tablet(db, code)
    _tablet, new_token = enrol_tablet(db, new_enrolment_code(db, tablet))
    assert tablet_for_token(db, old_token) is None
    assert tablet_for_token(db, new_token).id == tablet.id


def test_revoked_tablet_is_not_recognised_nor_enrolled(db):
    tablet, code = register_tablet(db, make_service(db), "Hall")
    tablet.revoked_at = utcnow()
    with pytest.raises(EnrolmentError):
        enrol_tablet(db, code)


def test_last_seen_is_written_at_most_once_a_minute(db):
    tablet, code = register_tablet(db, make_service(db), "Hall")
    tablet, _token = enrol_tablet(db, code)
    assert mark_seen(db, tablet) is False  # enrolled just now
    tablet.last_seen_at = utcnow() - timedelta(minutes=5)
    assert mark_seen(db, tablet) is True
    assert (utcnow() - tablet.last_seen_at).total_seconds() < 5
