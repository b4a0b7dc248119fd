"""One e-mail of every template, queued by the flows that send it (the services, with their own
context), with the long names, addresses and links real people have: what the layout tests read.
"""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyotp
from flask import current_app
from sqlalchemy import select

from network.admin import two_factor
from network.admin.roles import ANIMATION
from network.admin.services import create_admin
from network.admin.team import invite as invite_admin
from network.evaluations.needs import queue_requested_surveys, request_needs_survey
from network.evaluations.questionnaires import questionnaire_by_key
from network.evaluations.services import send_evaluations
from network.events.models import Audience, EventKind, EventMode
from network.events.services import (
    InvitationSegment,
    add_material,
    cancel_event,
    cancel_registration,
    confirm_guest_registration,
    notify_event_changed,
    queue_requested_invitations,
    register_member,
    request_guest_registration,
    request_invitation,
    send_event_reminders,
)
from network.extensions import db
from network.golive.services import invite_imported_members, remind_unanswered
from network.imports.models import MemberImport
from network.mail.models import OutboxMessage
from network.mailings.models import Mailing
from network.mailings.services import queue_requested_mailings, request_sending
from network.members_space.services import request_sign_in_link, update_own_details
from network.membership import admission, services
from network.membership.models import Person, Status
from network.renewal.campaign import run_renewal
from network.renewal.models import RenewalRequest
from network.renewal.services import decline, renew
from network.scheduler.tick import deliver_all
from network.templating import PARIS
from tests.events.helpers import NOW as EVENTS_NOW
from tests.events.helpers import STARTS, make_event
from tests.factories import details, make_applicant, make_member

TEMPLATES = sorted(path.stem for path in
                   (Path(__file__).parents[2] / "templates" / "email").glob("[!_]*.html"))
GT_QVT = "gt-qvt@exemple.fr"
# A renewal year of its own, before the rest: its members joined long before.
JOINED = datetime(2024, 3, 1, tzinfo=PARIS)
OPENS = datetime(2025, 11, 22, 9, 0, tzinfo=PARIS)
DEADLINE = OPENS + timedelta(days=30)
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
# The longest of what people type: a compound name, a structure's full name, a long address.
LONG = dict(first_name="Marie-Christine", last_name="Fontaine-Dumas de Saint-Exupéry",
            email="marie-christine.fontaine-dumas@cabinet-ergonomie-sante-travail-occitanie.fr",
            organisation="Cabinet d'ergonomie, de prévention et de santé au travail "
                         "Occitanie-Pyrénées-Méditerranée",
            job_title="Consultante en prévention des risques psychosociaux et en organisation",
            department_codes=["09", "11", "12", "30", "31", "32", "34", "46", "48", "65", "66"],
            qvt_field_codes=["sante", "contenu", "management", "relations"])
MAILING = """\
## Rendez-vous annuel du réseau : les inscriptions sont ouvertes

Bonjour à toutes et à tous,

Le **Rendez-vous annuel** du réseau aura lieu pendant la _Semaine pour la qualité de vie et
des conditions de travail_, à Toulouse.

- Programme détaillé : https://www.aract-occitanie.fr/rendez-vous-annuel-du-reseau-des-intervenants-qvt-2026/programme-detaille-des-ateliers
- [La synthèse de l'atelier « Télétravail et QVT »](https://www.aract-occitanie.fr/ressources/syntheses/atelier-teletravail-et-qualite-de-vie-et-des-conditions-de-travail-2026.pdf)
- Une question : reseau-intervenants-qvt-occitanie@aract-occitanie-prst.fr
"""


def every_email() -> dict[str, OutboxMessage]:
    """Run the flows, then the first e-mail each template made."""
    renewal_year()
    membership_flows()
    event_flows()
    evaluation_flows()
    golive_and_mailing()
    back_office_invitation()
    second_factor_notices()
    messages = {}
    for message in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)):
        messages.setdefault(message.template, message)
    return messages


