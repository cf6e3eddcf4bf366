"""Forms of the administration pages (Flask-WTF: every POST carries a CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

from surveys.calendar import HOME_TIMEZONE
from surveys.languages import USAGER_LANGUAGES


def opts(pairs) -> list[SelectChoice]:
    """Return select choices from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


CODE_HINT = _l("Lettres minuscules, chiffres et tirets, par exemple « 92-antony ».")
SERVICE_CODE_HINT = _l("Lettres minuscules, chiffres et tirets, par exemple « etrangers ».")
CRITERION_CODE_HINT = _l(
    "Lettres minuscules, chiffres, tirets et soulignés, par exemple « prise_rdv »."
)
QUESTIONNAIRE_CODE_HINT = _l(
    "Lettres minuscules, chiffres, tirets et soulignés, par exemple « qualipref_accueil »."
)
CAMPAIGN_CODE_HINT = _l(
    "Lettres minuscules, chiffres, tirets et soulignés, par exemple « enquete_2027 »."
)
FALLBACK_LABEL = _l(
    "Publier même si des questions n'ont pas de libellé dans une langue des usagers "
    "(ces usagers liront le français)"
)


class SiteForm(FlaskForm):
    code = StringField(
        _l("Code"), description=CODE_HINT, validators=[DataRequired(), Length(max=64)]
    )
    name = StringField(_l("Nom"), validators=[DataRequired(), Length(max=200)])
    departement = StringField(
        _l("Département"),
        description=_l("Numéro du département, par exemple 92, 2A ou 974."),
        validators=[DataRequired(), Length(max=3)],
    )
    timezone = StringField(
        _l("Fuseau horaire"), default=HOME_TIMEZONE, validators=[DataRequired(), Length(max=64)]
    )
    official_title = TextAreaField(
        _l("Intitulé officiel (bloc marque)"),
        description=_l(
            "Tel que l'État l'écrit en tête de ses pages, par exemple « Préfet des "
            "Hauts-de-Seine » ; un retour à la ligne est gardé. Vide : celui de l'instance."
        ),
        validators=[Optional(), Length(max=200)],
        render_kw={"rows": 2},
    )
    active = BooleanField(_l("En service"), default=True)
    submit = SubmitField(_l("Enregistrer"))


class ServiceForm(FlaskForm):
    code = StringField(
        _l("Code"), description=SERVICE_CODE_HINT, validators=[DataRequired(), Length(max=64)]
    )
    name = StringField(_l("Nom"), validators=[DataRequired(), Length(max=200)])
    active = BooleanField(_l("En service"), default=True)
    submit = SubmitField(_l("Enregistrer"))


def label_fields(form_class: type, prefix: str, caption) -> type:
    """Add one text field per usager language (``<prefix>_<lang>``) to ``form_class``."""
    for code, (native, _babel, _dir) in USAGER_LANGUAGES.items():
        validators = [DataRequired()] if code == "fr" else [Optional()]
        field = StringField(
            _l("%(what)s — %(language)s", what=caption, language=native),
            validators=[*validators, Length(max=300)],
        )
        setattr(form_class, f"{prefix}_{code}", field)
    return form_class


def labels_of(form: FlaskForm, prefix: str) -> dict[str, str]:
    """Return {language: text} from the per-language fields of ``form``."""
    return {code: getattr(form, f"{prefix}_{code}").data or "" for code in USAGER_LANGUAGES}


class CriterionForm(FlaskForm):
    code = StringField(
        _l("Code"), description=CRITERION_CODE_HINT, validators=[DataRequired(), Length(max=64)]
    )
    active = BooleanField(_l("En usage"), default=True)
    submit = SubmitField(_l("Enregistrer"))


label_fields(CriterionForm, "label", _l("Libellé"))


class QuestionnaireForm(FlaskForm):
    code = StringField(
        _l("Code"), description=QUESTIONNAIRE_CODE_HINT, validators=[DataRequired(), Length(max=64)]
    )
    satisfied_threshold = SelectField(
        _l("Note à partir de laquelle l'usager est satisfait"),
        choices=opts([(3, "3"), (4, "4"), (5, "5")]),
        coerce=int,
        default=4,
    )
    submit = SubmitField(_l("Enregistrer"))


def questionnaire_form(criteria, **kwargs) -> QuestionnaireForm:
    """Return a questionnaire form with one position field per criterion (``pos_<id>``)."""

    class Form(QuestionnaireForm):
        pass

    for criterion in criteria:
        setattr(
            Form,
            f"pos_{criterion.id}",
            IntegerField(
                criterion.label("fr"),
                validators=[Optional(), NumberRange(1, 99)],
            ),
        )
    return Form(**kwargs)


label_fields(QuestionnaireForm, "title", _l("Titre"))


