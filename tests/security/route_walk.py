"""The machinery of the route fuzz (test_route_fuzz.py): the hostile values and the
plausible ones, the request class that notes what each view reads, and a role's walk over
every route of the application."""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime
from urllib.parse import quote, urlencode

from flask import Request, url_for
from hypothesis import strategies as st
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import Rule
from werkzeug.routing.converters import NumberConverter

from surveys.languages import USAGER_LANGUAGES

from .conftest import World
from .test_route_matrix import rules

# Ends the session the rest of the walk needs; the route matrix checks who may call it.
SKIPPED = {"auth.logout"}
HUGE = "99999999999999999999999"
MATH_LABEL = r"Accueil $\undefinedmacro{x}$"
HOSTILE = [
    HUGE,
    str(2**63),
    str(2**31),
    "-1",
    f"-{HUGE}",
    "0",
    "-0",
    "1e309",
    "NaN",
    "inf",
    "1_000",
    "²",
    "٣",
    " 7 ",
    "0x1F",
    "1,5",
    "0001-01-01",
    "9999-12-31",
    "2026-02-30",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-14:00",
    "",
    " ",
    "x" * 10_000,
    "a\x00b",
    b"\xff\xfe",
    b"caf\xe9",
    "\u202etxt.exe",
    "\u2066isolé\u2069",
    MATH_LABEL,
    "$x^$",
    "{{7*7}}",
    "{% raw %}",
    '=HYPERLINK("http://evil.example")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    ["a", "b"],
    ["1", HUGE],
    [],
    {"a": 1},
    None,
    True,
    2**70,
    -(2**70),
    1.5,
]
# One field at a time gets one of these, by the kind of value it should carry, in turn: a
# route's fields after the first hostile one are never read when the first is refused.
NUMBERS = [HUGE, "²", "-1", str(2**31), "1e309", "٣", "1_000", "0x1F", "NaN", f"-{HUGE}"]
DAYS = ["0001-01-01", "9999-12-31", "2026-02-30", HUGE, "0001-01-01T00:00:00+14:00"]
TIMES = ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "0001-01-01", HUGE]
OBJECTS = [{"overall": 2**70}, {"overall": HUGE}, ["a"], {"a": 1}, "x", {}]
TEXTS = [
    "x" * 10_000,
    "a\x00b",
    b"\xff\xfe",
    ["a", "b"],
    {"a": 1},
    MATH_LABEL,
    "\u202etxt.exe",
    '=HYPERLINK("http://evil.example")',
    "{{7*7}}",
    None,
    HUGE,
    "",
]


KINDS = {"number": NUMBERS, "day": DAYS, "time": TIMES, "object": OBJECTS, "text": TEXTS}
# Sent to every field of a kind at once, each in turn: a view reads its fields in an order,
# and the first that fails to parse as it should is found whatever its place.
CORE = {
    "number": [HUGE, "²", "-1"],
    "day": ["0001-01-01", "9999-12-31"],
    "time": ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"],
    "object": [{"overall": 2**70}],
    "text": ["x" * 10_000, [b"\xff\xfe", "b"]],
}


def kind_of(value: object) -> str:
    """Return the kind of value a plausible ``value`` is: number, day, time, object, text."""
    text = value if isinstance(value, str) else ""
    if isinstance(value, int) and not isinstance(value, bool) or text.isdigit():
        return "number"
    if re.fullmatch(r"\d{4}-\d\d-\d\d", text):
        return "day"
    if re.fullmatch(r"\d{4}-\d\d-\d\dT.+", text):
        return "time"
    if isinstance(value, dict):
        return "object"
    return "text"


def hostile_like(value: object, turn: int) -> object:
    """Return a hostile value of the kind ``value`` is, the ``turn``-th of that kind."""
    values = KINDS[kind_of(value)]
    return values[turn % len(values)]


