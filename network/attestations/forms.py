from wtforms import StringField
from wtforms.validators import DataRequired, ValidationError

from network.attestations.services import normalise_code
from network.forms import Form


def a_code(form, field) -> None:
    if field.data and normalise_code(field.data) is None:
        raise ValidationError("Un code de vérification a 12 lettres et chiffres, par exemple "
                              "ABCD-EFGH-JKMN : vérifiez ce que vous avez saisi.")


class VerifyForm(Form):
    """The code printed on an attestation, typed by whoever checks it (GET: nothing changes)."""

    class Meta:
        csrf = False

    code = StringField("Code de vérification", validators=[
        DataRequired("Saisissez le code imprimé sur l'attestation."), a_code],
        description="Il figure en bas de l'attestation, par exemple ABCD-EFGH-JKMN.")
