"""Small builders of test data, through the same services the application uses."""

from datetime import UTC, datetime

from network.extensions import db, utcnow
from network.membership import services
from network.membership.models import Person
from network.sessions import session_values

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def details(**overrides) -> services.ContactDetails:
    values = dict(first_name="Anne", last_name="Martin", email="anne.martin@exemple.fr",
                  organisation="Cabinet Travail & Santé", profile="consultant",
                  department_codes=["31", "34"], qvt_field_codes=["sante", "contenu"])
    values.update(overrides)
    return services.ContactDetails(**values)


def join_form(**overrides) -> dict:
    form = {"first_name": "Anne", "last_name": "Martin", "email": "anne.martin@exemple.fr",
            "organisation": "Cabinet Travail & Santé", "profile": "consultant",
            "departments": ["31", "34"], "qvt_fields": ["sante", "contenu"],
            "privacy_consent": "y"}
    form.update(overrides)
    return {key: value for key, value in form.items() if value is not None}


def make_applicant(now=NOW, **overrides) -> Person:
    services.join(details(**overrides), now)
    db.session.commit()
    return db.session.scalar(db.select(Person).where(
        Person.email == services.normalise_email(overrides.get("email",
                                                               "anne.martin@exemple.fr"))))


def make_member(now=NOW, **overrides) -> Person:
    person = make_applicant(now, **overrides)
    assert services.accept_charter(person, services.current_charter(), now)
    db.session.commit()
    return person


def member_session(session, person: Person) -> None:
    """Make a test client's session that of `person`, signed in now (`session_transaction`)."""
    session.update(session_values("member", person, utcnow()))
