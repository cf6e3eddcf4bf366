"""``avis users``: the first admin from the shell, listing and disabling accounts."""

from __future__ import annotations

from sqlalchemy import select

from surveys.models import AuditEntry, User
from tests.factories import make_site


def test_creating_the_first_admin_then_disabling_an_agent(runner, db):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "Chef@Example.org",
            "--name",
            "Chef",
            "--role",
            "admin",
            "--password",
            "une phrase assez longue",
        ]
    )
    assert result.exit_code == 0, result.output
    make_site(db)
    db.commit()
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "agent@example.org",
            "--name",
            "Agent",
            "--role",
            "agent",
            "--site",
            "92-nanterre",
            "--password",
            "une phrase assez longue",
        ]
    )
    assert result.exit_code == 0, result.output
    listing = runner.invoke(args=["users", "list"], env={"LC_ALL": "C"})
    assert "chef@example.org\tadmin\tactif\t0 périmètre" in listing.output
    assert "agent@example.org\tagent\tactif\t1 périmètre" in listing.output
    listing = runner.invoke(args=["users", "list"], env={"LC_ALL": "en_GB.UTF-8"})
    assert "chef@example.org\tadmin\tactive\t0 scopes" in listing.output
    assert runner.invoke(args=["users", "disable", "agent@example.org"]).exit_code == 0
    db.expire_all()
    agent = db.scalar(select(User).where(User.email == "agent@example.org"))
    assert not agent.active and agent.session_version == 2
    actions = db.scalars(select(AuditEntry.action)).all()
    assert actions == ["user.create", "user.create", "user.disable"]
    db.rollback()


def test_an_agent_without_a_site_is_refused(runner, db):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "a@example.org",
            "--name",
            "A",
            "--role",
            "agent",
            "--password",
            "une phrase assez longue",
        ]
    )
    assert result.exit_code != 0 and "--site" in result.output
    assert db.scalar(select(User)) is None


def test_an_unknown_site_is_refused(runner, db):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "a@example.org",
            "--name",
            "A",
            "--role",
            "viewer",
            "--site",
            "nowhere",
            "--password",
            "une phrase assez longue",
        ]
    )
    assert result.exit_code != 0 and "site inconnu" in result.output
