"""Two peers that bench/load.py serves beside Avis, with the same gunicorn settings, so
that its figures read against a ceiling and a floor measured in the same run:

- ``hello``: Flask answering a fixed text, the framework's ceiling on this machine;
- ``naive``: Flask and the standard ``sqlite3`` module storing each response and its
  answers as they come (WAL, ``synchronous=NORMAL``), with no check of any kind — what a
  first version written in an afternoon would do, and the floor Avis must stay near.

    gunicorn -c deploy/gunicorn.conf.py 'bench.peers:hello()'
    PEER_DB=/tmp/peer.db gunicorn -c deploy/gunicorn.conf.py 'bench.peers:naive()'
"""

from __future__ import annotations

import os
import sqlite3
import threading

from flask import Flask, jsonify, request

SCHEMA = """
CREATE TABLE IF NOT EXISTS response (
    id INTEGER PRIMARY KEY, response_id TEXT NOT NULL, site TEXT, service TEXT,
    channel TEXT, language TEXT, submitted_at TEXT, comment TEXT);
CREATE TABLE IF NOT EXISTS answer (
    id INTEGER PRIMARY KEY, response_id INTEGER NOT NULL, criterion TEXT, rating INTEGER);
"""


def hello() -> Flask:
    app = Flask("hello")

    @app.get("/healthz")
    def healthz():
        return "ok"

    return app


def naive() -> Flask:
    app = Flask("naive")
    path = os.environ["PEER_DB"]
    local = threading.local()

    def connection() -> sqlite3.Connection:
        if getattr(local, "db", None) is None:
            db = sqlite3.connect(path, timeout=30, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.executescript(SCHEMA)
            local.db = db
        return local.db

    @app.get("/healthz")
    def healthz():
        return "ok"

    @app.post("/api/v1/responses")
    def store():
        body = request.get_json()
        db = connection()
        db.execute("BEGIN IMMEDIATE")
        cursor = db.execute(
            "INSERT INTO response (response_id, site, service, channel, language,"
            " submitted_at, comment) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                body["response_id"],
                body.get("site"),
                body.get("service"),
                body.get("channel"),
                body.get("language"),
                body.get("submitted_at"),
                body.get("comment"),
            ),
        )
        db.executemany(
            "INSERT INTO answer (response_id, criterion, rating) VALUES (?, ?, ?)",
            [(cursor.lastrowid, code, value) for code, value in body["ratings"].items()],
        )
        db.execute("COMMIT")
        return jsonify(response_id=body["response_id"], status="created"), 201

    return app
