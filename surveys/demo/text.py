"""Texts of the demo: short comments and réclamations as usagers write them.

Invented for the demo, in the tone of the urne cards and emails a préfecture receives; no
real person or case.
"""

from __future__ import annotations

POSITIVE_COMMENTS_FR = [
    "Accueil très agréable, merci.",
    "Agent très aimable et patient, il a pris le temps de tout m'expliquer.",
    "Rapide et efficace, rien à redire.",
    "Merci à la dame de l'accueil pour son aide avec le formulaire.",
    "Bien orienté dès l'entrée, je n'ai pas attendu longtemps.",
    "Très bonne organisation, rendez-vous respecté à l'heure.",
    "Personnel souriant et compétent.",
    "Le point numérique m'a bien aidé pour ma demande en ligne.",
    "Explications claires, je sais enfin quoi fournir.",
    "Locaux propres et calmes.",
    "Service rendu conforme à ce que j'attendais.",
    "Merci pour la remise de mon titre, tout s'est bien passé.",
]
# What an usager who rated one criterion low writes about it (the demo picks the text of
# the lowest-rated criterion, so that a comment agrees with its ratings).
NEGATIVE_BY_CRITERION_FR = {
    "waiting_time": [
        "Trop d'attente avant d'être reçu.",
        "Personne au guichet pendant vingt minutes.",
        "Le ticket d'appel ne fonctionnait pas, personne ne savait son tour.",
        "Mon dossier est en instruction depuis des mois sans nouvelles.",
    ],
    "signage": [
        "La signalétique n'est pas claire, on se perd entre les bâtiments.",
        "Aucun panneau pour trouver le bon bureau.",
    ],
    "comfort": [
        "Il fait très chaud dans le hall.",
        "Pas assez de places assises dans la salle d'attente.",
    ],
    "confidentiality": ["Confidentialité insuffisante au guichet, tout le monde entend."],
    "clarity": [
        "Les explications étaient confuses.",
        "On m'a demandé une pièce qui n'était pas indiquée sur le site.",
    ],
    "accessibility": ["Pas de toilettes accessibles pour le public."],
    "orientation": ["On m'a renvoyé d'un guichet à l'autre."],
    "courtesy": ["Agent peu aimable, je me suis senti mal reçu."],
    "overall": ["Impossible d'obtenir un rendez-vous sur le site depuis des semaines."],
}
# Satisfied overall, but one criterion rated low.
MIXED_BY_CRITERION_FR = {
    "waiting_time": "Accueil aimable, mais l'attente reste longue.",
    "signage": "Agents aimables, mais on a du mal à trouver le bureau.",
    "comfort": "Bien reçu, mais la salle d'attente est trop petite.",
    "confidentiality": "Bon accueil, dommage qu'on entende tout au guichet.",
    "clarity": "Démarche aboutie, même si les explications n'étaient pas toujours claires.",
    "accessibility": "Bon accueil, mais l'accès en fauteuil est difficile.",
    "orientation": "Dossier réglé, mais on m'a d'abord envoyé au mauvais guichet.",
    "courtesy": "Démarche rapide, accueil un peu sec.",
}
NEGATIVE_COMMENTS_FR = [
    "Trop d'attente avant d'être reçu.",
    "Impossible d'obtenir un rendez-vous sur le site depuis des semaines.",
    "Pas assez de places assises dans la salle d'attente.",
    "Il fait très chaud dans le hall.",
    "La signalétique n'est pas claire, on se perd entre les bâtiments.",
    "Personne au guichet pendant vingt minutes.",
    "On m'a demandé une pièce qui n'était pas indiquée sur le site.",
    "Le ticket d'appel ne fonctionnait pas, personne ne savait son tour.",
    "Mon dossier est en instruction depuis des mois sans nouvelles.",
    "Les explications étaient confuses.",
    "Pas de toilettes accessibles pour le public.",
    "Confidentialité insuffisante au guichet, tout le monde entend.",
]
# Other languages: (satisfied, dissatisfied) comments.
COMMENTS_OTHER = {
    "en": (["Friendly staff, thank you for your help.", "Clear explanations, thank you."],
           ["Waited too long before being seen."]),
    "es": (["Muy amables, gracias."], ["Demasiada espera."]),
    "pt": (["Atendimento muito simpático."], ["Esperei muito tempo."]),
    "ar": (["شكرا على حسن الاستقبال."], ["الانتظار كان طويلا جدا."]),
    "ru": (["Спасибо за помощь."], ["Слишком долгое ожидание."]),
    "uk": (["Дякую за допомогу."], ["Дуже довго чекали."]),
    "tr": (["Çok ilgiliydiler, teşekkürler."], []),
    "ro": (["Mulțumesc pentru ajutor."], []),
    "zh": (["谢谢你们的帮助。"], ["等待时间太长了。"]),
}  # fmt: skip