class CampaignForm(FlaskForm):
    code = StringField(
        _l("Code"), description=CAMPAIGN_CODE_HINT, validators=[DataRequired(), Length(max=64)]
    )
    name = StringField(_l("Nom"), validators=[DataRequired(), Length(max=200)])
    questionnaire = SelectField(_l("Questionnaire"), coerce=int, validators=[InputRequired()])
    starts_on = DateField(_l("Premier jour"), validators=[InputRequired()])
    ends_on = DateField(_l("Dernier jour"), validators=[InputRequired()])
    target_n = IntegerField(
        _l("Nombre de réponses visé"),
        default=0,
        validators=[InputRequired(), NumberRange(0, 10**6)],
    )
    target_rate = IntegerField(
        _l("Taux de satisfaction visé (%)"),
        default=80,
        validators=[InputRequired(), NumberRange(1, 100)],
    )
    scopes = SelectMultipleField(
        _l("Sites et services concernés"),
        description=_l("Un site entier ou des services ; Ctrl (ou Cmd) pour en choisir plusieurs."),
        validators=[DataRequired()],
    )
    french_fallback = BooleanField(FALLBACK_LABEL)
    submit = SubmitField(_l("Enregistrer"))


class PublishForm(FlaskForm):
    """Put a draft questionnaire version in force from a date."""

    published_on = DateField(_l("En service à partir du"), validators=[InputRequired()])
    french_fallback = BooleanField(FALLBACK_LABEL)
    submit = SubmitField(_l("Publier cette version"))


class ReplyTemplateForm(FlaskForm):
    name = StringField(
        _l("Nom"),
        description=_l("Pour la retrouver, par exemple « Délai de rendez-vous, titres »."),
        validators=[DataRequired(), Length(max=200)],
    )
    category = SelectField(_l("Sujet"), validators=[Optional()])
    service = SelectField(_l("Service"), validators=[Optional()])
    active = BooleanField(_l("En usage"), default=True)
    submit = SubmitField(_l("Enregistrer"))


PLACEHOLDER_HINT = _l(
    "Repères remplacés à l'envoi : {nom}, {reference}, {date_reception}, {service}."
)
for _code, (_native, _babel, _dir) in USAGER_LANGUAGES.items():
    setattr(
        ReplyTemplateForm,
        f"text_{_code}",
        TextAreaField(
            _l("Texte — %(language)s", language=_native),
            description=PLACEHOLDER_HINT if _code == "fr" else None,
            validators=[DataRequired() if _code == "fr" else Optional(), Length(max=10_000)],
        ),
    )


class NewTabletForm(FlaskForm):
    """Registers a tablet: its name and service; the page then shows its one-time link."""

    name = StringField(
        _l("Nom de la tablette"),
        description=_l("Par exemple « Hall A — borne 1 »."),
        validators=[DataRequired(), Length(max=200)],
    )
    service = SelectField(_l("Service"), coerce=int, validators=[InputRequired()])
    submit = SubmitField(_l("Enregistrer la tablette"))


class TabletForm(FlaskForm):
    action = HiddenField(validators=[DataRequired()])
    name = StringField(_l("Nom"), validators=[Optional(), Length(max=200)])
    service = SelectField(_l("Service"), coerce=int, validators=[Optional()])


LANGUAGE_CHOICES = [
    ("", _l("Celle du navigateur")),
    ("fr", "Français"),
    ("en", "English"),
]

ROLE_CHOICES = [
    ("admin", _l("Administrateur")),
    ("quality", _l("Mission qualité")),
    ("agent", _l("Agent (réclamations)")),
    ("viewer", _l("Lecteur (résultats)")),
]


class UserForm(FlaskForm):
    email = EmailField(
        _l("Adresse électronique"), validators=[DataRequired(), Email(), Length(max=320)]
    )
    name = StringField(_l("Nom"), validators=[DataRequired(), Length(max=200)])
    role = SelectField(
        _l("Rôle"), choices=opts(ROLE_CHOICES), default="viewer", validators=[DataRequired()]
    )
    language = SelectField(
        _l("Langue du back office"),
        description=_l("Chacun peut la changer lui-même dans l'en-tête des pages."),
        choices=opts(LANGUAGE_CHOICES),
    )
    scopes = SelectMultipleField(
        _l("Périmètre (agents et lecteurs)"),
        description=_l("Sites entiers ou services ; Ctrl (ou Cmd) pour en choisir plusieurs."),
    )
    password = PasswordField(
        _l("Mot de passe initial"),
        description=_l("Au moins 12 caractères ; à transmettre à la personne par un autre canal."),
        validators=[Optional(), Length(max=256)],
    )
    active = BooleanField(_l("Compte actif"), default=True)
    submit = SubmitField(_l("Enregistrer"))


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    action = StringField(_l("Action commençant par"), validators=[Optional(), Length(max=64)])
    submit = SubmitField(_l("Filtrer"))
