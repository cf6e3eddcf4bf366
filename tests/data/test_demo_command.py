"""``avis demo`` loads accounts whose passwords are published: it refuses a database that
holds anything but its own demo, and production settings, unless told with ``--force``. It
speaks the user's language, as the data commands do: French, or English under an English
``LANG``."""

from __future__ import annotations

from sqlalchemy import delete, func, select

from surveys.demo import USERS
from surveys.models import Site, User
from tests.factories import make_site, make_user

DEMO = ["demo", "--no-serve", "--scale", "0.002"]


def _demo_accounts(db) -> int:
    emails = [entry[1] for entry in USERS]
    count = db.scalar(select(func.count()).select_from(User).where(User.email.in_(emails)))
    db.rollback()  # the command that runs next writes: leave no transaction open here
    return count


def test_demo_refuses_a_database_holding_a_site_of_its_own_and_changes_nothing(runner, db):
    make_site(db, "75-paris", "Préfecture de police", "75")
    db.commit()
    refused = runner.invoke(args=DEMO)
    assert refused.exit_code == 1
    assert "n'est pas une base de démo" in refused.output and "75-paris" in refused.output
    assert "--force" in refused.output
    assert db.scalar(select(func.count()).select_from(Site)) == 1
    assert _demo_accounts(db) == 0


def test_demo_refuses_production_settings_then_real_accounts_unless_forced(app, runner, db):
    app.config["SESSION_COOKIE_SECURE"] = True  # AVIS_SECURE_COOKIES=true
    refused = runner.invoke(args=DEMO)
    assert refused.exit_code == 1 and "AVIS_SECURE_COOKIES" in refused.output
    assert _demo_accounts(db) == 0

    forced = runner.invoke(args=[*DEMO, "--force"])
    assert forced.exit_code == 0, forced.output
    assert _demo_accounts(db) == len(USERS)

    app.config["SESSION_COOKIE_SECURE"] = False
    again = runner.invoke(args=DEMO)  # its own demo: accepted, nothing new
    assert again.exit_code == 0, again.output
    assert "0 réponse et 0 réclamation ajoutées" in again.output  # French: 0 is singular

    make_user(db, "admin", email="chef.bureau@interieur.gouv.fr")
    db.commit()
    refused = runner.invoke(args=DEMO)
    assert refused.exit_code == 1
    assert "1 compte qui n'est pas de la démo" in refused.output
    assert "chef.bureau" not in refused.output  # an agent's address is personal data


def test_demo_speaks_english_under_an_english_locale_and_french_otherwise(runner, db, english):
    make_site(db, "75-paris", "Préfecture de police", "75")
    make_user(db, "admin", email="chef.bureau@interieur.gouv.fr")
    db.commit()
    refused = runner.invoke(args=DEMO)
    assert refused.exit_code == 1
    assert (
        "it holds 1 site of its own (75-paris) and 1 account that is not the demo's"
        in refused.output
    )
    assert "n'est pas" not in refused.output
    db.execute(delete(User))
    db.execute(delete(Site))
    db.commit()
    built = runner.invoke(args=DEMO)
    assert built.exit_code == 0, built.output
    assert "Demo ready: " in built.output and "password: demo-admin-2022" in built.output
    assert "scope: every site" in built.output and "Démo" not in built.output


def test_demo_speaks_french_by_default(runner, db):
    built = runner.invoke(args=DEMO)
    assert built.exit_code == 0, built.output
    assert "Démo prête : " in built.output and "mot de passe : demo-admin-2022" in built.output
    assert "périmètre : tous les sites" in built.output
    assert "Demo ready" not in built.output and "password:" not in built.output
