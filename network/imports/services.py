"""Writing an import: the new members through the lifecycle, the known ones left or completed,
all in the caller's one transaction; and taking an import back within a day."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, exists, func, select

from network.admin.models import AdminNote
from network.admin.services import audit
from network.events.models import Registration
from network.extensions import db
from network.golive.models import GoLiveInvitation
from network.imports.models import MemberImport
from network.imports.plan import ImportPlan, ImportRow
from network.mail.models import OutboxMessage
from network.membership.lifecycle import move
from network.membership.models import (
    AcceptanceMethod,
    CharterAcceptance,
    CharterVersion,
    Department,
    Person,
    QvtField,
    StatusChange,
)
from network.membership.services import record_email_acceptance
from network.renewal.models import RenewalRequest
from network.templating import PARIS, paris_noon, plural

BATCH_SIZE = 500
# Filled on a known person only where they hold nothing.
COMPLETED_TEXT_FIELDS = ("first_name", "last_name", "organisation", "phone", "job_title",
                         "website")


class ImportRefused(Exception):
    """The import cannot be written as asked; the message says why, in French."""



def run_import(plan: ImportPlan, *, by: str, now: datetime, complete_known: bool = False,
               valid_only: bool = False,
               progress: Callable[[int], None] | None = None) -> MemberImport:
    """Write the plan; the caller commits. Refused while a required column is missing, or
    while lines are in error and the admin did not choose to import the valid ones only."""
    if plan.missing_fields:
        raise ImportRefused("Aucune colonne du fichier ne donne : "
                            + ", ".join(plan.missing_fields) + ".")
    if plan.count("error") and not valid_only:
        raise ImportRefused(
            f"{plural(plan.count('error'), 'ligne contient', 'lignes contiennent')} des erreurs : "
            "corrigez le fichier, ou choisissez d'importer seulement les lignes valides.")
    record = MemberImport(file_name=plan.file_name[:255], imported_by=by, imported_at=now)
    db.session.add(record)
    db.session.flush()
    why = f"Importé le {now.astimezone(PARIS):%d/%m/%Y} par {by} (fichier « {plan.file_name} »)"
    writer = _Writer(record, by, why, now)
    new_rows = [row for row in plan.rows if row.kind == "new"]
    for start in range(0, len(new_rows), BATCH_SIZE):
        batch = [(row, writer.new_person(row)) for row in new_rows[start:start + BATCH_SIZE]]
        db.session.flush()
        for row, person in batch:
            writer.record_acceptance(person, row)
        if progress:
            progress(start + len(batch))
    if complete_known:
        writer.complete_others(plan.rows)
    record.created_count = len(new_rows)
    record.skipped_count = len(plan.rows) - record.created_count - record.completed_count
    audit(by, "members.import", now, detail=(
        f"{plan.file_name} : {import_counts(record)}")[:500])
    return record


def import_counts(record: MemberImport) -> str:
    """What an import did, in a line: « 3 membres créés, 1 complété, 0 ligne laissée »."""
    return (f"{plural(record.created_count, 'membre créé', 'membres créés')}, "
            f"{plural(record.completed_count, 'complété')}, "
            f"{plural(record.skipped_count, 'ligne laissée', 'lignes laissées')}")


@dataclass
class _Writer:
    record: MemberImport
    by: str
    why: str
    now: datetime
    by_line: dict[int, Person] = field(default_factory=dict)

    def __post_init__(self):
        self.departments = {d.code: d for d in db.session.scalars(select(Department))}
        self.qvt_fields = {f.code: f for f in db.session.scalars(select(QvtField))}
        self.charters = db.session.scalars(
            select(CharterVersion).order_by(CharterVersion.number)).all()

    def new_person(self, row: ImportRow) -> Person:
        values = row.values
        since = paris_noon(values["member_since"])
        person = Person(
            email=values["email"], first_name=values["first_name"],
            last_name=values["last_name"], organisation=values.get("organisation"),
            profile=values["profile"], phone=values.get("phone"),
            job_title=values.get("job_title"), website=values.get("website"),
            directory_opt_in=values.get("directory_opt_in", False),
            listed_on_reflex_qvt=values.get("listed_on_reflex_qvt", False),
            created_at=self.now, applied_at=since, member_import_id=self.record.id,
            departments=[self.departments[code] for code in values["departments"]],
            qvt_fields=[self.qvt_fields[code] for code in values["qvt_fields"]])
        db.session.add(person)
        # They joined on the file's day, not on the import's (which the reason tells): tenure,
        # anniversaries and the dashboard's joins by month follow it.
        move(person, "import", by=self.by, why=self.why, now=since, flush_new=False)
        self.by_line[row.line] = person
        return person

    def record_acceptance(self, person: Person, row: ImportRow) -> None:
        accepted_on = row.values.get("rules_accepted_on")
        if accepted_on is not None:
            record_email_acceptance(
                person, paris_noon(accepted_on), self.by,
                f"Date donnée par le fichier importé « {self.record.file_name} »", self.charters)

    def complete_others(self, rows: list[ImportRow]) -> None:
        """Known people, and lines repeating an address of the file: fill their empty fields."""
        for row in rows:
            if row.kind == "known":
                person = db.session.get(Person, row.known_person_id)
            elif row.kind == "duplicate":
                person = self.by_line.get(row.same_as_line)
            else:
                continue
            if person is not None and self.complete(person, row):
                self.record.completed_count += 1
                if row.kind == "known":
                    audit(self.by, "member.import_complete", self.now, person.id,
                          f"Champs vides complétés par le fichier « {self.record.file_name} »")

    def complete(self, person: Person, row: ImportRow) -> bool:
        filled = False
        for name in COMPLETED_TEXT_FIELDS:
            if not getattr(person, name) and row.values.get(name):
                setattr(person, name, row.values[name])
                filled = True
        if not person.departments and row.values["departments"]:
            person.departments = [self.departments[c] for c in row.values["departments"]]
            filled = True
        if not person.qvt_fields and row.values["qvt_fields"]:
            person.qvt_fields = [self.qvt_fields[c] for c in row.values["qvt_fields"]]
            filled = True
        if row.values.get("rules_accepted_on") and person.id is not None and not db.session.scalar(
                select(exists().where(CharterAcceptance.person_id == person.id))):
            self.record_acceptance(person, row)
            filled = True
        return filled


# --- Taking an import back ----------------------------------------------------------------------

def can_cancel(record: MemberImport, now: datetime) -> bool:
    hours = current_app.config["IMPORT_CANCEL_HOURS"]
    return record.cancelled_at is None and now - record.imported_at <= timedelta(hours=hours)


@dataclass
class Cancellation:
    removed: int
    kept: list[Person]


def active_since_import():
    """What an imported person may have done since (or an admin about them): any such thing
    keeps them."""
    person = Person.id
    return (
        (select(func.count()).where(StatusChange.person_id == person).scalar_subquery() > 1)
        | exists().where(CharterAcceptance.person_id == person,
                         CharterAcceptance.method == AcceptanceMethod.WEB)
        | exists().where(Registration.person_id == person)
        | exists().where(AdminNote.person_id == person)
        | exists().where(RenewalRequest.person_id == person,
                         RenewalRequest.answered_at.is_not(None))
        | exists().where(GoLiveInvitation.person_id == person,
                         GoLiveInvitation.answered_at.is_not(None))
        | Person.sign_in_nonce.is_not(None) | Person.pending_email.is_not(None))


def cancel_import(record: MemberImport, by: str, now: datetime) -> Cancellation:
    """Remove the people the import created who have done nothing since (with the e-mails
    queued to them); list the others, who stay. The caller commits."""
    if not can_cancel(record, now):
        raise ImportRefused("Cet import ne peut plus être annulé : le délai de "
                            f"{current_app.config['IMPORT_CANCEL_HOURS']} heures est passé, "
                            "ou il a déjà été annulé.")
    imported = Person.member_import_id == record.id
    kept = list(db.session.scalars(select(Person).where(imported, active_since_import())
                                   .order_by(Person.last_name, Person.first_name)))
    kept_ids = [person.id for person in kept]
    removed = 0
    while ids := list(db.session.scalars(
            select(Person.id).where(imported, Person.id.not_in(kept_ids)).limit(BATCH_SIZE))):
        db.session.execute(delete(OutboxMessage).where(OutboxMessage.person_id.in_(ids)))
        db.session.execute(delete(Person).where(Person.id.in_(ids))
                           .execution_options(synchronize_session=False))
        removed += len(ids)
    record.cancelled_at, record.cancelled_by = now, by
    audit(by, "members.import_cancel", now,
          detail=f"{record.file_name} : {plural(removed, 'retiré')}, "
                 f"{plural(len(kept), 'conservé')}")
    return Cancellation(removed, kept)
