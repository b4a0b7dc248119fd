"""The whole renewal year over a real SMTP server, with injected times."""

import re
from collections import Counter
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from network.extensions import db, utcnow
from network.mail.models import OutboxMessage
from network.membership.models import ExitReason, Person, Status
from network.renewal.campaign import campaign_dates, run_renewal
from network.renewal.models import RenewalCampaign, RenewalRequest, RequestStatus
from network.renewal.services import renewal_token
from network.scheduler.tick import run_tick
from network.templating import PARIS
from tests.factories import join_form, make_member
from tests.support.smtp import text_of

OPENS = datetime(2026, 11, 22, 9, 0, tzinfo=PARIS)
DEADLINE = datetime(2026, 12, 22, 9, 0, tzinfo=PARIS)


def member(name: str, joined: datetime) -> Person:
    return make_member(joined, email=f"{name}@exemple.fr", first_name=name.capitalize())


def link_for(smtp, address) -> str:
    [form] = [m for m in smtp.to(address) if m["Subject"].startswith("Renouvellement 2026")]
    return re.search(r"http://reseau\.test(/renouvellement/\S+)", text_of(form)).group(1)


def subjects(smtp, address) -> list[str]:
    return [m["Subject"] for m in smtp.to(address)
            if "Bienvenue" not in m["Subject"] and "adhésion" not in m["Subject"]]


def test_campaign_dates_keep_nine_o_clock_paris_across_dst(app):
    assert campaign_dates(2026) == (OPENS, DEADLINE)
    assert OPENS.utcoffset() == timedelta(hours=1)
    app.config["RENEWAL_OPENS"] = "10-10"  # summer time, deadline after the change
    opens, deadline = campaign_dates(2026)
    assert (opens.hour, deadline.hour) == (9, 9)
    assert opens.utcoffset() == timedelta(hours=2) and deadline.utcoffset() == timedelta(hours=1)


def test_the_whole_year(app, client, smtp):
    anne = member("anne", datetime(2024, 3, 1, tzinfo=PARIS))
    basile = member("basile", datetime(2025, 3, 1, tzinfo=PARIS))
    chloe = member("chloe", datetime(2025, 5, 1, tzinfo=PARIS))
    denis = member("denis", datetime(2026, 1, 10, tzinfo=PARIS))
    emma = member("emma", datetime(2026, 10, 1, tzinfo=PARIS))  # 52 days: exempt
    run_tick(OPENS - timedelta(days=1))

    run_tick(OPENS - timedelta(minutes=1))
    assert db.session.scalar(select(func.count()).select_from(RenewalCampaign)) == 0
    run_tick(OPENS)
    form = "Renouvellement 2026 : restez-vous dans le réseau ?"
    for person in (anne, basile, chloe, denis):
        assert subjects(smtp, person.email) == [form]
    assert subjects(smtp, emma.email) == []
    assert db.session.scalar(select(RenewalRequest.status).where(
        RenewalRequest.person_id == emma.id)) == RequestStatus.EXEMPT

    # Someone joining during the campaign is not asked this year.
    fanny = member("fanny", OPENS + timedelta(days=3))
    run_tick(OPENS + timedelta(days=3, hours=1))
    assert subjects(smtp, fanny.email) == []

    # Anne stays, with a new phone number; Basile leaves.
    anne_link = link_for(smtp, anne.email)
    page = client.get(anne_link)
    assert 'value="Cabinet Travail &amp; Santé"' in page.text, "the form is prefilled"
    client.post(anne_link, data=join_form(email=anne.email, first_name="Anne",
                                          phone="05 61 00 00 00", decision="reste"))
    client.post(link_for(smtp, basile.email), data={"decision": "quitte"})
    db.session.expire_all()
    assert (anne.status, anne.phone) == (Status.MEMBER, "05 61 00 00 00")
    assert (basile.status, basile.exit_reason) == (Status.EXITED, ExitReason.DECLINED_RENEWAL)

    # Opened twice before the deadline: the saved answer is shown and can be changed.
    again = client.get(anne_link)
    assert "vous restez dans le réseau" in again.text

    run_tick(DEADLINE - timedelta(days=14))
    run_tick(DEADLINE - timedelta(days=14) + timedelta(hours=1))
    client.post(link_for(smtp, chloe.email), data=join_form(email=chloe.email,
                                                            decision="reste"))
    run_tick(DEADLINE - timedelta(days=3))
    run_tick(DEADLINE - timedelta(seconds=1))
    run_tick(DEADLINE)
    run_tick(DEADLINE + timedelta(days=1))

    db.session.expire_all()
    assert [p.status for p in (anne, basile, chloe, denis, emma, fanny)] == [
        Status.MEMBER, Status.EXITED, Status.MEMBER, Status.EXITED, Status.MEMBER,
        Status.MEMBER]
    assert denis.exit_reason == ExitReason.NO_RENEWAL_ANSWER
    assert denis.exited_at == DEADLINE

    reminder = "Rappel : renouvelez votre participation au réseau avant le 22/12"
    assert subjects(smtp, anne.email) == [
        form, "Votre participation au réseau est renouvelée pour 2026"]
    assert subjects(smtp, basile.email) == [
        form, "Vous quittez le réseau des intervenants QVT en Occitanie"]
    assert subjects(smtp, chloe.email) == [
        form, reminder, "Votre participation au réseau est renouvelée pour 2026"]
    assert subjects(smtp, denis.email) == [
        form, reminder, reminder, "Votre participation au réseau a pris fin"]
    summary = [m for m in smtp.to("gt-qvt@exemple.fr") if "clos" in m["Subject"]]
    assert len(summary) == 1
    assert "Sorties faute de réponse (formulaire reçu) : 1" in text_of(summary[0])
    assert "e-mail non remis (à décider par le GT QVT) : 0" in text_of(summary[0])
    assert "Renouvellements : 2" in text_of(summary[0])

    # Too late: the link says so and offers to apply again, prefilled.
    late = client.get(link_for(smtp, denis.email))
    assert late.status_code == 410
    assert "Vous avez quitté le réseau le 22 décembre 2026" in late.text
    assert 'value="denis@exemple.fr"' in late.text
    assert Counter(OutboxMessage.dedup_key.split(":")[0] for OutboxMessage in db.session.scalars(
        select(OutboxMessage)))["renewal-form"] == 4


