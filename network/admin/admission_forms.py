"""The forms of the admission review: admit in one click, refuse with a reason."""

from wtforms import SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from network.forms import Form

REASON_MAX_LENGTH = 1000


class AdmitForm(Form):
    submit = SubmitField("Valider l'adhésion")


class RefuseForm(Form):
    refusal_reason = TextAreaField(
        "Motif du refus", description="Il est envoyé tel quel à la personne, par e-mail.",
        validators=[DataRequired("Indiquez le motif du refus : la personne le recevra."),
                    Length(max=REASON_MAX_LENGTH,
                           message=f"{REASON_MAX_LENGTH} caractères au maximum.")])
    submit = SubmitField("Refuser la candidature")
