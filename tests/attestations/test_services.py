"""Who may have which attestation, its code delivered once, and what its public check says."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from network.attestations import services
from network.attestations.models import Attestation, AttestationKind
from network.attestations.services import AttestationRefused
from network.events.services import cancel_event
from network.extensions import db
from network.members_space.services import anonymise_departed
from network.membership.services import leave_network
from network.templating import PARIS
from tests.attestations.helpers import attended, member
from tests.conftest import FROZEN_NOW

NOW = FROZEN_NOW


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(Attestation))


# --- Codes ---------------------------------------------------------------------------------

def test_codes_are_twelve_readable_characters_and_never_the_same():
    codes = {services.new_code() for _ in range(2000)}
    assert len(codes) == 2000
    for code in codes:
        assert len(code) == 12 and set(code) <= set(services.ALPHABET)
        assert not set(code) & set("ILOU")


@pytest.mark.parametrize("typed, code", [
    ("ABCD-EFGH-JKMN", "ABCDEFGHJKMN"),
    ("abcd efgh jkmn", "ABCDEFGHJKMN"),
    ("  abcdefghjkmn ", "ABCDEFGHJKMN"),
    # What is read for what is printed: O for 0, I and L for 1.
    ("OOOO-IIII-LLLL", "000011111111"),
    ("ABCD-EFGH-JKM", None),
    ("ABCD-EFGH-JKMNP", None),
    ("ABCD-EFGH-JKMU", None),
    ("ABCD-EFGH-JKM\x00", None),
    ("é" * 12, None),
    ("", None),
    (None, None),
    ("A" * 5000, None),
])
def test_a_typed_code_is_read_as_people_type_it(typed, code):
    assert services.normalise_code(typed) == code


def test_a_code_is_printed_in_groups_of_four():
    assert services.grouped("ABCDEFGHJKMN") == "ABCD-EFGH-JKMN"


# --- Presence ------------------------------------------------------------------------------

def test_a_member_marked_present_gets_the_same_attestation_each_time(app):
    helene = member()
    registration = attended(helene)
    first = services.presence_attestation(helene, registration.id, NOW)
    db.session.commit()
    again = services.presence_attestation(helene, registration.id, NOW + timedelta(days=30))
    db.session.commit()
    assert again.id == first.id and again.code == first.code
    assert (first.kind, first.person_id, first.registration_id, first.year) == (
        AttestationKind.PRESENCE, helene.id, registration.id, None)
    assert first.issued_at == NOW
    assert count() == 1


@pytest.mark.parametrize("present, message", [
    (False, "Votre présence à cet événement n'a pas été relevée"),
    (None, "Votre présence à cet événement n'a pas été relevée"),
])
def test_no_attestation_for_an_absence_or_an_attendance_not_marked(app, present, message):
    helene = member()
    registration = attended(helene, present=present)
    with pytest.raises(AttestationRefused) as refused:
        services.presence_attestation(helene, registration.id, NOW)
    assert refused.value.status == 403 and message in refused.value.message
    assert count() == 0


def test_no_attestation_before_the_event_is_over(app):
    helene = member()
    # Under way: marked present in the morning of a day-long event, which ends tonight.
    registration = attended(helene, starts=NOW - timedelta(hours=2), hours=8)
    with pytest.raises(AttestationRefused, match="pas encore eu lieu"):
        services.presence_attestation(helene, registration.id, NOW)
    assert services.presence_attestation(helene, registration.id, NOW + timedelta(hours=6))


def test_no_attestation_for_a_cancelled_event(app):
    helene = member()
    registration = attended(helene)
    cancel_event(registration.event, NOW)
    with pytest.raises(AttestationRefused, match="annulé"):
        services.presence_attestation(helene, registration.id, NOW)


def test_nobody_gets_another_person_s_attestation(app):
    helene = member()
    paul = member(email="paul.durand@exemple.fr", first_name="Paul", last_name="Durand")
    registration = attended(helene)
    for person, registration_id in ((paul, registration.id), (helene, registration.id + 1000)):
        with pytest.raises(AttestationRefused) as refused:
            services.presence_attestation(person, registration_id, NOW)
        assert refused.value.status == 404
    assert count() == 0


def test_a_person_who_left_gets_no_new_attestation(app):
    helene = member()
    registration = attended(helene)
    leave_network(helene, NOW)
    for deliver in (lambda: services.presence_attestation(helene, registration.id, NOW),
                    lambda: services.membership_attestation(helene, NOW)):
        with pytest.raises(AttestationRefused, match="membres du réseau"):
            deliver()


def test_the_member_s_list_offers_only_what_can_be_delivered(app):
    helene = member()
    present = attended(helene)
    absent = attended(helene, present=False, title="Webinaire")
    unmarked = attended(helene, present=None, title="Groupe de travail")
    assert services.attended_registration_ids(helene, [present, absent, unmarked], NOW) == {
        present.id}


# --- Membership ----------------------------------------------------------------------------

def test_a_member_gets_one_attestation_of_membership_a_year(app):
    helene = member()
    first = services.membership_attestation(helene, NOW)
    db.session.commit()
    assert (first.kind, first.year, first.published) == (AttestationKind.MEMBERSHIP, 2026, False)
    assert services.membership_attestation(helene, NOW + timedelta(days=20)).code == first.code
    # The year is Paris's: the first of January at 0 h 30 in Paris is already 2027.
    new_year = datetime(2027, 1, 1, 0, 30, tzinfo=PARIS)
    next_one = services.membership_attestation(helene, new_year)
    db.session.commit()
    assert next_one.year == 2027 and next_one.code != first.code
    assert count() == 2


def test_the_page_s_reading_creates_nothing(app):
    helene = member()
    assert services.current_membership_attestation(helene, NOW) is None
    assert services.publish_badge(helene, False, NOW) is None
    assert count() == 0


def test_a_double_click_delivers_one_attestation(app):
    """Two requests at once: the second's insert collides, and it returns the first's row."""
    helene = member()
    services.membership_attestation(helene, NOW)
    db.session.commit()
    existing = db.session.scalar(select(Attestation))
    real_scalar = db.session.scalar
    calls = []

    def first_lookup_misses(statement, *args, **kwargs):
        calls.append(statement)
        return None if len(calls) == 1 else real_scalar(statement, *args, **kwargs)

    db.session.scalar = first_lookup_misses
    try:
        raced = services.membership_attestation(helene, NOW)
    finally:
        del db.session.scalar
    assert raced.code == existing.code and count() == 1


# --- The public check ----------------------------------------------------------------------

def test_a_presence_verifies_while_it_is_recorded(app):
    helene = member()
    registration = attended(helene)
    code = services.presence_attestation(helene, registration.id, NOW).code
    db.session.commit()
    checked = services.verify(services.grouped(code).lower())
    assert (checked.state, checked.attestation.person.full_name) == ("valid", "Hélène Lefèvre-Bœuf")
    # An admin corrects the attendance: the attestation no longer verifies.
    registration.attended = False
    db.session.commit()
    checked = services.verify(code)
    assert (checked.state, checked.attestation) == ("withdrawn", None)


def test_a_presence_stays_true_after_leaving_and_goes_with_the_anonymisation(app):
    helene = member()
    code = services.presence_attestation(helene, attended(helene).id, NOW).code
    leave_network(helene, NOW)
    db.session.commit()
    assert services.verify(code).state == "valid"
    assert anonymise_departed(NOW + timedelta(days=30 * app.config["RETENTION_MONTHS"] + 1))
    assert services.verify(code) is None and count() == 0


def test_a_badge_shows_a_name_only_while_published_by_a_member(app):
    helene = member()
    attestation = services.membership_attestation(helene, NOW)
    db.session.commit()
    assert services.verify(attestation.code).state == "unpublished"
    services.publish_badge(helene, True, NOW)
    db.session.commit()
    checked = services.verify(attestation.code)
    assert (checked.state, checked.attestation.year) == ("valid", 2026)
    services.publish_badge(helene, False, NOW)
    db.session.commit()
    assert (services.verify(attestation.code).state, services.verify(attestation.code)
            .attestation) == ("unpublished", None)
    services.publish_badge(helene, True, NOW)
    leave_network(helene, NOW)
    db.session.commit()
    assert services.verify(attestation.code).state == "unpublished"


@pytest.mark.parametrize("code", ["", "x", "ABCD-EFGH-JKMN", "0000-0000-0000", "a\x00b" * 4])
def test_a_code_nobody_was_given_verifies_nothing(app, code):
    member()
    assert services.verify(code) is None
