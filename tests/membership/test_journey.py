"""The join → charter → member journey, over a real SMTP server."""

import re

from sqlalchemy import func, select

from network.extensions import db
from network.membership.models import CharterAcceptance, Person, Status, StatusChange
from network.scheduler.tick import run_tick
from tests.factories import NOW, join_form
from tests.support.smtp import html_of, text_of


def link_in(message, path: str) -> str:
    return re.search(rf"http://reseau\.test(/{path}/[^\s\"<]+)", text_of(message)).group(1)


def test_sign_up_accept_charter_and_become_member(client, smtp):
    response = client.post("/rejoindre", data=join_form())
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/rejoindre/verifiez-vos-e-mails")
    run_tick(NOW)

    [welcome] = smtp.to("anne.martin@exemple.fr")
    assert "Votre demande d'adhésion" in welcome["Subject"]
    body = text_of(welcome)
    assert "Partager les mêmes repères sur la QVT" in body
    assert "Intervenir sur un ou plusieurs champs de la QVT" in body
    assert "Intégrer un espace dédié" in body
    assert "LA CHARTE DU RÉSEAU (version 1)" in body
    assert "/quitter/" in body, "every e-mail carries a way out"
    assert "J'accepte la charte" in html_of(welcome)

    charter_page = client.get(link_in(welcome, "charte"))
    assert charter_page.status_code == 200
    assert "Bonjour Anne" in charter_page.text
    accepted = client.post(link_in(welcome, "charte"), data={"accept": "y"})
    assert accepted.headers["Location"].endswith("/bienvenue")
    run_tick(NOW)

    person = db.session.scalar(select(Person))
    assert person.status == Status.MEMBER
    acceptance = db.session.scalar(select(CharterAcceptance))
    assert acceptance.person_id == person.id and acceptance.charter_version.number == 1
    history = [(c.from_status, c.to_status) for c in
               db.session.scalars(select(StatusChange).order_by(StatusChange.id))]
    assert history == [(None, "applicant"), ("applicant", "member")]

    [confirmation] = [m for m in smtp.to("anne.martin@exemple.fr") if m is not welcome
                      and "Bienvenue" in m["Subject"]]
    assert "inscrit·e sur sa liste de diffusion" in text_of(confirmation)
    [notification] = smtp.to("gt-qvt@exemple.fr")
    assert notification["Subject"] == "Nouveau membre : Anne Martin"
    assert "Cabinet Travail & Santé" in text_of(notification)
    assert "31, 34" in text_of(notification)


def test_accepting_twice_is_harmless(client, smtp):
    client.post("/rejoindre", data=join_form())
    run_tick(NOW)
    link = link_in(smtp.to("anne.martin@exemple.fr")[0], "charte")
    client.post(link, data={"accept": "y"})
    again = client.post(link, data={"accept": "y"})
    assert again.status_code == 410
    assert "Votre adhésion est déjà confirmée" in again.text
    assert client.get(link).status_code == 410
    assert db.session.scalar(select(func.count()).select_from(CharterAcceptance)) == 1
    run_tick(NOW)
    assert len(smtp.to("gt-qvt@exemple.fr")) == 1


def test_the_charter_must_be_ticked(client, smtp):
    client.post("/rejoindre", data=join_form())
    run_tick(NOW)
    link = link_in(smtp.to("anne.martin@exemple.fr")[0], "charte")
    response = client.post(link, data={})
    assert response.status_code == 400
    assert "Cochez la case pour accepter la charte." in response.text
    assert db.session.scalar(select(Person.status)) == Status.APPLICANT