VALUE = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=12),
    st.integers(min_value=-(2**70), max_value=2**70),
)
TAPES = st.lists(VALUE, min_size=1, max_size=5)
MASKS = st.integers(min_value=1, max_value=2**16 - 1)
# What a reasonable client would send for a name, so that one hostile value goes past the
# checks of its neighbours. Names not here get the security world's ids, else "1".
PLAUSIBLE = {
    "from": "2026-03-01",
    "to": "2026-03-31",
    "format": "csv",
    "lang": "fr",
    "language": "fr",
    "status": "all",
    "kind": "reclamation",
    "channel": "courrier",
    "category": "reception",
    "place": "92-nanterre/accueil",
    "received_on": "2026-03-02",
    "answered_on": "2026-03-03",
    "reply_channel": "courrier",
    "text": "Attente trop longue.",
    "title": "Signalétique du hall",
    "year": "2026",
    "due_on": "2026-06-30",
    "indicator": "calls_answered",
    "comment": "Très bien.",
    "q": "accueil",
    "page": "2",
    "max_rating": "3",
    "campaign": "printemps",
    "fmt": "svg",
}
# What tells apart names read alike: digits, and a language code at the end.
SHAPE = re.compile(rf"\d+|(?<=_)({'|'.join(USAGER_LANGUAGES)})$")
TRACE = re.compile(r"Traceback \(most recent call last\)|File \"[^\"]+\", line \d+")
# The answers of a route that refused the role before reading anything it was sent.
REFUSED = (401, 403)


class Reads:
    """The names each route's view read, by (endpoint, method): form or query, and JSON.
    Kept for the whole session: the endpoints are the same in every test's app."""

    def __init__(self) -> None:
        self.fields: dict[tuple[str, str], set[str]] = {}
        self.json: dict[tuple[str, str], set[str]] = {}
        self.current: tuple[str, str] | None = None
        self.probed = False

    def note(self, kind: str, name: object) -> None:
        if self.current is not None and isinstance(name, str):
            getattr(self, kind).setdefault(self.current, set()).add(name)


READS = Reads()


class RecordingMultiDict(ImmutableMultiDict):
    def __getitem__(self, key):
        READS.note("fields", key)
        return super().__getitem__(key)

    def get(self, key, default=None, type=None):  # noqa: A002 (werkzeug's own signature)
        READS.note("fields", key)
        return super().get(key, default, type)

    def getlist(self, key, type=None):  # noqa: A002
        READS.note("fields", key)
        return super().getlist(key, type)

    def __contains__(self, key):
        READS.note("fields", key)
        return super().__contains__(key)


