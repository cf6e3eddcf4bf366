"""The OpenAPI document describes POST /api/v1/responses as it behaves."""

from __future__ import annotations

import re

import jsonschema
import pytest

from tests.survey.helpers import enrolled_tablet, payload


def resolve(spec: dict, schema: dict) -> dict:
    """Inline the ``$ref``s of ``schema`` so jsonschema can check against it."""
    if isinstance(schema, dict):
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[1]
            return resolve(spec, spec["components"]["schemas"][name])
        return {key: resolve(spec, value) for key, value in schema.items()}
    if isinstance(schema, list):
        return [resolve(spec, value) for value in schema]
    return schema


@pytest.fixture
def spec(client):
    return client.get("/api/v1/openapi.json").json


def test_every_api_route_is_in_the_openapi_document(app, spec):
    routes = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("api.")]
    assert any(r.rule == "/api/v1/responses" for r in routes)
    for rule in routes:
        if rule.endpoint == "api.openapi_document":
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert method.lower() in spec["paths"].get(path, {}), (method, path)


def test_requests_and_answers_match_the_document(client, db, spec):
    _tablet, token = enrolled_tablet(db)
    operation = spec["paths"]["/responses"]["post"]
    request_schema = resolve(spec, operation["requestBody"]["content"]["application/json"])
    headers = {"Authorization": f"Bearer {token}"}
    good = payload(ratings={"overall": 5, "clarity": 3})
    jsonschema.validate(good, request_schema["schema"])
    cases = [
        (good, 201),
        (good, 200),
        (dict(good, ratings={"overall": 1}), 409),
        (payload(ratings={"overall": "5"}), 400),
        (payload(site="nowhere"), 422),
    ]
    for body, expected in cases:
        answer = client.post("/api/v1/responses", json=body, headers=headers)
        assert answer.status_code == expected
        described = operation["responses"][str(expected)]["content"]["application/json"]
        jsonschema.validate(answer.json, resolve(spec, described)["schema"])
    unauthenticated = client.post("/api/v1/responses", json=payload())
    assert "401" in operation["responses"]
    jsonschema.validate(unauthenticated.json, resolve(spec, {"$ref": "#/c/s/Error"}))


def test_the_document_refuses_what_the_api_refuses(spec):
    schema = resolve(spec, {"$ref": "#/components/schemas/ResponseSubmission"})
    for bad in ({"overall": "5"}, {"overall": 6}, {"overall": 5.5}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(payload(ratings=bad), schema)
