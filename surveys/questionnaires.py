"""Criteria and versioned questionnaires: their making, their versions and their publication.

A questionnaire version is frozen once it has responses (its results must keep meaning what
was asked); an edit then makes the next version. A new version is a **draft**: no usager
sees it until it is published, by the mission with a start date or by the start of a
campaign that runs it. Publishing needs a label in every usager language for each
question, unless French is explicitly accepted for the missing ones. Which version
is in force on a given day is decided in ``surveys.campaigns``.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from . import DomainError
from .fields import clean_code, clean_labels, clean_name
from .i18n import _l
from .languages import USAGER_LANGUAGES
from .models import Criterion, Questionnaire, QuestionnaireItem, Response


class MissingLanguages(DomainError):
    """Publication refused: the questionnaire has no label in ``languages``."""

    def __init__(self, languages: list[str]):
        super().__init__(
            _l("libellés manquants pour {languages}", languages=", ".join(languages)),
            field="languages",
            code="missing_languages",
        )
        self.languages = languages


# --- criteria -----------------------------------------------------------------------------


def create_criterion(session: Session, *, code: str, labels: dict[str, str]) -> Criterion:
    """Create and return a criterion with its labels (French required)."""
    code = clean_code(code)
    if session.scalar(select(Criterion).where(Criterion.code == code)) is not None:
        raise DomainError(_l("code déjà utilisé"), field="code", code="duplicate")
    criterion = Criterion(code=code, labels=clean_labels(labels, "labels"))
    session.add(criterion)
    session.flush()
    return criterion


def update_criterion(criterion: Criterion, *, labels: dict[str, str], active: bool) -> None:
    """Replace a criterion's labels (one per usager language; French required)."""
    criterion.labels = clean_labels(labels, "labels")
    criterion.active = bool(active)


# --- questionnaires -----------------------------------------------------------------------


def has_responses(session: Session, questionnaire: Questionnaire) -> bool:
    """Return True when responses were stored against ``questionnaire`` (it is then frozen)."""
    return bool(
        session.scalar(select(exists().where(Response.questionnaire_id == questionnaire.id)))
    )


def latest_version(session: Session, code: str) -> Questionnaire | None:
    """Return the highest version of the questionnaire ``code`` (draft or not), or None."""
    return session.scalars(
        select(Questionnaire)
        .where(Questionnaire.code == code)
        .order_by(Questionnaire.version.desc())
        .limit(1)
    ).first()


def _check_items(session: Session, criterion_ids: list[int]) -> list[int]:
    if not criterion_ids:
        raise DomainError(_l("aucun critère"), field="criteria", code="required")
    if len(set(criterion_ids)) != len(criterion_ids):
        raise DomainError(_l("critère en double"), field="criteria", code="duplicate")
    found = session.scalars(select(Criterion.id).where(Criterion.id.in_(criterion_ids))).all()
    if len(found) != len(criterion_ids):
        raise DomainError(_l("critère inconnu"), field="criteria", code="unknown")
    return criterion_ids


def _fill_questionnaire(session, questionnaire, titles, criterion_ids, threshold) -> None:
    if threshold not in (3, 4, 5):
        raise DomainError(_l("seuil hors des bornes"), field="satisfied_threshold", code="range")
    questionnaire.titles = clean_labels(titles, "titles")
    questionnaire.satisfied_threshold = threshold
    questionnaire.items = [
        QuestionnaireItem(criterion_id=cid, position=position)
        for position, cid in enumerate(_check_items(session, criterion_ids), start=1)
    ]


def create_questionnaire(
    session: Session,
    *,
    code: str,
    titles: dict[str, str],
    criterion_ids: list[int],
    satisfied_threshold: int = 4,
) -> Questionnaire:
    """Create and return version 1 of a questionnaire asking ``criterion_ids`` in order, as a
    draft (a campaign that runs it, or :func:`publish_questionnaire`, puts it in force)."""
    code = clean_code(code)
    if session.scalar(select(exists().where(Questionnaire.code == code))):
        raise DomainError(_l("code déjà utilisé"), field="code", code="duplicate")
    questionnaire = Questionnaire(code=code, version=1)
    _fill_questionnaire(session, questionnaire, titles, criterion_ids, satisfied_threshold)
    session.add(questionnaire)
    session.flush()
    return questionnaire


