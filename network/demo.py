"""`flask demo`: fill an empty database with realistic fake members, for demos and load tests.

Everything is invented, and every e-mail address is under exemple.fr or exemple.org: no real
person can ever get a message from a demonstration."""

import random
import unicodedata
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import click
from flask.cli import with_appcontext
from sqlalchemy import func, insert, select

from network.evaluations.demo import generate_demo_evaluations
from network.events.demo import generate_demo_events, generate_extra_events
from network.extensions import db, utcnow
from network.membership.models import (
    CharterAcceptance,
    CharterVersion,
    ExitReason,
    Person,
    QvtField,
    Status,
    StatusChange,
    person_department,
    person_qvt_field,
)
from network.membership.services import BY_THE_PERSON, BY_THE_SYSTEM
from network.news.demo import generate_demo_news
from network.resources.demo import generate_demo_resources
from network.resources.demo_library import generate_seed_library

# The network was launched on 22 November 2019: nobody applied before.
LAUNCH = datetime(2019, 11, 22, 9, 0, tzinfo=UTC)
# One transaction per batch: the database is never locked for long, and progress is real.
BATCH_SIZE = 500

FEMALE_NAMES = [
    "Anne", "Camille", "Claire", "Sophie", "Julie", "Marie", "Nathalie", "Isabelle", "Céline",
    "Émilie", "Laure", "Hélène", "Aurélie", "Sandrine", "Valérie", "Christine", "Élodie",
    "Mathilde", "Pauline", "Léa", "Manon", "Chloé", "Inès", "Agnès", "Florence", "Patricia",
    "Corinne", "Marion", "Margaux", "Noémie"]
MALE_NAMES = [
    "Thomas", "Nicolas", "Julien", "Pierre", "Jean", "Philippe", "Laurent", "Sébastien", "Olivier",
    "Christophe", "Stéphane", "David", "Éric", "Frédéric", "Antoine", "Guillaume", "Mathieu",
    "Vincent", "Benoît", "François", "Jérôme", "Cédric", "Alexandre", "Hugo", "Louis", "Lucas",
    "Bruno", "Didier", "Pascal", "Xavier"]
LAST_NAMES = [
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
    "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux",
    "Vincent", "Fournier", "Morel", "Girard", "André", "Mercier", "Dupont", "Lambert", "Bonnet",
    "François", "Martinez", "Legrand", "Garnier", "Faure", "Rousseau", "Blanc", "Guérin", "Muller",
    "Henry", "Roussel", "Nicolas", "Perrin", "Morin", "Mathieu", "Clément", "Gauthier", "Dumas",
    "Fabre", "Lopez", "Sanchez", "Fontaine", "Chevalier", "Robin", "Masson", "Gérard", "Boyer",
    "Marty", "Cazals", "Fabié", "Azéma", "Bousquet", "Carrère", "Vidal", "Puech", "Rouquette",
    "Delmas", "Cabrol", "Escudié", "Soulié", "Bonnafous", "Maury", "Pujol", "Salvat", "Castan",
    "Serres", "Gasc", "Verdier", "Rigal", "Couderc", "Teisseire", "Lacombe", "Baylac"]

# Town -> (department, weight): Toulouse and Montpellier weigh most, as in the network.
TOWNS = {"Toulouse": ("31", 30), "Montpellier": ("34", 22), "Nîmes": ("30", 8),
         "Perpignan": ("66", 7), "Albi": ("81", 5), "Rodez": ("12", 4), "Tarbes": ("65", 4),
         "Carcassonne": ("11", 5), "Auch": ("32", 3), "Cahors": ("46", 3), "Mende": ("48", 2),
         "Montauban": ("82", 4), "Foix": ("09", 2)}
