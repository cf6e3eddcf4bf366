"""Every route of the app × every role: each view is marked public or role-restricted, and
the server answers accordingly — 302 to the login page (or 401 for the API) for an
anonymous visitor on a protected route, 403 for a wrong role, 404 for an object outside the
user's scope. A new route without a rule fails here, with its endpoint named."""

from __future__ import annotations

import pytest
from werkzeug.routing import Rule
from werkzeug.routing.converters import NumberConverter

from .conftest import ROLES, World, login_as

# URL parameters that name an object of Nanterre: out of scope for the "elsewhere" users.
SCOPED_PARAMS = {"rec_id", "reclamation_id", "reference", "response_id"}
# Roles of the accounts, by the name the matrix gives them.
ACCOUNT_ROLE = {
    "viewer": "viewer",
    "agent": "agent",
    "quality": "quality",
    "admin": "admin",
    "agent_elsewhere": "agent",
    "viewer_elsewhere": "viewer",
}


def rules(app) -> list[Rule]:
    return sorted(
        (r for r in app.url_map.iter_rules() if r.endpoint != "static"), key=lambda r: r.rule
    )


def rule_of(app, rule: Rule) -> tuple[bool, tuple[str, ...] | None]:
    view = app.view_functions[rule.endpoint]
    return bool(getattr(view, "public", False)), getattr(view, "allowed_roles", None)


def build_url(app, rule: Rule, ids: dict) -> str:
    values = {}
    for name in rule.arguments:
        if name in ids:
            values[name] = ids[name]
        else:
            numeric = isinstance(rule._converters[name], NumberConverter)
            values[name] = 1 if numeric else "x"
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **values)


def method_of(rule: Rule) -> str:
    return "GET" if "GET" in rule.methods else sorted(rule.methods - {"HEAD", "OPTIONS"})[0]


def test_every_view_is_marked_public_or_role_restricted(app):
    unmarked = []
    for rule in rules(app):
        public, roles = rule_of(app, rule)
        if public == bool(roles):  # neither, or both
            unmarked.append(f"{rule.endpoint} ({rule.rule})")
    assert not unmarked, (
        "these views have no access rule — decorate them with @role_required(...) "
        "or @public_endpoint: " + ", ".join(unmarked)
    )


def test_role_required_lists_only_known_roles(app):
    known = {"admin", "quality", "agent", "viewer"}
    for rule in rules(app):
        _public, roles = rule_of(app, rule)
        assert set(roles or ()) <= known, f"{rule.endpoint} names unknown roles {roles}"


def test_the_matrix_fails_on_a_route_without_a_rule(app):
    app.add_url_rule("/backoffice/forgotten", "forgotten", lambda: "open to all")
    with pytest.raises(AssertionError, match="forgotten"):
        test_every_view_is_marked_public_or_role_restricted(app)


def expected(rule: Rule, role: str, public: bool, roles, url: str) -> str:
    """Return what the server must answer: a description checked by ``matches``."""
    if public:
        return "no-500"
    if role == "anonymous":
        return "login"
    if ACCOUNT_ROLE[role] not in roles:
        return "403"
    if SCOPED_PARAMS & set(rule.arguments):
        return "404" if role.endswith("_elsewhere") else "allowed-in-scope"
    return "allowed"


def matches(expectation: str, response) -> bool:
    status = response.status_code
    if expectation == "no-500":
        return status < 500
    if expectation == "login":
        location = response.headers.get("Location", "")
        return status == 401 or (status == 302 and "/auth/login" in location)
    if expectation == "403":
        return status == 403
    if expectation == "404":
        return status == 404
    # "allowed": past the access check. A 404 may still mean a missing query parameter,
    # except on an object of the user's own scope, which must be found.
    refused = (401, 403, 404) if expectation == "allowed-in-scope" else (401, 403)
    location = response.headers.get("Location", "")
    return status not in refused and status < 500 and "/auth/login" not in location


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_the_answer_its_rule_gives(app, client, world: World, role):
    login_as(client, world, role)
    wrong = []
    for rule in rules(app):
        if rule.endpoint == "auth.logout":
            continue  # would end the session the rest of the walk needs
        public, roles = rule_of(app, rule)
        url = build_url(app, rule, world.ids)
        want = expected(rule, role, public, roles, url)
        response = client.open(url, method=method_of(rule))
        response.close()  # a streamed download keeps its database session until closed
        if not matches(want, response):
            wrong.append(
                f"{method_of(rule)} {url} ({rule.endpoint}) as {role}: "
                f"got {response.status_code}, expected {want}"
            )
    assert not wrong, "\n".join(wrong)


def test_an_agent_of_antony_is_refused_nanterres_reclamation_and_it_is_logged(
    app, client, world: World, caplog
):
    paths = [
        build_url(app, rule, world.ids)
        for rule in rules(app)
        if SCOPED_PARAMS & set(rule.arguments)
        and "agent" in (rule_of(app, rule)[1] or ())
        and "GET" in rule.methods
    ]
    if not paths:
        pytest.skip("no réclamation route yet")
    login_as(client, world, "agent_elsewhere")
    for path in paths:
        caplog.clear()
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Attente trop longue" not in response.text
        assert "camille@example.org" not in response.text
        assert any("out-of-scope" in r.getMessage() for r in caplog.records), path
