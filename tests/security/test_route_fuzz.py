"""Property-based fuzz of the whole application: every route of ``app.url_map``, each of its
methods, as each role, with hostile values in every query parameter, form field, JSON field
and path parameter its view reads. Nothing may answer 500, nor show a stack trace.

What a view reads is found, not listed: the test's request class notes each name a view
asks of ``request.args``, ``request.form``, ``request.values`` (WTForms forms included) and
of the JSON body, during probes before the fuzz and during the fuzz itself; the OpenAPI
document adds the JSON fields and query parameters it describes. A new route, or a new
field of an existing one, is fuzzed without anyone editing this file.

Each role walks every route with plausible values (the security world's ids and codes),
and every route with path parameters with a whole number too large for any database in
them. On the routes its role may call, all the fields of a kind (number, day, time, JSON
object, text) get each of a few hostile values of that kind at once (but for the quality
mission, who sees every site like admin through the same views); as admin, who may call
every view, each field also gets one on its own, the others plausible. Then Hypothesis
sends single requests to the routes the role may call: a *tape* of hostile values and a
*mask*, the n-th name a request reads getting the tape's value in turn where the mask has a
bit set, else a plausible value. The requests that answered 500 before are kept as explicit
examples. Hypothesis is derandomized: a run repeats the one before. The figures of the run
(routes × roles, requests, examples, time) close pytest's report. The values and the walk
are in ``route_walk.py``."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime

import pytest
from argon2 import PasswordHasher
from flask import got_request_exception
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from surveys.models import Action, Base, Criterion, Service, User
from tests.analysis.helpers import store
from tests.factories import PASSWORD

from .conftest import World, login_as
from .route_walk import HUGE, MASKS, MATH_LABEL, READS, TAPES, RecordingRequest, Walk

FUZZ_ROLES = ("anonymous", "viewer", "agent", "quality", "admin")

# CI sends 30 single requests per role beyond the walks, so that the fuzz stays well within a
# minute on both databases (its time closes the report); AVIS_FUZZ_EXAMPLES=2000 searches
# deeper by hand.
EXAMPLES = int(os.environ.get("AVIS_FUZZ_EXAMPLES", "30"))
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# The figures of the run, for the closing summary (``pytest_terminal_summary`` in conftest).
STATS: dict = {"routes": 0, "roles": [], "requests": 0, "examples": 0, "seconds": 0.0, "cpu": 0.0}


@pytest.fixture
def cheap_passwords(world: World, db, monkeypatch):
    """Argon2 at a test's cost for the world's accounts: checked at its production cost,
    each login and change of password the fuzz sends took a third of a second."""
    from surveys import users

    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(users, "_hasher", cheap)
    users._dummy_hash.cache_clear()
    for user in db.scalars(select(User)):
        user.password_hash = cheap.hash(PASSWORD)
    db.commit()
    yield
    users._dummy_hash.cache_clear()  # the unknown address's hash, at production cost again


@pytest.fixture
def walk_of(app, world: World, db, cheap_passwords):
    """Return a function that logs a client in as a role and returns its Walk, on a world
    holding an action and a criterion named with chart markup."""
    from kiosk.extensions import limiter
    from kiosk.public.tokens import make_survey_token

    overall = db.scalar(select(Criterion).where(Criterion.code == "overall"))
    overall.labels = {**overall.labels, "fr": MATH_LABEL}
    action = Action(site_id=world.ids["site_id"], year=2026, title="Signalétique", status="prevue")
    action.status_on = datetime(2026, 3, 1).date()
    db.add(action)
    db.commit()
    store(
        db,
        db.get(Service, world.ids["service_id"]),
        datetime(2026, 3, 10, 9, tzinfo=UTC),
        {"overall": 4, "courtesy": 2},
    )
    db.commit()
    world.ids["action_id"] = action.id
    snapshot = kept_rows(db)
    db.close()

    def restore() -> None:
        """Put the world's objects back as they were: a site renamed, a criterion relabelled
        or a réclamation closed by one request would stop the next from going deep."""
        with app.extensions["avis_sessionmaker"]() as session:
            now = kept_rows(session, snapshot)
            changed = False
            for table, rows in snapshot.items():
                for row_id, values in rows.items():
                    if now[table].get(row_id) != values:
                        session.execute(table.update().where(table.c.id == row_id).values(values))
                        changed = True
            if changed:
                session.commit()

    with app.app_context():  # the signed token of Nanterre's QR poster, for /q/<token>
        world.ids["token"] = make_survey_token("92-nanterre", "accueil")
    app.request_class = RecordingRequest
    app.config["PROPAGATE_EXCEPTIONS"] = False  # the real error page, checked for a trace
    walks: list[Walk] = []

    def noted(sender, exception, **extra):
        for walk in walks:
            walk.failures.append(exception)

    got_request_exception.connect(noted, app)

    def make(role: str) -> Walk:
        client = app.test_client()
        login_as(client, world, role)
        walk = Walk(app, client, world, role, restore)
        walks.append(walk)
        return walk

    limiter.enabled = False  # the limits would turn most requests into 429s
    yield make
    limiter.enabled = True
    got_request_exception.disconnect(noted, app)


# What the world holds that a post to its route can change (accounts are left alone: their
# rows carry the sessions of the walks' clients).
KEPT = (
    "site",
    "service",
    "criterion",
    "questionnaire",
    "campaign",
    "tablet",
    "reclamation",
    "action",
)


def kept_rows(session, only: dict | None = None) -> dict:
    """Return the rows of the KEPT tables (those of ``only``), by table and id."""
    found = {}
    for name in KEPT:
        table = Base.metadata.tables[name]
        query = select(table)
        if only is not None:
            query = query.where(table.c.id.in_(only[table]))
        found[table] = {row.id: dict(row._mapping) for row in session.execute(query)}
    return found


def explicit(route: str, **named) -> dict:
    """An example of one request to ``route`` with ``named`` values, the rest plausible."""
    return {"key": route, "tape": ["x"], "mask": 0, "in_path": False, "named": named}


# Each answered 500 before (issue 14): whole numbers too large for the database...
SEEDS = [
    explicit("backoffice.comments GET", page=HUGE),
    explicit("backoffice.comments GET", max_rating=HUGE),
    explicit("backoffice.audit GET", page=HUGE),
    explicit("backoffice.inbox GET", site=HUGE),
    # ...days at the ends of the calendar, in the back office, its downloads and the API...
    explicit(
        "backoffice.dashboard GET", campaign=None, **{"from": "0001-01-01", "to": "9999-12-31"}
    ),
    explicit(
        "backoffice.dashboard_export GET",
        campaign=None,
        format="csv",
        **{"from": "0001-01-01", "to": "0001-01-02"},
    ),
    explicit("api.report GET", campaign=None, **{"from": "0001-01-01", "to": "9999-12-31"}),
    # ...a time that UTC cannot tell, without any login...
    explicit("api.create_response POST", channel="web", submitted_at="0001-01-01T00:00:00+14:00"),
    # ...and a criterion named with chart markup (the world's "overall"), in the HTML and PDF
    # downloads of the report.
    explicit("backoffice.dashboard_export GET", campaign=None, format="html"),
    explicit("backoffice.dashboard_export GET", campaign=None, format="pdf"),
    # Found by this fuzz: "²" is a digit to str.isdigit() but no number to int(), and an id
    # past the database's reached a lookup.
    explicit("backoffice.actions POST", service_id="²"),
    explicit("backoffice.actions POST", service_id=HUGE),
    explicit("backoffice.action_detail POST", year="²"),
    explicit("backoffice.indicator_entry POST", **{"c-{site_id}-1": "²"}),
    explicit("backoffice.reclamation_assign POST", service_id=HUGE),
]


def with_seeds(test):
    for seed in reversed(SEEDS):
        test = example(**seed)(test)
    return test


@pytest.mark.parametrize("role", FUZZ_ROLES)
def test_no_route_answers_500_to_hostile_values(walk_of, role):
    started, cpu = time.perf_counter(), time.process_time()
    if not READS.probed:
        # What the views read past their access check, to be sent to those they refuse too:
        # once with nothing, once with what they asked for.
        admin = walk_of("admin")
        admin.sweep([None], admin.routes, in_path=False)
        admin.probe()
        READS.probed = True
        STATS["requests"] += admin.requests
    walk = walk_of(role)
    walk.probe()
    walk.sweep([HUGE], [key for key in walk.routes if walk.routes[key][0].arguments], True)
    if role == "admin":  # who reaches every view: each field on its own too
        walk.by_kind(walk.reachable)
        walk.one_at_a_time(walk.reachable, turn=0)
    elif role != "quality":  # the quality mission sees what admin sees, through the same views
        walk.by_kind(walk.reachable)
    walked = walk.requests
    examples = []

    @SETTINGS
    @given(
        key=st.sampled_from(walk.reachable),
        tape=TAPES,
        mask=MASKS,
        in_path=st.booleans(),
        named=st.just({}),
    )
    @with_seeds
    def fuzz(key, tape, mask, in_path, named):
        examples.append(key)
        walk.fuzz(key, tape, mask, in_path, named)

    fuzz()
    STATS["routes"] = len(walk.routes)
    STATS["roles"].append(role)
    STATS["requests"] += walk.requests
    STATS["examples"] += len(examples)
    STATS["seconds"] += time.perf_counter() - started
    STATS["cpu"] += time.process_time() - cpu
    print(
        f"{role}: {len(walk.routes)} routes × methods ({len(walk.reachable)} let in), "
        f"{walked} requests walked, {len(examples)} examples"
    )