# Former Languedoc-Roussillon dials 04; former Midi-Pyrénées dials 05.
AREA_04 = {"11", "30", "34", "48", "66"}
# Extra departments a practitioner also works in: mostly the two metropolises.
DEPARTMENT_CODES = [code for code, _ in TOWNS.values()]
EXTRA_DEPARTMENT_WEIGHTS = [{"31": 8, "34": 6}.get(code, 1) for code in DEPARTMENT_CODES]
QVT_FIELD_WEIGHT = {"contenu": 5, "sante": 5, "management": 3, "relations": 3}
# The profiles of network.reference.PROFILES; consultants are the majority.
PROFILE_WEIGHT = {"consultant": 55, "acteur_interne": 25, "acteur_relais": 20}
EXIT_REASON_WEIGHT = {ExitReason.VOLUNTARY: 40, ExitReason.NO_RENEWAL_ANSWER: 38,
                      ExitReason.DECLINED_RENEWAL: 16, ExitReason.REMOVED_BY_ADMIN: 6}
# The history line of each exit: why, and who.
EXITS = {ExitReason.VOLUNTARY: ("Sortie à sa demande", BY_THE_PERSON),
         ExitReason.DECLINED_RENEWAL: ("Renouvellement refusé", BY_THE_PERSON),
         ExitReason.NO_RENEWAL_ANSWER: ("Sans réponse au renouvellement", BY_THE_SYSTEM),
         ExitReason.REMOVED_BY_ADMIN: ("Retiré par le GT QVT", "gt-qvt.demo@exemple.fr")}

CONSULTANCIES = ["Équilibres Travail", "Ergonomia Sud", "Trajectoires RH", "Facteur Humain",
                 "Atelier du Travail Vivant", "Cap Organisation", "Sens & Travail",
                 "Pluriel Conseil", "Alter Ergo", "Kairos QVT", "Terres de Travail",
                 "Organisations Humaines", "Coopérative des Intervenants du Midi"]
COMPANIES = ["Aéro Composites Garonne", "Laiterie des Causses", "Conserverie du Lauragais",
             "Transports Sud Logistique", "Cave coopérative du Minervois", "Imprimerie du Tarn",
             "Menuiseries des Pyrénées", "Mutuelle Occitane", "Clinique des Tilleuls",
             "EHPAD Les Platanes", "Scop Bâtir Ensemble", "Aide à domicile Sud Services"]
ORGANISATIONS = {
    "consultant": ["Cabinet {brand}", "{brand} – {town}", "{last_name} Conseil",
                   "EI {first_name} {last_name}"],
    "acteur_interne": ["{hospital} de {town}", "Ville de {town}",
                       "Communauté d'agglomération de {town}", "{company}", "{company}"],
    "acteur_relais": ["Service de prévention et de santé au travail de {town}",
                      "Chambre de métiers et de l'artisanat – {town}", "CCI {town}",
                      "Fédération du bâtiment – {town}", "Union syndicale départementale – {town}",
                      "Branche de l'aide à domicile – {town}", "OPCO – délégation de {town}"],
}
# (masculine, feminine)
JOB_TITLES = {
    "consultant": [
        ("Consultant en organisation du travail", "Consultante en organisation du travail"),
        ("Ergonome", "Ergonome"), ("Psychologue du travail", "Psychologue du travail"),
        ("Consultant QVCT", "Consultante QVCT"), ("Gérant", "Gérante"),
        ("Intervenant en prévention des risques", "Intervenante en prévention des risques")],
    "acteur_interne": [
        ("Responsable des ressources humaines", "Responsable des ressources humaines"),
        ("Chargé de mission QVT", "Chargée de mission QVT"), ("Cadre de santé", "Cadre de santé"),
        ("Conseiller de prévention", "Conseillère de prévention"),
        ("Responsable QSE", "Responsable QSE"), ("Directeur des soins", "Directrice des soins")],
    "acteur_relais": [
        ("Conseiller en prévention", "Conseillère en prévention"),
        ("Médecin du travail", "Médecin du travail"),
        ("Infirmier en santé au travail", "Infirmière en santé au travail"),
        ("Chargé de développement", "Chargée de développement"),
        ("Animateur QVT de branche", "Animatrice QVT de branche")],
}