def renewal_year() -> None:
    stays, leaves, silent, lost = (
        make_member(JOINED, **LONG | {"email": f"{name}.{LONG['email']}",
                                      "phone": "06 12 34 56 78"})
        for name in ("reste", "part", "silence", "perdu"))
    run_renewal(OPENS)
    deliver_all(OPENS)
    # The relay took the last one's form, then its mailbox said it was gone.
    lost.email_bounced_at = OPENS + timedelta(hours=1)
    lost.email_bounce_reason = ("550 5.1.1 <perdu.marie-christine.fontaine-dumas@cabinet-ergonomie-"
                                "sante-travail-occitanie.fr>: Recipient address rejected: User "
                                "unknown in virtual mailbox table")
    request_of = {request.person_id: request
                  for request in db.session.scalars(select(RenewalRequest))}
    renew(request_of[stays.id], services.BY_THE_PERSON, OPENS + timedelta(days=1))
    decline(request_of[leaves.id], OPENS + timedelta(days=1))
    db.session.commit()
    for days_before in (14, 7, 0):
        run_renewal(DEADLINE - timedelta(days=days_before))
    assert silent.status == Status.EXITED


def membership_flows() -> None:
    anne = make_applicant(NOW, **LONG)
    assert services.accept_charter(anne, services.current_charter(), NOW + timedelta(minutes=5))
    services.join(details(**LONG), NOW + timedelta(hours=1))
    request_sign_in_link(anne.email, NOW + timedelta(hours=2))
    update_own_details(anne, details(**LONG | {"email": f"nouvelle.{LONG['email']}"}),
                       NOW + timedelta(hours=3))
    gone = make_member(NOW, **LONG | {"email": f"sortie.{LONG['email']}"})
    services.leave_network(gone, NOW + timedelta(hours=4))
    db.session.commit()

    current_app.config["ADMISSION_REVIEW"] = True
    waiting = make_applicant(NOW, **LONG | {"email": f"candidate.{LONG['email']}"})
    services.accept_charter(waiting, services.current_charter(), NOW + timedelta(minutes=5))
    db.session.commit()
    admission.remind_admins_of_waiting(NOW + timedelta(days=8))
    admission.refuse(waiting, "Votre activité, telle que vous la décrivez, relève de la formation "
                     "commerciale et non de l'accompagnement des démarches de QVT en entreprise.",
                     GT_QVT, NOW + timedelta(days=9))
    services.join(details(**LONG | {"email": waiting.email}), NOW + timedelta(days=10))
    current_app.config["ADMISSION_REVIEW"] = False
    db.session.commit()


def event_flows() -> None:
    member = db.session.scalar(select(Person).where(Person.email == LONG["email"]))
    event = make_event(
        capacity=1, audience=Audience.PUBLIC, mode=EventMode.HYBRID,
        title="Rendez-vous annuel du réseau des intervenants QVT en Occitanie : "
              "« Organisation du travail et prévention des risques psychosociaux »",
        address="Maison de la Recherche et de la Valorisation, salle du Conseil, "
                "118 route de Narbonne, 31062 Toulouse Cedex 9",
        online_url="https://visio.aract-occitanie.fr/b/rendez-vous-annuel-reseau-qvt-2026"
                   "?pwd=Zk3Lm9QxT2vB7nR4",
        summary="Une journée pour partager nos pratiques d'accompagnement des démarches QVT "
                "et rencontrer les membres du réseau.")
    place = register_member(event, member, EVENTS_NOW)
    guest = request_guest_registration(event, "Jean-Baptiste Delacroix-Montesquieu",
                                       f"jean-baptiste.{LONG['email']}",
                                       LONG["organisation"], EVENTS_NOW)
    confirm_guest_registration(guest, EVENTS_NOW)
    request_guest_registration(event, "Jean-Baptiste Delacroix-Montesquieu", guest.email,
                               LONG["organisation"], EVENTS_NOW + timedelta(minutes=5))
    cancel_registration(place, EVENTS_NOW + timedelta(hours=1))
    notify_event_changed(event, "l'atelier de l'après-midi a lieu en salle 204, au deuxième "
                         "étage du bâtiment principal.", EVENTS_NOW + timedelta(hours=2))
    db.session.commit()
    send_event_reminders(STARTS - timedelta(hours=12))
    add_material(event, "Replay de la table ronde « Prévenir les risques psychosociaux par "
                 "l'organisation du travail »",
                 "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?list=PLrAXtmErZgOeiKm4sgNOknGv"
                 "Njby9efdf&index=3", STARTS + timedelta(hours=3), announce=True)
    request_invitation(event, InvitationSegment([], []), GT_QVT, EVENTS_NOW)
    queue_requested_invitations(EVENTS_NOW)
    cancel_event(event, STARTS + timedelta(days=1))
    db.session.commit()