class RecordingJSON(dict):
    def __getitem__(self, key):
        READS.note("json", key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        READS.note("json", key)
        return super().get(key, default)

    def __contains__(self, key):
        READS.note("json", key)
        return super().__contains__(key)


class RecordingRequest(Request):
    parameter_storage_class = RecordingMultiDict

    def get_json(self, *args, **kwargs):
        data = super().get_json(*args, **kwargs)
        return RecordingJSON(data) if type(data) is dict else data


def openapi_names(app) -> dict[tuple[str, str], tuple[set[str], dict[str, dict]]]:
    """Return the query parameters and the JSON fields (with their schemas) that the
    OpenAPI document gives each route."""
    spec = app.test_client().get("/api/v1/openapi.json").json
    schemas = spec["components"]["schemas"]
    found = {}
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            query = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            fields: dict[str, dict] = {}
            if body:
                ref = body["schema"].get("$ref", "")
                schema = schemas.get(ref.rsplit("/", 1)[-1], body["schema"])
                fields = schema.get("properties", {})
            found[("/api/v1" + path, method.upper())] = (query, fields)
    return found


def plausible(name: str, ids: dict, schema: dict | None = None) -> object:
    """Return a value a reasonable client would send for ``name`` (its OpenAPI schema, if
    any, first)."""
    schema = schema or {}
    if "default" in schema:
        return schema["default"]
    if schema.get("enum"):
        return schema["enum"][-1]  # the first is often "kiosk", which needs a tablet
    kind = schema.get("format") or schema.get("type")
    if kind == "uuid" or name == "response_id":
        return str(uuid.uuid4())
    if kind == "date-time" or name == "submitted_at":
        return datetime.now(UTC).isoformat()
    if kind == "email":
        return "camille@example.org"
    if kind == "boolean":
        return False
    if kind == "object":
        return {"overall": 4}
    if name in PLAUSIBLE:
        return PLAUSIBLE[name]
    return ids.get(name, "1")


def as_text(value: object) -> list[str | bytes]:
    """Return what a query string or a form carries for ``value``: one entry per item."""
    if isinstance(value, list):
        return [v if isinstance(v, str | bytes) else json.dumps(v) for v in value]
    if isinstance(value, str | bytes):
        return [value]
    if value is None:
        return []
    return [json.dumps(value)]


def json_body(values: dict) -> bytes:
    """Return ``values`` as a JSON object; a bytes value, wherever it is, becomes invalid
    UTF-8 in the text."""
    marks: dict[bytes, bytes] = {}

    def spliced(value):
        if isinstance(value, bytes):
            mark = f"@@raw{len(marks)}@@"
            marks[json.dumps(mark).encode()] = b'"' + value + b'"'
            return mark
        if isinstance(value, list):
            return [spliced(item) for item in value]
        if isinstance(value, dict):
            return {key: spliced(item) for key, item in value.items()}
        return value

    body = json.dumps(spliced(values)).encode()
    for mark, raw in marks.items():
        body = body.replace(mark, raw)
    return body


def path_value(rule: Rule, name: str, value: object, ids: dict) -> object:
    """Return ``value`` where the converter of ``name`` takes it, else the world's value."""
    if isinstance(rule._converters[name], NumberConverter):
        text = str(value) if isinstance(value, int | str) and not isinstance(value, bool) else ""
        digits = text.removeprefix("-")
        return int(text) if digits.isascii() and digits.isdigit() else ids.get(name, 1)
    if isinstance(value, str) and value.strip() and "/" not in value:
        return value
    return PLAUSIBLE.get(name) or ids.get(name, "x")


def key_of(rule: Rule, method: str) -> str:
    return f"{rule.endpoint} {method}"


class Walk:
    """One role's client and the routes it walks, in a fixed order."""

    def __init__(self, app, client, world: World, role: str, restore) -> None:
        self.app = app
        self.restore = restore
        self.client = client
        self.world = world
        self.role = role
        self.routes = {
            key_of(rule, method): (rule, method)
            for rule in rules(app)
            if rule.endpoint not in SKIPPED
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
        }
        self.reachable: list[str] = []
        self.openapi = openapi_names(app)
        self.failures: list[BaseException] = []
        self.requests = 0
        self.location = ""

    def names(self, rule: Rule, method: str) -> tuple[list[str], dict[str, dict]]:
        """Return the form or query names and the JSON fields (name -> schema) of a route."""
        key = (rule.endpoint, method)
        query, fields = self.openapi.get((rule.rule, method), (set(), {}))
        json_fields = {name: {} for name in READS.json.get(key, set())} | fields
        return sorted(READS.fields.get(key, set()) | query), dict(sorted(json_fields.items()))

    def send(self, key: str, choose) -> int:
        """Send one request to the route ``key``, the n-th value it carries being
        ``choose(n, name, plausible, in_path)``; check it and return its status."""
        rule, method = self.routes[key]
        ids = self.world.ids
        fields, json_fields = self.names(rule, method)
        slot = iter(range(10_000))
        path = {}
        for name in sorted(rule.arguments):
            wanted = choose(next(slot), name, plausible(name, ids), True)
            path[name] = path_value(rule, name, wanted, ids)
        with self.app.test_request_context():
            url = url_for(rule.endpoint, **path)
        pairs = []
        for name in fields:
            for item in as_text(choose(next(slot), name, plausible(name, ids), False)):
                pairs.append((name, item))
        encoded = urlencode(pairs, quote_via=quote)
        options: dict = {"query_string": encoded}
        if method != "GET":
            if json_fields:
                body = {
                    name: choose(next(slot), name, plausible(name, ids, schema), False)
                    for name, schema in json_fields.items()
                }
                options["data"] = json_body(body)
                options["content_type"] = "application/json"
            else:
                # A form of one field at least: Flask-WTF reads no form from an empty body.
                options["data"] = encoded or "probe=1"
                options["content_type"] = "application/x-www-form-urlencoded"
        READS.current = (rule.endpoint, method)
        self.failures.clear()
        try:
            response = self.client.open(url, method=method, **options)
            body = response.get_data()
            response.close()  # a streamed download keeps its database session until closed
        finally:
            READS.current = None
            if method != "GET" and rule.arguments:
                self.restore()  # a réclamation answered or closed takes no more input
        self.requests += 1
        self.location = response.headers.get("Location", "")
        described = f"{method} {url}?{encoded[:300]} {str(options.get('data', ''))[:300]}"
        status = response.status_code
        assert status < 500 and not self.failures, (
            f"{described} as {self.role}: {status} {self.failures!r}"
        )
        head = body[:200_000].decode("utf-8", "replace")
        assert not TRACE.search(head), f"{described} as {self.role} shows a stack trace"
        return status

    def probe(self) -> None:
        """Send every route plausible values; note those that let the role in."""
        self.reachable = []
        for key in self.routes:
            status = self.send(key, lambda n, name, value, in_path: value)
            if status not in REFUSED and "/auth/login" not in self.location:
                self.reachable.append(key)

    def sweep(self, tape: list, keys, in_path: bool) -> None:
        """Send ``tape``'s values in turn to every field (or path parameter) of ``keys``."""
        for offset, key in enumerate(keys):

            def choose(n, name, value, path, offset=offset):
                return tape[(offset + n) % len(tape)] if path == in_path else value

            self.send(key, choose)

    def by_kind(self, keys) -> None:
        """Send each route of ``keys`` each value of CORE in every field of its kind."""
        ids = self.world.ids
        for key in keys:
            rule, method = self.routes[key]
            fields, json_fields = self.names(rule, method)
            kinds = {kind_of(plausible(name, ids)) for name in fields} | {
                kind_of(plausible(name, ids, schema)) for name, schema in json_fields.items()
            }
            for kind in sorted(kinds & CORE.keys()):
                for hostile in CORE[kind]:

                    def choose(n, name, value, path, kind=kind, hostile=hostile):
                        return hostile if not path and kind_of(value) == kind else value

                    self.send(key, choose)

    def one_at_a_time(self, keys, turn: int) -> None:
        """Send each route of ``keys`` a request per value it carries, that value hostile
        (of its kind, the next in turn) and the others plausible. Of the names alike but
        for their digits or their language (the cells ``v-1-1`` ... ``v-2-12`` of a grid,
        ``label_fr`` ... ``label_zh``) only the first."""
        for key in keys:
            rule, method = self.routes[key]
            fields, json_fields = self.names(rule, method)
            names = [*sorted(rule.arguments), *fields, *json_fields]
            shapes = [SHAPE.sub("#", name) for name in names]
            if len(set(shapes)) < 2:
                continue  # by_kind sent its only field each value of its kind, alone
            for target, shape in enumerate(shapes):
                if shape in shapes[:target]:
                    continue

                def choose(n, name, value, path, target=target, turn=turn):
                    return hostile_like(value, turn) if n == target else value

                self.send(key, choose)
                turn += 1

    def fuzz(self, key: str, tape: list, mask: int, in_path: bool, named: dict) -> None:
        """Send one request to ``key``: the tape where the mask says, ``named`` by name
        (a name may hold the world's ids: ``c-{site_id}-1``)."""
        named = {name.format(**self.world.ids): value for name, value in named.items()}

        def choose(n, name, value, path):
            if name in named:
                return named[name]
            if path and not in_path:
                return value
            return tape[n % len(tape)] if mask >> (n % 16) & 1 else value

        self.send(key, choose)