def generate_demo_members(count: int, now: datetime, rng: random.Random,
                          progress: Callable[[int, int], None] | None = None) -> Counter:
    """Create `count` fake people with their history since the launch; return them by status."""
    # Version 1 comes with the initial migration: there is always one.
    charters = list(db.session.execute(select(CharterVersion.published_at, CharterVersion.id,
                                              CharterVersion.number)
                                       .order_by(CharterVersion.number)))
    field_codes = list(db.session.scalars(select(QvtField.code).order_by(QvtField.position)))
    # About 15% left the network over the years and 3% are still to accept the charter.
    fates = ([Status.APPLICANT] * round(count * 0.03) + [Status.EXITED] * round(count * 0.15))
    fates += [Status.MEMBER] * (count - len(fates))
    rng.shuffle(fates)
    people = [_fake_person(rng, now, fate, field_codes) for fate in fates]
    # Ids then grow with time, as they would in a real database.
    people.sort(key=lambda person: person[0]["applied_at"])
    _assign_emails(rng, [row for row, _, _ in people])
    for start in range(0, count, BATCH_SIZE):
        _insert_batch(people[start:start + BATCH_SIZE], charters)
        db.session.commit()
        if progress:
            progress(min(start + BATCH_SIZE, count), count)
    return Counter(row["status"] for row, _, _ in people)


def _between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    return start + (end - start) * rng.random()


def _fake_person(rng: random.Random, now: datetime, fate: Status,
                 field_codes: list[str]) -> tuple[dict, list[str], list[str]]:
    """One person as a Person row, with their departments and QVT fields."""
    feminine = rng.random() < 0.6
    first_name = rng.choice(FEMALE_NAMES if feminine else MALE_NAMES)
    last_name = rng.choice(LAST_NAMES)
    profile = rng.choices(list(PROFILE_WEIGHT), list(PROFILE_WEIGHT.values()))[0]
    town = rng.choices(list(TOWNS), [weight for _, weight in TOWNS.values()])[0]
    department = TOWNS[town][0]
    organisation = rng.choice(ORGANISATIONS[profile]).format(
        brand=rng.choice(CONSULTANCIES), company=rng.choice(COMPANIES), town=town,
        hospital="CHU" if town in ("Toulouse", "Montpellier", "Nîmes") else "Centre hospitalier",
        first_name=first_name, last_name=last_name)
    departments = {department}
    for _ in range(rng.choices([0, 1, 2], [55, 30, 15])[0]):
        departments.add(rng.choices(DEPARTMENT_CODES, EXTRA_DEPARTMENT_WEIGHTS)[0])
    fields = set(rng.choices(field_codes, [QVT_FIELD_WEIGHT.get(c, 1) for c in field_codes],
                             k=rng.randint(1, 4)))
    consultant = profile == "consultant"
    row = {
        "first_name": first_name, "last_name": last_name, "profile": profile,
        "organisation": organisation, "job_title": rng.choice(JOB_TITLES[profile])[feminine],
        "phone": ("04" if department in AREA_04 else "05")
        + "".join(f" {rng.randrange(100):02d}" for _ in range(4)),
        "website": (f"https://www.{_slug(organisation)}.exemple.org"
                    if consultant and rng.random() < 0.4 else None),
        # Reflex QVT is a directory of consultants; a few others are listed too.
        "listed_on_reflex_qvt": rng.random() < (0.35 if consultant else 0.05),
        "directory_opt_in": rng.random() < 0.55,
    }
    row.update(_history(rng, now, fate))
    return row, sorted(departments), sorted(fields)


