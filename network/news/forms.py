from wtforms import (
    DateField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    URLField,
)
from wtforms.validators import URL, DataRequired, Length, Optional

from network.forms import CHOOSE, Form
from network.membership.forms import REQUIRED
from network.news.models import NEWS_KIND_LABELS, NewsItem, NewsKind
from network.news.services import NewsDetails

URL_MESSAGE = "Saisissez une adresse complète, par exemple https://…"


class NewsForm(Form):
    kind = SelectField("Type", choices=[CHOOSE] + [
        SelectChoice(kind.value, label) for kind, label in NEWS_KIND_LABELS.items()],
        validators=[DataRequired("Choisissez le type d'actualité.")])
    title = StringField("Titre", validators=[
        DataRequired(REQUIRED), Length(max=200, message="200 caractères au maximum.")])
    summary = StringField("Résumé", validators=[
        DataRequired(REQUIRED), Length(max=500, message="500 caractères au maximum.")],
        description="Une ou deux phrases, reprises dans la liste des actualités, sur la page "
                    "d'accueil et dans le flux Atom.")
    body = TextAreaField("Texte (Markdown, facultatif)", validators=[
        Length(max=20_000, message="20 000 caractères au maximum.")],
        description="Titres avec ##, listes avec -, gras avec **texte**, liens avec "
                    "[texte](https://…).", render_kw={"rows": 10})
    deadline = DateField("Date limite (appel à projets)", validators=[Optional()],
                         description="Dernier jour pour répondre, inclus. Passé ce jour, "
                                     "l'appel est marqué « clos ».")
    link_url = URLField("Lien", validators=[
        Optional(), URL(message=URL_MESSAGE),
        Length(max=500, message="500 caractères au maximum.")],
        description="Obligatoire pour un appel à projets (la page de l'appel chez son "
                    "organisateur), facultatif sinon.")
    submit = SubmitField("Enregistrer")

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.kind.data == NewsKind.CALL_FOR_PROJECTS:
            if self.deadline.data is None and not self.deadline.errors:
                self.deadline.errors = ["Indiquez la date limite de l'appel à projets."]
                valid = False
            if not self.link_url.data and not self.link_url.errors:
                self.link_url.errors = ["Indiquez le lien de l'appel à projets."]
                valid = False
        elif self.kind.data and not self.kind.errors and self.deadline.data is not None:
            self.deadline.errors = [*self.deadline.errors,
                                    "Seul un appel à projets a une date limite : videz ce champ "
                                    "ou choisissez le type « Appel à projets »."]
            valid = False
        return valid

    @classmethod
    def data_of(cls, item: NewsItem) -> dict:
        return {"kind": item.kind, "title": item.title, "summary": item.summary,
                "body": item.body_markdown, "link_url": item.link_url, "deadline": item.deadline}

    def details(self) -> NewsDetails:
        return NewsDetails(kind=self.kind.data, title=self.title.data,
                           summary=self.summary.data, body_markdown=self.body.data or "",
                           link_url=self.link_url.data or None, deadline=self.deadline.data)


class NewsFilterForm(Form):
    class Meta:
        csrf = False

    type = SelectField("Type", validators=[Optional()], choices=[
        SelectChoice("", "Tous les types")] + [
        SelectChoice(kind.value, label) for kind, label in NEWS_KIND_LABELS.items()])
