"""Action plans of the demo: the 2022 and 2023 plans of the three Hauts-de-Seine sites as
the CLU of 10 March 2023 presented them (seed 003, section 5, and the renewal audit's
tasks of section 6): 2022 all done, 2023 planned, a few already under way."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Action, Service, Site

DONE_ON = date(2022, 12, 15)
PLANNED_ON = date(2023, 3, 10)  # the day of the CLU
UNDER_WAY_ON = date(2023, 2, 1)

# site -> [(year, title, service code or None, status, criteria, réclamation categories)]
PLANS = {
    "92-nanterre": [
        (2022, "Mettre à jour le serveur vocal interactif (SVI)", None, "realisee", [],
         ["telephone"]),
        (2022, "Développer le chatbot", None, "realisee", ["orientation"], ["information"]),
        (2022, "Organiser l'autoévaluation et l'audit externe de labellisation de la "
         "sous-préfecture de Boulogne-Billancourt", None, "realisee", [], []),
        (2022, "Réaliser les enquêtes de satisfaction sur les trois sites et les enquêtes "
         "mystère", None, "realisee", [], []),
        (2022, "Réunir le comité local des usagers", None, "realisee", [], []),
        (2023, "Mettre à jour les couples question-réponse du chatbot", None, "prevue",
         ["clarity"], ["information"]),
        (2023, "Préparer l'audit externe de labellisation", None, "prevue", [], []),
        (2023, "Réaliser les enquêtes de satisfaction sur les trois sites et les enquêtes "
         "mystère", None, "prevue", [], []),
        (2023, "Identifier les référents fraude de chaque service", None, "prevue", [], []),
        (2023, "Mettre en place les actions du nouveau référentiel Quali-ATE", None, "prevue",
         [], []),
        (2023, "Actualiser les fiches de procédures et la base documentaire", None, "prevue",
         [], []),
        (2023, "Programmer les formations à l'accueil des volontaires du service civique et "
         "des vacataires", "accueil", "prevue", ["courtesy", "orientation"], ["reception"]),
        (2023, "Mettre à jour la signalétique et l'affichage extérieur", "accueil", "prevue",
         ["signage"], ["information"]),
    ],
    "92-antony": [
        (2022, "Revoir l'emplacement de l'affichage de la labellisation Qual-e-Pref", None,
         "realisee", [], []),
        (2022, "Réaliser l'enquête de satisfaction annuelle", None, "realisee", [], []),
        (2022, "Mettre en place le PAN pour les démarches étrangers dématérialisées", "pan",
         "realisee", ["waiting_time"], ["appointment"]),
        (2022, "Réunir l'accueil général et l'encadrement du bureau des étrangers sur la prise "
         "en charge des fiches navette", "etrangers", "realisee", ["orientation"], []),
        (2023, "Désigner un nouvel administrateur du chatbot au bureau des étrangers et le "
         "former", "etrangers", "prevue", [], ["information"]),
        (2023, "Réintégrer au bureau des étrangers l'accueil sans rendez-vous pour le suivi "
         "des dossiers ANEF", "etrangers", "prevue", ["orientation", "waiting_time"],
         ["waiting_time"]),
        (2023, "Continuer à utiliser les réponses-types aux courriels sans les systématiser",
         "etrangers", "en_cours", ["clarity"], ["information"]),
        (2023, "Bien lire la question posée et consulter le fichier étranger avant de répondre",
         "etrangers", "en_cours", ["clarity"], ["information"]),
    ],
    "92-boulogne": [
        (2022, "Réaliser l'enquête de satisfaction annuelle", None, "realisee", [], []),
        (2022, "Mettre des QR codes sur les affiches présentant des liens internet", None,
         "realisee", ["signage"], ["website"]),
        (2022, "Préparer l'autoévaluation et l'audit de labellisation", None, "realisee", [],
         []),
        (2022, "Tenir une assemblée générale du personnel sur le suivi de Qual-e-Pref", None,
         "realisee", [], []),
        (2023, "Réunir au moins une fois toutes les mairies autour du sous-préfet", "cert",
         "prevue", [], []),
        (2023, "Programmer au moins une assemblée générale du personnel sur Qual-e-Pref", None,
         "prevue", [], []),
        (2023, "Mettre à jour le SVI selon le calendrier de déploiement de l'ANEF",
         "etrangers", "prevue", [], ["telephone"]),
        (2023, "Programmer les formations de recyclage à l'accueil physique des volontaires, "
         "de l'agent de sécurité et des nouveaux agents de guichet", "accueil", "en_cours",
         ["courtesy"], ["reception"]),
        (2023, "Réaliser les formations de recyclage à la lutte contre la fraude et celles des "
         "nouveaux arrivants", "cert", "en_cours", [], []),
    ],
}  # fmt: skip


def _status_on(status: str) -> date:
    return {"realisee": DONE_ON, "en_cours": UNDER_WAY_ON}.get(status, PLANNED_ON)


def build_demo_actions(session: Session, sites: dict[str, Site]) -> int:
    """Store the actions of the demo's plans not yet stored (matched on site, year and
    title); return how many were added."""
    known = set(session.execute(select(Action.site_id, Action.year, Action.title)).all())
    services = {
        (site_id, code): service_id
        for site_id, code, service_id in session.execute(
            select(Service.site_id, Service.code, Service.id)
        )
    }
    added = 0
    for site_code, plan in PLANS.items():
        site = sites.get(site_code)
        if site is None:
            continue
        for year, title, service, status, criteria, categories in plan:
            if (site.id, year, title) in known:
                continue
            answers = {"criteria": criteria, "categories": categories}
            session.add(
                Action(
                    site_id=site.id,
                    service_id=services.get((site.id, service)) if service else None,
                    year=year,
                    title=title,
                    owner="Mission performance et qualité" if service is None else None,
                    due_on=date(year, 12, 31),
                    status=status,
                    status_on=_status_on(status),
                    answers={key: value for key, value in answers.items() if value},
                )
            )
            added += 1
    session.flush()
    return added