def _history(rng: random.Random, now: datetime, fate: Status) -> dict:
    """The dates and status of one membership: applied, accepted the charter, maybe exited."""
    member_since = None
    if fate == Status.APPLICANT:
        # Applications expire after 30 days: pending ones are recent.
        applied = _between(rng, now - timedelta(days=20), now - timedelta(hours=1))
    else:
        latest = max(LAUNCH, now - timedelta(days=30))
        if rng.random() < 0.2:  # the wave of sign-ups that followed the launch event
            latest = min(latest, LAUNCH + timedelta(days=45))
        applied = _between(rng, LAUNCH, latest)
        # Half accept the charter within hours of the welcome e-mail, the others days later.
        member_since = applied + (timedelta(minutes=rng.randint(5, 360)) if rng.random() < 0.5
                                  else timedelta(days=rng.uniform(1, 12)))
    row = {"status": fate, "created_at": applied, "applied_at": applied,
           "privacy_consent_at": applied, "member_since": member_since,
           "charter_nonce": f"{rng.getrandbits(64):016x}" if member_since is None else None,
           "exit_reason": None, "exited_at": None}
    if fate == Status.EXITED:
        row["exit_reason"], row["exited_at"] = _exit(rng, member_since, now)
    return row


def _exit(rng: random.Random, member_since: datetime, now: datetime) -> tuple[str, datetime]:
    reason = rng.choices(list(EXIT_REASON_WEIGHT), list(EXIT_REASON_WEIGHT.values()))[0]
    # The renewal form goes out on the anniversary, 22 November 09:00 in Paris (08:00 UTC),
    # and closes 30 days later: renewal exits happen in one of those windows.
    openings = [datetime(year, 11, 22, 8, tzinfo=UTC)
                for year in range(member_since.year, now.year + 1)]
    campaigns = [opening for opening in openings
                 if member_since < opening and opening + timedelta(days=30) <= now]
    if reason in (ExitReason.NO_RENEWAL_ANSWER, ExitReason.DECLINED_RENEWAL) and campaigns:
        opening = rng.choice(campaigns)
        if reason == ExitReason.NO_RENEWAL_ANSWER:
            return reason, opening + timedelta(days=30)
        return reason, _between(rng, opening, opening + timedelta(days=30))
    if reason != ExitReason.REMOVED_BY_ADMIN:
        reason = ExitReason.VOLUNTARY  # joined too recently to have been asked to renew
    return reason, _between(rng, member_since + timedelta(hours=1), now)


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "-".join("".join(c if c.isalnum() else " " for c in ascii_text.lower()).split())


def _assign_emails(rng: random.Random, rows: list[dict]) -> None:
    """prenom.nom.N@exemple.fr, N skipping the addresses already in the database (--force)."""
    taken = set(db.session.scalars(select(Person.email).where(Person.email.like("%@exemple.%"))))
    number = len(taken)
    for row in rows:
        name = f"{_slug(row['first_name'])}.{_slug(row['last_name'])}"
        domain = rng.choice(["exemple.fr", "exemple.org"])
        number += 1
        while f"{name}.{number}@{domain}" in taken:
            number += 1
        row["email"] = f"{name}.{number}@{domain}"


def _insert_batch(people: list[tuple[dict, list[str], list[str]]],
                  charters: list[tuple[datetime, int, int]]) -> None:
    """Insert people in bulk, then their departments, fields, charter acceptances and history."""
    # render_nulls: the ORM would otherwise drop None values, splitting rows with different
    # gaps into separate INSERTs (one statement per row on PostgreSQL, three times slower).
    ids = db.session.scalars(
        insert(Person).execution_options(render_nulls=True)
        .returning(Person.id, sort_by_parameter_order=True), [row for row, _, _ in people]).all()
    departments, fields, acceptances, changes = [], [], [], []
    for person_id, (row, department_codes, field_codes) in zip(ids, people, strict=True):
        departments += [{"person_id": person_id, "department_code": c} for c in department_codes]
        fields += [{"person_id": person_id, "qvt_field_code": c} for c in field_codes]
        changes.append({"person_id": person_id, "from_status": None,
                        "to_status": Status.APPLICANT, "reason": "Candidature reçue",
                        "changed_by": BY_THE_PERSON, "changed_at": row["applied_at"],
                        "exit_reason": None})
        if row["member_since"] is None:
            continue
        # The charter accepted is the one in force that day.
        _, charter_id, number = next(
            (c for c in reversed(charters) if c[0] <= row["member_since"]), charters[0])
        acceptances.append({"person_id": person_id, "charter_version_id": charter_id,
                            "accepted_at": row["member_since"]})
        changes.append({"person_id": person_id, "from_status": Status.APPLICANT,
                        "to_status": Status.MEMBER,
                        "reason": f"Charte acceptée (version {number})",
                        "changed_by": BY_THE_PERSON, "changed_at": row["member_since"],
                        "exit_reason": None})
        if row["exited_at"] is not None:
            reason, by = EXITS[row["exit_reason"]]
            changes.append({"person_id": person_id, "from_status": Status.MEMBER,
                            "to_status": Status.EXITED, "reason": reason, "changed_by": by,
                            "changed_at": row["exited_at"], "exit_reason": row["exit_reason"]})
    db.session.execute(person_department.insert(), departments)
    db.session.execute(person_qvt_field.insert(), fields)
    if acceptances:
        db.session.execute(insert(CharterAcceptance), acceptances)
    db.session.execute(insert(StatusChange).execution_options(render_nulls=True), changes)


