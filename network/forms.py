"""The base of every form of the site: what no field may hold, checked once for all of them."""

from datetime import date, datetime

from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import (
    DateTimeField,
    IntegerField,
    SelectChoice,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.csrf.core import CSRFTokenField

from network.inputs import (
    DATE_MESSAGE,
    INTEGER_MAX,
    INTEGER_MIN,
    has_control_characters,
    in_range,
)

CONTROL_MESSAGE = ("Ce champ contient des caractères de contrôle (invisibles, souvent venus d'un "
                   "copier-coller) : retapez-le.")
MULTI_LINE_CONTROL_MESSAGE = ("Ce texte contient des caractères de contrôle (invisibles, souvent "
                              "venus d'un copier-coller) : retapez les passages concernés.")
NUMBER_MESSAGE = "Ce nombre dépasse ce que le site peut enregistrer."
# The first option of a required drop-down list without a meaningful default: the list asks for
# a choice (HTML wants an empty first option on a required <select>); DataRequired refuses it.
CHOOSE = SelectChoice("", "— Choisir —")


def control_characters(field) -> str | None:
    """Text as people type it: tabs and line breaks only in a multi-line area."""
    multi_line = isinstance(field, TextAreaField)
    if isinstance(field.data, str) and has_control_characters(field.data, multi_line):
        return MULTI_LINE_CONTROL_MESSAGE if multi_line else CONTROL_MESSAGE
    return None


def unstorable_number(field) -> str | None:
    """A whole number the database holds (PostgreSQL's integer)."""
    if isinstance(field.data, int) and not INTEGER_MIN <= field.data <= INTEGER_MAX:
        return NUMBER_MESSAGE
    return None


def implausible_date(field) -> str | None:
    """A date a calendar holds in any time zone, and the site's lists and feeds with it."""
    if isinstance(field.data, date | datetime) and not in_range(field.data):
        return DATE_MESSAGE
    return None


# DateField and DateTimeLocalField are DateTimeFields; e-mail, phone, URL, search and password
# fields are StringFields.
CHECKS = ((StringField, control_characters), (IntegerField, unstorable_number),
          (DateTimeField, implausible_date))


class Form(FlaskForm):
    """A FlaskForm whose every field refuses what no one types and no column holds."""

    class Meta:
        def render_field(self, field, render_kw):
            # The CSRF token and the buttons without the ids WTForms gives them (no label points
            # at them): a page of several forms (the back-office's) repeated id="csrf_token"
            # and id="submit", which HTML forbids (RGAA 8.2).
            if isinstance(field, CSRFTokenField):
                return Markup('<input name="{}" type="hidden" value="{}">').format(
                    field.name, field._value())
            if isinstance(field, SubmitField):
                render_kw = {"id": False, **render_kw}
            return super().render_field(field, render_kw)

    def validate(self, extra_validators=None) -> bool:
        # After the fields' own validators, not among them: an Optional() empties the errors
        # found before it ("\t" alone in an optional field would pass). Shown first: it says
        # why an address looks wrong better than "not a valid e-mail address" does.
        valid = super().validate(extra_validators)
        for field in self:
            for kind, check in CHECKS:
                if isinstance(field, kind) and (message := check(field)):
                    field.errors = [message, *field.errors]
                    valid = False
        return valid
