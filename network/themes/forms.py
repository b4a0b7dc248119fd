"""The forms of a call for themes: the admins' round and its closing, the members' proposal."""

from datetime import UTC, datetime, time, timedelta

from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from network.forms import Form
from network.membership.forms import REQUIRED
from network.templating import PARIS
from network.themes.models import ThemeRound
from network.themes.services import DEFAULT_VOTES_PER_MEMBER

WHEN_FORMAT = "%Y-%m-%dT%H:%M"
# A round lasts three weeks unless the admin says otherwise.
DEFAULT_WEEKS = 3


def _moment(label: str) -> DateTimeLocalField:
    return DateTimeLocalField(label, format=WHEN_FORMAT, description="Heure de Paris.",
                              validators=[DataRequired("Indiquez la date et l'heure.")])


class RoundForm(Form):
    title = StringField("Titre", validators=[DataRequired(REQUIRED), Length(max=200)],
                        description="Par exemple : Appel à thèmes des ateliers 2027.")
    introduction = TextAreaField("Introduction (Markdown, facultatif)",
                                 validators=[Length(max=5000)], render_kw={"rows": 5},
                                 description="Ce que le GT QVT attend des propositions, affiché "
                                             "aux membres au-dessus des thèmes.")
    votes_per_member = IntegerField(
        "Nombre de votes par membre", default=DEFAULT_VOTES_PER_MEMBER, validators=[
            InputRequired("Indiquez un nombre de votes."),
            NumberRange(min=1, max=20, message="Entre 1 et 20 votes.")],
        description="Un vote au plus par thème ; chaque membre peut changer ses votes jusqu'à "
                    "la clôture.")
    opens_at = _moment("Ouverture")
    closes_at = _moment("Clôture")
    submit = SubmitField("Enregistrer l'appel à thèmes")

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        opens, closes = self.opens_at.data, self.closes_at.data
        if opens and closes and closes <= opens:
            self.closes_at.errors = [*self.closes_at.errors, "La clôture doit suivre l'ouverture."]
            valid = False
        return valid

    @staticmethod
    def defaults(now: datetime) -> dict:
        """A new round: open now, closing three weeks later at 18 h (Paris)."""
        local = now.astimezone(PARIS).replace(second=0, microsecond=0, tzinfo=None)
        closes = datetime.combine(local.date() + timedelta(weeks=DEFAULT_WEEKS), time(18))
        return {"opens_at": local, "closes_at": closes,
                "votes_per_member": DEFAULT_VOTES_PER_MEMBER}

    @staticmethod
    def data_of(theme_round: ThemeRound) -> dict:
        def local(moment: datetime) -> datetime:
            return moment.astimezone(PARIS).replace(tzinfo=None)

        return {"title": theme_round.title, "introduction": theme_round.introduction,
                "votes_per_member": theme_round.votes_per_member,
                "opens_at": local(theme_round.opens_at),
                "closes_at": local(theme_round.closes_at)}

    def paris(self, field) -> datetime:
        """The moment typed, read in Paris time, as an aware UTC datetime."""
        return field.data.replace(tzinfo=PARIS).astimezone(UTC)


class ProposalForm(Form):
    title = StringField("Thème proposé", validators=[DataRequired(REQUIRED), Length(max=150)],
                        description="En quelques mots, par exemple : Prévenir l'usure "
                                    "professionnelle.")
    description = TextAreaField(
        "Description", validators=[DataRequired(REQUIRED), Length(max=1000)],
        render_kw={"rows": 4},
        description="Ce que vous aimeriez travailler en atelier, en quelques lignes "
                    "(1\u202f000 caractères au plus).")
    submit = SubmitField("Proposer ce thème")


class CloseRoundForm(Form):
    confirm = BooleanField("Je confirme : les votes s'arrêtent maintenant", validators=[
        DataRequired("Cochez la case pour confirmer la clôture.")])
    submit = SubmitField("Clore l'appel maintenant")