@click.command("demo")
@click.option("--members", default=300, show_default=True, type=click.IntRange(min=1),
              help="Nombre de personnes fictives à créer.")
@click.option("--force", is_flag=True,
              help="Ajouter les personnes fictives même si la base n'est pas vide.")
@click.option("--seed", default=2019, show_default=True,
              help="Graine du hasard : la même graine donne les mêmes personnes.")
@click.option("--events", default=0, show_default=True, type=click.IntRange(min=0),
              help="Événements fictifs à ajouter au calendrier du réseau, depuis 2020, avec "
                   "leurs inscrits.")
@click.option("--resources", default=0, show_default=True, type=click.IntRange(min=0),
              help="Ressources fictives publiées à ajouter à la bibliothèque.")
@with_appcontext
def demo_command(members, force, seed, events, resources):
    """Fill the database with fake members, for demonstrations and load tests."""
    existing = db.session.scalar(select(func.count()).select_from(Person))
    if existing and not force:
        raise click.ClickException(
            f"La base contient déjà des personnes ({existing}) : « flask demo » ne remplit "
            "qu'une base vide. Relancez avec --force pour y ajouter des membres fictifs.")
    if existing:
        click.echo(f"Personnes déjà présentes : {existing}. Les fictives s'y ajoutent (--force).")
    created = generate_demo_members(
        members, utcnow(), random.Random(seed),
        progress=lambda done, total: click.echo(f"{done}/{total} membres…"))
    click.echo(f"Personnes fictives créées : {sum(created.values())} "
               f"(membres : {created[Status.MEMBER]}, sorties : {created[Status.EXITED]}, "
               f"candidatures en attente : {created[Status.APPLICANT]}).")
    if not existing:
        calendar = generate_demo_events(utcnow(), random.Random(seed))
        click.echo(f"Événements du réseau créés depuis son lancement en 2019 : {calendar}, avec "
                   "leurs participants.")
        evaluated = generate_demo_evaluations(utcnow(), random.Random(f"{seed}-evaluations"))
        click.echo(f"Événements passés évalués par leurs participants : {evaluated}.")
    # The newsletter's links and documents: added once, whatever the options.
    library = generate_seed_library(utcnow())
    click.echo(f"Bibliothèque du réseau (liens utiles et documents) : {library} ressources "
               "ajoutées.")
    if news := generate_demo_news(utcnow()):
        click.echo(f"Actualités du réseau : {news} publiées, et la lettre d'information "
                   "annuelle archivée.")
    # Their own random streams: adding them leaves the people and the calendar unchanged.
    if events:
        generate_extra_events(events, utcnow(), random.Random(f"{seed}-events"),
                              progress=lambda done, total: click.echo(
                                  f"{done}/{total} événements…"))
        click.echo(f"Événements fictifs ajoutés : {events}, avec leurs inscrits.")
    if resources:
        generate_demo_resources(resources, utcnow(), random.Random(f"{seed}-resources"),
                                progress=lambda done, total: click.echo(
                                    f"{done}/{total} ressources…"))
        click.echo(f"Ressources fictives publiées : {resources}.")