# Réclamation texts per category code.
RECLAMATION_TEXTS = {
    "waiting_time": [
        "J'ai déposé ma demande de renouvellement de titre de séjour il y a six mois et je n'ai "
        "aucune nouvelle. Mon récépissé expire bientôt et mon employeur s'inquiète.",
        "Mon dossier de naturalisation est complet depuis plus d'un an. Pouvez-vous me dire où "
        "en est l'instruction ?",
        "Ma carte de résident est prête selon le site mais je n'arrive pas à savoir quand la "
        "retirer.",
        "Cela fait quatre mois que j'attends une réponse à ma demande de changement de statut "
        "étudiant vers salarié.",
        "Mon attestation de prolongation d'instruction a expiré, je risque de perdre mon emploi.",
        "Je relance pour la troisième fois au sujet de mon dossier de regroupement familial.",
    ],
    "appointment": [
        "Impossible de prendre rendez-vous sur le site de la préfecture : aucun créneau n'est "
        "jamais disponible.",
        "Je me connecte tous les jours à 9 h pour obtenir un rendez-vous, sans succès depuis "
        "trois semaines.",
        "Mon rendez-vous a été annulé la veille sans explication, comment en obtenir un autre ?",
        "Le module de rendez-vous affiche une erreur à la dernière étape.",
        "Je n'ai pas reçu la convocation par courriel après avoir réservé un créneau.",
    ],
    "reception": [
        "L'agent du guichet 4 a été désagréable avec ma mère qui ne parle pas bien français.",
        "On m'a renvoyé d'un guichet à l'autre pendant une heure.",
        "L'agent de sécurité a refusé l'entrée à mon accompagnant sans explication.",
    ],
    "information": [
        "Les informations du site internet ne correspondent pas à la liste des pièces demandée "
        "au guichet.",
        "Aucun panneau n'indique où se trouve le bureau des naturalisations.",
        "Je n'ai pas compris quel formulaire remplir pour un duplicata.",
    ],
    "premises": [
        "La salle d'attente est trop petite, des personnes attendent debout dehors sous la pluie.",
        "L'ascenseur est en panne depuis une semaine, impossible pour une personne en fauteuil.",
        "Il n'y a pas de distributeur d'eau dans la salle d'attente.",
    ],
    "telephone": [
        "Le standard ne répond jamais, j'ai appelé dix fois dans la matinée.",
        "Le serveur vocal raccroche après le menu.",
    ],
    "website": [
        "Le téléservice ANEF me bloque à l'étape du justificatif de domicile.",
        "Le lien pour télécharger le formulaire CERFA ne fonctionne pas.",
    ],
    "other": [
        "Je souhaite signaler un stationnement gênant devant l'entrée des usagers.",
        "Mes documents originaux ne m'ont pas été rendus après mon passage.",
    ],
}
SUGGESTION_TEXTS = [
    "Il faudrait un écran qui affiche le numéro appelé dans la deuxième salle.",
    "Pourriez-vous ouvrir des créneaux de rendez-vous le samedi matin ?",
    "Un fléchage au sol depuis l'entrée aiderait beaucoup.",
    "Ce serait bien d'avoir des prises pour recharger son téléphone pendant l'attente.",
    "Proposer les formulaires en plusieurs langues à l'accueil.",
]
THANKS_TEXTS = [
    "Un grand merci à l'agent qui m'a reçu pour sa gentillesse et son professionnalisme.",
    "Merci à l'équipe du bureau des étrangers pour le traitement rapide de mon dossier.",
    "Je tenais à remercier le point numérique pour l'aide apportée.",
]
REPLY_TEXTS = {
    "waiting_time": "Votre dossier est en cours d'instruction ; une décision vous sera "
    "notifiée dès qu'elle sera prise. Votre attestation a été prolongée.",
    "appointment": "De nouveaux créneaux sont ouverts chaque lundi à 10 h ; vous pouvez aussi "
    "solliciter un rendez-vous par le formulaire de contact en cas d'urgence.",
    "reception": "Nous vous prions de nous excuser ; votre message a été transmis au chef de "
    "service et l'équipe d'accueil a été sensibilisée.",
    "information": "Merci pour votre signalement ; la page du site a été mise à jour.",
    "premises": "Votre remarque a été transmise au service immobilier qui étudie une solution.",
    "telephone": "Nous renforçons l'accueil téléphonique aux heures de forte affluence.",
    "website": "Le dysfonctionnement a été signalé et corrigé ; vous pouvez réessayer.",
    "other": "Votre message a été transmis au service concerné.",
    "suggestion": "Merci pour votre suggestion, elle sera étudiée lors du prochain comité "
    "local des usagers.",
}
FIRST_NAMES = ["Amina", "Julien", "Fatou", "Marc", "Leïla", "Sofia", "Karim", "Hélène", "Ion"]
LAST_NAMES = ["Benali", "Martin", "Diallo", "Nguyen", "Petit", "Costa", "Haddad", "Moreau"]
STREETS = ["rue de la République", "avenue Joliot-Curie", "boulevard de la Défense"]
TOWNS = ["92000 Nanterre", "92160 Antony", "92100 Boulogne-Billancourt", "92130 Issy"]
