from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length


class LoginForm(FlaskForm):
    email = EmailField(_l("Adresse électronique"), validators=[DataRequired(), Length(max=320)])
    password = PasswordField(_l("Mot de passe"), validators=[DataRequired(), Length(max=256)])
    submit = SubmitField(_l("Se connecter"))


class PasswordForm(FlaskForm):
    current = PasswordField(_l("Mot de passe actuel"), validators=[DataRequired(), Length(max=256)])
    new = PasswordField(
        _l("Nouveau mot de passe"),
        description=_l("Au moins 12 caractères ; évitez les mots de passe courants."),
        validators=[DataRequired(), Length(max=256)],
    )
    confirm = PasswordField(
        _l("Confirmez le nouveau mot de passe"),
        validators=[
            DataRequired(),
            EqualTo("new", message=_l("Les deux mots de passe ne correspondent pas.")),
        ],
    )
    submit = SubmitField(_l("Changer le mot de passe"))