def edit_questionnaire(
    session: Session,
    questionnaire: Questionnaire,
    *,
    titles: dict[str, str],
    criterion_ids: list[int],
    satisfied_threshold: int,
) -> Questionnaire:
    """Apply an edit and return the questionnaire that now holds it.

    A questionnaire without responses is edited in place. One with responses is frozen: a
    new version is created with the edit, as a draft; it carries the default flag of its
    code, but the version in force stays so until the new one is published. Campaigns keep
    the version they name.
    """
    if not has_responses(session, questionnaire):
        questionnaire.items.clear()
        session.flush()
        _fill_questionnaire(session, questionnaire, titles, criterion_ids, satisfied_threshold)
        session.flush()
        return questionnaire
    return _next_version(session, questionnaire, titles, criterion_ids, satisfied_threshold)


def _next_version(session, questionnaire, titles, criterion_ids, threshold) -> Questionnaire:
    latest = session.scalar(
        select(func.max(Questionnaire.version)).where(Questionnaire.code == questionnaire.code)
    )
    new = Questionnaire(code=questionnaire.code, version=latest + 1)
    _fill_questionnaire(session, new, titles, criterion_ids, threshold)
    session.add(new)
    session.flush()
    flagged = session.scalars(
        select(Questionnaire).where(
            Questionnaire.code == questionnaire.code, Questionnaire.is_default.is_(True)
        )
    ).all()
    if flagged:
        for old in flagged:
            old.is_default = False
        session.flush()
        new.is_default = True
        session.flush()
    return new


def missing_languages(questionnaire: Questionnaire) -> list[str]:
    """Return the usager languages (codes, in the usual order) in which one of the
    questionnaire's questions has no label (the title is for the back office only)."""
    labels = [item.criterion.labels or {} for item in questionnaire.items]
    return [lang for lang in USAGER_LANGUAGES if any(not text.get(lang) for text in labels)]


def publish_questionnaire(
    questionnaire: Questionnaire, on: date, *, french_fallback: bool = False
) -> bool:
    """Put ``questionnaire`` in force from ``on``; return True when that changed anything.

    A version already in force on or before ``on`` stays as it is. Raises
    :class:`MissingLanguages` when labels are missing for usager languages, unless
    ``french_fallback`` accepts showing those usagers the French text.
    """
    if not isinstance(on, date):
        raise DomainError(_l("date requise"), field="published_on", code="required")
    if questionnaire.published_on is not None and questionnaire.published_on <= on:
        return False
    missing = missing_languages(questionnaire)
    if missing and not french_fallback:
        raise MissingLanguages(missing)
    questionnaire.published_on = on
    return True


def add_questionnaire(
    session: Session,
    *,
    code: str,
    name: str,
    criterion_codes: list[str],
    today: date,
    french_fallback: bool = False,
) -> tuple[Questionnaire, bool]:
    """Create a questionnaire asking ``criterion_codes`` in order, or its next version when
    they differ from the latest one's, published from ``today``; return it and whether it
    was made (False: the latest version already asks exactly these criteria).

    For history and scripts: the title is ``name`` in French, the questions' labels are the
    criteria's own.
    """
    code = clean_code(code)
    codes = [c.strip().lower() for c in criterion_codes if c.strip()]
    known = dict(session.execute(select(Criterion.code, Criterion.id)).all())
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise DomainError(
            _l("critère inconnu : {codes}", codes=", ".join(unknown)), "criteria", "unknown"
        )
    wanted = [known[c] for c in codes]
    latest = latest_version(session, code)
    if latest is not None and [item.criterion_id for item in latest.items] == wanted:
        return latest, False
    titles = {"fr": clean_name(name)}
    if latest is None:
        questionnaire = create_questionnaire(
            session, code=code, titles=titles, criterion_ids=wanted
        )
    else:
        titles = {**latest.titles, "fr": titles["fr"]}
        questionnaire = _next_version(session, latest, titles, wanted, latest.satisfied_threshold)
    session.refresh(questionnaire, ["items"])
    publish_questionnaire(questionnaire, today, french_fallback=french_fallback)
    session.flush()
    return questionnaire, True
