"""Back-office accounts: creation, password hashing (argon2) and checking, scopes."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, false, func, or_, select, text, tuple_
from sqlalchemy.orm import Session

from . import DomainError
from .i18n import _l
from .models import ROLES, LoginFailure, Service, Site, User, UserScope, utcnow

_hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = 12
# The most common passwords and the obvious local ones; refused whatever their length.
COMMON_PASSWORDS = frozenset(
    {
        "123456789012",
        "azertyuiop12",
        "motdepasse123",
        "motdepasse1234",
        "password1234",
        "qwertyuiop12",
        "000000000000",
        "111111111111",
        "azertyazerty",
        "prefecture123",
        "prefecture2024",
        "prefecture2025",
        "prefecture2026",
        "marianne1234",
        "bonjour12345",
        "soleil123456",
        "password123!",
        "administrateur",
        "administrator",
        "changeme1234",
    }
)


# A fixed hash so that checking an unknown email costs the same time as a known one.
# Made at the first login attempt, not at import: hashing costs ~0.2 s of CPU, which every
# CLI command and app worker would otherwise pay at start-up.
@functools.cache
def _dummy_hash() -> str:
    return _hasher.hash("avis-dummy-password-for-timing")


def hash_password(password: str) -> str:
    """Return the argon2 hash of ``password``."""
    return _hasher.hash(password)


def check_password_strength(password: str) -> None:
    """Raise DomainError when ``password`` is too short or too common."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(_l("mot de passe trop court"), field="password", code="too_short")
    if password.lower() in COMMON_PASSWORDS:
        raise DomainError(_l("mot de passe trop courant"), field="password", code="too_common")


def verify_password(user: User | None, password: str) -> bool:
    """Return True when ``password`` is ``user``'s; takes as long for an unknown user."""
    try:
        stored = user.password_hash if user else _dummy_hash()
        return _hasher.verify(stored, password) and bool(user)
    except (VerificationError, InvalidHashError):
        return False


def find_by_email(session: Session, email: str) -> User | None:
    """Return the user with this email (case-insensitive), or None."""
    return session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def create_user(
    session: Session,
    *,
    email: str,
    name: str,
    password: str,
    role: str,
    scopes: list[tuple[str, str | None]] = (),
    check_strength: bool = True,
) -> User:
    """Create and return a user; ``scopes`` lists (site code, service code or None)."""
    if role not in ROLES:
        raise DomainError(_l("rôle inconnu"), field="role")
    if check_strength:
        check_password_strength(password)
    if find_by_email(session, email):
        raise DomainError(
            _l("un compte existe déjà à cette adresse"), field="email", code="duplicate"
        )
    user = User(
        email=email.strip().lower(), name=name, password_hash=hash_password(password), role=role
    )
    for site_code, service_code in scopes:
        site = session.scalar(Site.by_code(site_code))
        if site is None:
            raise DomainError(_l("site inconnu"), field="site")
        service_id = None
        if service_code:
            service = session.scalar(Service.by_codes(site_code, service_code))
            if service is None:
                raise DomainError(_l("service inconnu"), field="service")
            service_id = service.id
        user.scopes.append(UserScope(site_id=site.id, service_id=service_id))
    session.add(user)
    session.flush()
    return user


def record_login(user: User) -> None:
    """Note the time of a successful login."""
    user.last_login_at = utcnow()


def start_login_attempt(
    session: Session,
    account_key: str,
    limit: int,
    window_seconds: int,
    now: datetime | None = None,
) -> tuple[int | None, int]:
    """Count one login attempt on the account ``account_key`` before its password is
    checked; return (the attempt's id, 0), or (None, seconds to wait) when the account
    already had ``limit`` failed attempts in the last ``window_seconds``.

    The attempt is counted as failed until :func:`forget_login_attempt` says otherwise,
    so that attempts made at the same moment through other workers or servers all count:
    the caller commits at once, then checks the password outside this transaction. Rows
    past the window are deleted on the way, so the table holds one window of failures.
    """
    now = now or utcnow()
    since = now - timedelta(seconds=window_seconds)
    if session.get_bind().dialect.name == "postgresql":
        # One account's attempts in turn across servers (SQLite's writers already are).
        session.execute(
            text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": "login:" + account_key}
        )
    session.execute(delete(LoginFailure).where(LoginFailure.at <= since))
    failures, oldest = session.execute(
        select(func.count(), func.min(LoginFailure.at)).where(
            LoginFailure.account_key == account_key, LoginFailure.at > since
        )
    ).one()
    if failures >= limit > 0:
        wait = (oldest + timedelta(seconds=window_seconds) - now).total_seconds()
        return None, max(1, int(wait) + 1)
    attempt = LoginFailure(account_key=account_key, at=now)
    session.add(attempt)
    session.flush()
    return attempt.id, 0


def forget_login_attempt(session: Session, attempt_id: int) -> None:
    """The attempt ``attempt_id`` succeeded: it no longer counts against its account."""
    session.execute(delete(LoginFailure).where(LoginFailure.id == attempt_id))