def test_downtime_opens_late_with_the_same_deadline_and_skips_missed_reminders(app, smtp):
    member("anne", datetime(2024, 3, 1, tzinfo=PARIS))
    run_tick(OPENS + timedelta(days=3))  # the scheduler was off on the 22nd
    campaign = db.session.scalar(select(RenewalCampaign))
    assert campaign.deadline == DEADLINE
    assert len(smtp.to("anne@exemple.fr")) >= 1
    run_tick(DEADLINE - timedelta(days=2))  # off again through both reminder dates
    reminders = [m for m in smtp.to("anne@exemple.fr") if m["Subject"].startswith("Rappel")]
    assert len(reminders) == 1, "only the latest due reminder, not both"


def test_a_campaign_whose_deadline_passed_during_downtime_closes(app, smtp):
    member("anne", datetime(2024, 3, 1, tzinfo=PARIS))
    run_tick(OPENS)
    run_tick(DEADLINE + timedelta(days=5))
    db.session.expire_all()
    assert db.session.scalar(select(Person.status)) == Status.EXITED
    assert db.session.scalar(select(RenewalCampaign.closed_at)) is not None


def test_a_campaign_never_opened_before_its_deadline_is_not_opened_late(app):
    member("anne", datetime(2024, 3, 1, tzinfo=PARIS))
    run_tick(DEADLINE + timedelta(days=1))
    assert db.session.scalar(select(func.count()).select_from(RenewalCampaign)) == 0
    assert db.session.scalar(select(Person.status)) == Status.MEMBER


def test_a_crash_after_some_forms_then_a_new_tick_asks_everyone_once(app, smtp):
    for n in range(7):
        member(f"m{n}", datetime(2024, 3, 1, tzinfo=PARIS))
    app.config["RENEWAL_BATCH_SIZE"] = 3
    calls = []

    def crash(step, done):
        calls.append(done)
        raise RuntimeError("the process dies after its first batch")

    with pytest.raises(RuntimeError):
        run_renewal(OPENS, progress=crash)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(RenewalRequest)) == 3
    run_tick(OPENS + timedelta(minutes=1))
    run_tick(OPENS + timedelta(minutes=2))
    forms = [m["To"] for m in smtp.messages if m["Subject"].startswith("Renouvellement 2026")]
    assert sorted(forms) == sorted(f"m{n}@exemple.fr" for n in range(7))


def test_admin_marks_renewed_or_sends_a_reminder(app, admin_client, smtp):
    # The admin acts at the real time: open a campaign that is running now.
    opened = utcnow().astimezone(PARIS) - timedelta(days=2)
    app.config.update(RENEWAL_OPENS=f"{opened:%m-%d}", RENEWAL_OPENS_AT="00:00")
    anne = member("anne", datetime(2024, 3, 1, tzinfo=PARIS))
    basile = member("basile", datetime(2024, 3, 1, tzinfo=PARIS))
    run_renewal(opened)
    year = opened.year
    page = admin_client.get("/admin/renouvellement").text
    assert f"Renouvellement {year}" in page and "Sans réponse" in page
    requests = {r.person_id: r.id for r in db.session.scalars(select(RenewalRequest))}
    admin_client.post(f"/admin/renouvellement/demandes/{requests[anne.id]}/renouveler")
    admin_client.post(f"/admin/renouvellement/demandes/{requests[basile.id]}/rappel")
    run_tick(utcnow())
    assert db.session.get(RenewalRequest, requests[anne.id]).status == RequestStatus.RENEWED
    assert "Marqué comme renouvelé" in admin_client.get(f"/admin/membres/{anne.id}").text
    assert [m for m in smtp.to(basile.email) if m["Subject"].startswith("Rappel")]
    export = admin_client.get(f"/admin/renouvellement/{year}/export.csv").data.decode(
        "utf-8-sig")
    assert "Renouvelé" in export and "Sans réponse" in export


def test_a_newer_charter_must_be_accepted_to_stay(app, client, smtp):
    from network.membership.services import publish_charter

    anne = member("anne", datetime(2024, 3, 1, tzinfo=PARIS))
    publish_charter("Charte 2026", "## Nouveaux engagements", OPENS - timedelta(days=30))
    db.session.commit()
    run_renewal(OPENS)
    campaign = db.session.scalar(select(RenewalCampaign))
    url = f"/renouvellement/{renewal_token(campaign, anne)}"
    refused = client.post(url, data=join_form(email=anne.email, decision="reste"))
    assert refused.status_code == 400
    assert "acceptez la nouvelle version de la charte" in refused.text
    client.post(url, data=join_form(email=anne.email, decision="reste", accept_charter="y"))
    assert db.session.scalar(select(RenewalRequest.status)) == RequestStatus.RENEWED
    assert "Nouvelle version de la charte" not in client.get(url).text, "accepted once"
