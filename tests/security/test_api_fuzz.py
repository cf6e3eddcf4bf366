"""Property-based fuzz of the JSON API: whatever the body, the server never answers 500."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import make_service
from tests.survey.helpers import payload

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=40)
)
VALUES = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
FIELDS = [
    "response_id",
    "site",
    "service",
    "channel",
    "language",
    "submitted_at",
    "ratings",
    "comment",
    "token",
]
RECLAMATION_FIELDS = [
    "reclamation_id",
    "site",
    "service",
    "channel",
    "kind",
    "category",
    "text",
    "language",
    "reply_wanted",
    "contact_name",
    "contact_email",
    "contact_address",
    "token",
]
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def api(app, db):
    from kiosk.extensions import limiter

    make_service(db)
    db.commit()
    db.close()
    # The per-address limits would turn most examples into 429s and hide the parsing.
    limiter.enabled = False
    yield app.test_client()
    limiter.enabled = True


def mutate(base: dict, changes: dict) -> dict:
    body = dict(base)
    for key, value in changes.items():
        if value is ...:
            body.pop(key, None)
        else:
            body[key] = value
    return body


@FUZZ
@given(changes=st.dictionaries(st.sampled_from(FIELDS), VALUES | st.just(...), max_size=3))
def test_no_mutated_response_yields_a_server_error(api, changes):
    body = mutate(payload(channel="web"), changes)
    response = api.post("/api/v1/responses", data=json.dumps(body), content_type="application/json")
    assert response.status_code < 500, (body, response.get_data(as_text=True))
    assert response.is_json


@FUZZ
@given(
    changes=st.dictionaries(st.sampled_from(RECLAMATION_FIELDS), VALUES | st.just(...), max_size=3)
)
def test_no_mutated_reclamation_yields_a_server_error(api, changes):
    base = {
        "reclamation_id": "6f1c1f0e-6a2b-4b8e-9a59-3f4a1b2c3d4e",
        "site": "92-nanterre",
        "service": "accueil",
        "channel": "web",
        "kind": "suggestion",
        "category": "accueil",
        "text": "Plus de chaises.",
        "language": "fr",
    }
    response = api.post(
        "/api/v1/reclamations",
        data=json.dumps(mutate(base, changes)),
        content_type="application/json",
    )
    assert response.status_code < 500, (changes, response.get_data(as_text=True))


@FUZZ
@given(
    body=VALUES,
    content_type=st.sampled_from(
        ["application/json", "text/plain", "application/x-www-form-urlencoded"]
    ),
)
def test_no_body_of_any_shape_yields_a_server_error(api, body, content_type):
    for path in ("/api/v1/responses", "/api/v1/reclamations"):
        response = api.post(path, data=json.dumps(body), content_type=content_type)
        assert response.status_code < 500, (path, body)