@dataclass(frozen=True)
class Scope:
    """What a user may see: every site, or whole sites and (site, service) pairs. The one
    definition the back office, the reports and the queries read."""

    everything: bool = False
    sites: frozenset[int] = frozenset()
    pairs: frozenset[tuple[int, int]] = frozenset()

    def covers(self, site_id: int, service_id: int | None) -> bool:
        """Whether this site and service (None: the site as a whole) are in the scope."""
        return self.everything or site_id in self.sites or (site_id, service_id) in self.pairs

    def touches(self, site_id: int) -> bool:
        """Whether any part of this site is in the scope (the site is then listed)."""
        return self.everything or site_id in self.site_ids()

    def site_ids(self) -> frozenset[int]:
        """The sites of which some part is in the scope (meaningless when ``everything``)."""
        return self.sites | {site_id for site_id, _ in self.pairs}

    def services_of(self, site_id: int) -> list[int] | None:
        """The services of ``site_id`` in the scope; None when the whole site is."""
        if self.everything or site_id in self.sites:
            return None
        return sorted(service_id for site, service_id in self.pairs if site == site_id)

    def clause(self, site_column, *service_columns):
        """The SQL condition of the rows in the scope (None: every row). With several
        service columns, a row is in the scope when any of them is (a réclamation's service
        or the one it was assigned to)."""
        if self.everything:
            return None
        terms = [site_column.in_(sorted(self.sites))] if self.sites else []
        if self.pairs:
            pairs = sorted(self.pairs)
            terms += [tuple_(site_column, column).in_(pairs) for column in service_columns]
        return or_(*terms) if terms else false()


EVERYTHING = Scope(everything=True)


def user_scope(user: User) -> Scope:
    """The :class:`Scope` of ``user``: admins and the quality mission see every site;
    agents and viewers see their scope."""
    if user.role in ("admin", "quality"):
        return EVERYTHING
    return Scope(
        sites=frozenset(s.site_id for s in user.scopes if s.service_id is None),
        pairs=frozenset((s.site_id, s.service_id) for s in user.scopes if s.service_id is not None),
    )


def can_see(user: User, site_id: int, service_id: int | None) -> bool:
    """Return True when ``user``'s scope covers this site and service."""
    return user_scope(user).covers(site_id, service_id)


def end_all_sessions(user: User) -> None:
    """End every session of ``user`` (each browser must log in again)."""
    user.session_version = (user.session_version or 1) + 1


def change_password(user: User, password: str) -> None:
    """Set a new password after checking its strength; ends the user's other sessions."""
    check_password_strength(password)
    user.password_hash = hash_password(password)
    end_all_sessions(user)


def set_active(user: User, active: bool) -> None:
    """Enable or disable an account; disabling ends its sessions at once."""
    if user.active and not active:
        end_all_sessions(user)
    user.active = active


def resolve_scopes(session: Session, scopes: list[tuple[int, int | None]]) -> list[UserScope]:
    """Return UserScope rows for (site id, service id or None), checking that they exist."""
    rows: list[UserScope] = []
    seen: set[tuple[int, int | None]] = set()
    for site_id, service_id in scopes:
        if session.get(Site, site_id) is None:
            raise DomainError(_l("site inconnu"), field="scopes", code="unknown_site")
        if service_id is not None:
            service = session.get(Service, service_id)
            if service is None or service.site_id != site_id:
                raise DomainError(_l("service inconnu"), field="scopes", code="unknown_service")
        if (site_id, service_id) not in seen:
            seen.add((site_id, service_id))
            rows.append(UserScope(site_id=site_id, service_id=service_id))
    return rows


def backoffice_language(language: str | None) -> str | None:
    """Return the back-office language an account may choose (None: follow the browser);
    DomainError for any other value."""
    from .languages import BACKOFFICE_LANGUAGES

    if not language:
        return None
    if language not in BACKOFFICE_LANGUAGES:
        raise DomainError(_l("langue inconnue"), field="language", code="unknown_language")
    return language


def set_language(user: User, language: str | None) -> bool:
    """Set the back-office language an account chose itself (None: the browser's); return
    True when it changed."""
    language = backoffice_language(language)
    if user.language == language:
        return False
    user.language = language
    return True


def update_user(
    session: Session,
    user: User,
    *,
    name: str,
    role: str,
    language: str | None,
    scopes: list[tuple[int, int | None]],
    acting: User | None = None,
) -> list[str]:
    """Change an account's name, role, language and scope; return the names of the changed
    fields. A role or scope change ends the account's sessions. An admin cannot demote
    themself (so that an admin always remains)."""
    if role not in ROLES:
        raise DomainError(_l("rôle inconnu"), field="role", code="unknown_role")
    language = backoffice_language(language)
    name = name.strip()
    if not name or len(name) > 200:
        raise DomainError(_l("nom requis"), field="name", code="required")
    if acting is not None and acting.id == user.id and role != user.role:
        raise DomainError(
            _l("impossible de changer son propre rôle"), field="role", code="own_role"
        )
    if role in ("agent", "viewer") and not scopes:
        raise DomainError(_l("périmètre requis"), field="scopes", code="scope_required")
    changed = []
    new_scopes = resolve_scopes(session, scopes) if role in ("agent", "viewer") else []
    old = {(s.site_id, s.service_id) for s in user.scopes}
    new = {(s.site_id, s.service_id) for s in new_scopes}
    if old != new:
        user.scopes = new_scopes
        changed.append("scopes")
    for field, value in (("name", name), ("role", role), ("language", language)):
        if getattr(user, field) != value:
            setattr(user, field, value)
            changed.append(field)
    if "role" in changed or "scopes" in changed:
        end_all_sessions(user)
    session.flush()
    return changed