def evaluation_flows() -> None:
    """The evaluation after a module, to a member and a guest present; the needs survey."""
    member = db.session.scalar(select(Person).where(Person.email == LONG["email"]))
    module = make_event(
        capacity=None, audience=Audience.PUBLIC, kind=EventKind.REINFORCEMENT_MODULE,
        title="Module de renforcement : « Conduire une démarche QVT participative dans une "
              "structure médico-sociale de moins de cinquante salariés »")
    place = register_member(module, member, EVENTS_NOW)
    guest = request_guest_registration(module, "Jean-Baptiste Delacroix-Montesquieu",
                                       f"jean-baptiste.{LONG['email']}", LONG["organisation"],
                                       EVENTS_NOW)
    confirm_guest_registration(guest, EVENTS_NOW)
    place.attended = guest.attended = True
    db.session.commit()
    send_evaluations(module.ends_at + timedelta(hours=2))
    needs = questionnaire_by_key("besoins", NOW)
    request_needs_survey(needs, module, GT_QVT, EVENTS_NOW)
    db.session.commit()
    queue_requested_surveys(EVENTS_NOW)


def golive_and_mailing() -> None:
    batch = MemberImport(file_name="membres-reseau-qvt-2019-2026.xlsx", imported_by=GT_QVT,
                         imported_at=NOW)
    db.session.add(batch)
    imported = make_member(JOINED, **LONG | {"email": f"importee.{LONG['email']}"})
    imported.member_import_id = batch.id
    db.session.commit()
    invite_imported_members(NOW)
    remind_unanswered(NOW + timedelta(days=3))
    mailing = Mailing(subject="Rendez-vous annuel du réseau : les inscriptions sont ouvertes",
                      body_markdown=MAILING, profiles="", department_codes="", qvt_field_codes="",
                      created_by=GT_QVT, created_at=NOW)
    db.session.add(mailing)
    request_sending(mailing, NOW)
    db.session.commit()
    queue_requested_mailings(NOW)


def back_office_invitation() -> None:
    """A partner invited to the back-office by an administrator with a long address."""
    invite_admin(f"referente.{LONG['email']}", ANIMATION,
                 "responsable-animation.reseau-qvt@aract-occitanie-prst.fr", NOW)
    db.session.commit()


def second_factor_notices() -> None:
    """A recovery code used at sign-in, then the second factor reset by an administrator."""
    account = create_admin(f"animation.{LONG['email']}", "un-mot-de-passe-solide", ANIMATION)
    db.session.flush()
    secret = pyotp.random_base32()
    codes = two_factor.enable(account, secret, pyotp.TOTP(secret).at(NOW), NOW)
    two_factor.use_recovery_code(account, codes[0], NOW + timedelta(hours=1))
    two_factor.reset(account, "responsable-animation.reseau-qvt@aract-occitanie-prst.fr",
                     NOW + timedelta(hours=2))
    db.session.commit()
