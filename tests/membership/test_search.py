"""The people search (back-office list, its exports, the directory): `%` and `_` are characters,
accents and case do not count, names sort in French alphabetical order."""

from datetime import timedelta

import pytest
from sqlalchemy import String, delete, func, literal, select, text

from network.demo import (
    COMPANIES,
    CONSULTANCIES,
    FEMALE_NAMES,
    LAST_NAMES,
    MALE_NAMES,
    TOWNS,
)
from network.extensions import db
from network.membership.models import Person
from network.membership.search import PersonFilter, filtered_people
from network.textfold import folded, unaccent_lower
from tests.factories import NOW, make_applicant, make_member, member_session
from tests.members_space.test_space import signed_in


@pytest.fixture
def people(app):
    make_member(email="anne.martin@exemple.fr", organisation="Cabinet 100% QVT",
                directory_opt_in=True)
    make_member(email="paul_durand@exemple.fr", first_name="Paul", last_name="Durand",
                organisation="Carsat", directory_opt_in=True)
    make_member(email="claire.fabre@exemple.fr", first_name="Claire", last_name="Fabre",
                organisation="MSA Midi-Pyrénées", directory_opt_in=True)


def found(text: str) -> list[str]:
    query = filtered_people(PersonFilter(text=text), with_lists=False)
    return [person.last_name for person in db.session.scalars(query)]


@pytest.mark.parametrize(("text", "expected"), [
    ("%", ["Martin"]),
    ("100%", ["Martin"]),
    ("_", ["Durand"]),
    ("paul_", ["Durand"]),
    ("a_d", []),
    ("\\", []),
    ("%\\%", []),
    ("Durand", ["Durand"]),
])
def test_wildcards_are_plain_characters(people, text, expected):
    assert found(text) == expected


def test_the_admin_list_and_the_directory_take_them_literally(people, admin_client, client,
                                                              smtp):
    page = admin_client.get("/admin/membres?q=%25").text
    assert "Martin" in page and "Durand" not in page and "Fabre" not in page
    page = admin_client.get("/admin/membres?q=_").text
    assert "Durand" in page and "Martin" not in page and "Fabre" not in page

    signed_in(client, smtp)
    page = client.get("/espace/annuaire?q=_").text
    assert "Paul Durand" in page and "Claire Fabre" not in page


# --- Accents and case (issue 17) ---------------------------------------------------------------

@pytest.fixture
def accented_people(app):
    """Names and organisations as people type them: with or without accents, in any case."""
    make_member(email="eric.lefevre@exemple.fr", first_name="Éric", last_name="Lefèvre",
                organisation="Cabinet Équilibres Travail", directory_opt_in=True)
    make_member(email="HELENE.AZEMA@exemple.fr", first_name="Hélène", last_name="Azéma",
                organisation="ÉCOLE des métiers de l’Œuvre", directory_opt_in=True)
    make_member(email="emilie.zola@exemple.fr", first_name="Émilie", last_name="Zola",
                organisation="equilibres et santé", directory_opt_in=True)
    make_member(email="paul.durand@exemple.fr", first_name="Paul", last_name="de Castelnau",
                organisation="Carsat", directory_opt_in=True)
    make_member(email="anne.abadie@exemple.fr", first_name="Anne", last_name="Abadie",
                organisation="MSA", directory_opt_in=False)


@pytest.mark.parametrize(("text", "expected"), [
    ("equilibres", ["Lefèvre", "Zola"]),
    ("Équilibres", ["Lefèvre", "Zola"]),
    ("EQUILIBRES", ["Lefèvre", "Zola"]),
    ("eric", ["Lefèvre"]),
    ("ÉRIC", ["Lefèvre"]),
    ("ecole", ["Azéma"]),
    ("ECOLE", ["Azéma"]),
    ("école", ["Azéma"]),
    ("helene azema", ["Azéma"]),
    ("lefevre", ["Lefèvre"]),
    ("LEFÈVRE", ["Lefèvre"]),
    ("emilie", ["Zola"]),
    ("CASTELNAU", ["de Castelnau"]),
    # Ligatures and typographic apostrophes, as unaccent writes them.
    ("oeuvre", ["Azéma"]),
    ("l'oeuvre", ["Azéma"]),
    ("l’Œuvre", ["Azéma"]),
    ("helene.azema@", ["Azéma"]),
    ("équilibres santé", ["Zola"]),
    ("eric zola", []),
])
def test_accents_and_case_are_ignored(accented_people, text, expected):
    assert sorted(found(text)) == sorted(expected)


def test_folding_turns_no_character_into_a_wildcard(people):
    # « ％ » and « ＿ » fold to « % » and « _ », which still match themselves only.
    assert found("％") == ["Martin"]
    assert found("paul＿") == ["Durand"]


def test_the_admin_list_and_the_directory_ignore_accents_and_case(accented_people, admin_client,
                                                                  client):
    page = admin_client.get("/admin/membres?q=equilibres").text
    assert "Lefèvre" in page and "Zola" in page and "Azéma" not in page
    page = admin_client.get("/admin/membres?q=ECOLE").text
    assert "Azéma" in page and "Lefèvre" not in page

    with client.session_transaction() as session:
        member_session(session, db.session.scalar(
            select(Person).where(Person.last_name == "Abadie")))
    page = client.get("/espace/annuaire?q=eric").text
    assert "Éric Lefèvre" in page and "Émilie Zola" not in page
    page = client.get("/espace/annuaire?q=EQUILIBRES").text
    assert "Éric Lefèvre" in page and "Émilie Zola" in page and "Hélène Azéma" not in page
    page = client.get("/espace/annuaire?q=ecole").text
    assert "Hélène Azéma" in page and "Éric Lefèvre" not in page


def listed(**criteria) -> list[str]:
    query = filtered_people(PersonFilter(**criteria), with_lists=False)
    return [person.last_name for person in db.session.scalars(query)]


FRENCH_ORDER = ["Abadie", "Azéma", "de Castelnau", "Lefèvre", "Zola"]


def test_names_sort_in_french_alphabetical_order(accented_people):
    # Not after Z for « Émilie » or « Azéma », not before A for « de Castelnau ».
    assert listed() == FRENCH_ORDER
    assert listed(descending=True) == FRENCH_ORDER[::-1]
    # A search sorts what it finds the same way, whether PostgreSQL sorts the people found (a
    # word of three letters or more) or walks the index of the order (a shorter one).
    for text_ in ("e", "exemple"):
        assert listed(text=text_) == FRENCH_ORDER
        assert listed(text=text_, descending=True) == FRENCH_ORDER[::-1]
    # By organisation: Cabinet, Carsat, ÉCOLE, equilibres, MSA.
    by_organisation = ["Lefèvre", "de Castelnau", "Azéma", "Zola", "Abadie"]
    for text_ in ("", "a", "exemple"):
        assert listed(sort="structure", text=text_) == by_organisation
        assert listed(sort="structure", text=text_, descending=True) == by_organisation[::-1]
    # Within a status, by name.
    make_applicant(email="eve.ecrivain@exemple.fr", first_name="Ève", last_name="Écrivain")
    assert listed(sort="statut") == ["Écrivain", *FRENCH_ORDER]
    assert listed(statuses=["member"], profiles=["consultant"]) == FRENCH_ORDER


def test_same_last_names_sort_by_first_name(app):
    for first_name in ("Zoé", "Élise", "adèle", "Bruno"):
        make_member(email=f"{first_name}.martin@exemple.fr", first_name=first_name)
    query = filtered_people(PersonFilter(), with_lists=False)
    assert [person.first_name for person in db.session.scalars(query)] == [
        "adèle", "Bruno", "Élise", "Zoé"]


def test_the_pages_list_in_french_order(accented_people, admin_client, client):
    page = admin_client.get("/admin/membres").text
    positions = [page.index(f"{name}</a>") for name in
                 ("Abadie Anne", "Azéma Hélène", "de Castelnau Paul", "Lefèvre Éric",
                  "Zola Émilie")]
    assert positions == sorted(positions)

    with client.session_transaction() as session:
        member_session(session, db.session.scalar(
            select(Person).where(Person.last_name == "Abadie")))
    page = client.get("/espace/annuaire").text
    positions = [page.index(name) for name in
                 ("Hélène Azéma", "Paul de Castelnau", "Éric Lefèvre", "Émilie Zola")]
    assert positions == sorted(positions)


def test_the_other_filters_still_apply_with_a_search(accented_people):
    assert listed(text="equilibres", directory_only=True) == ["Lefèvre", "Zola"]
    assert listed(text="equilibres", statuses=["exited"]) == []
    assert listed(text="equilibres", profiles=["acteur_relais"]) == []
    assert listed(text="equilibres", department_codes=["31"]) == ["Lefèvre", "Zola"]
    assert listed(text="equilibres", department_codes=["09"]) == []
    assert listed(text="equilibres", qvt_field_codes=["sante"]) == ["Lefèvre", "Zola"]
    assert listed(text="equilibres", joined_from=NOW.date() + timedelta(days=1)) == []
    assert listed(text="equilibres", joined_to=NOW.date()) == ["Lefèvre", "Zola"]
    assert listed(text="equilibres", bounced_only=True) == []
    assert listed(text="equilibres", without_welcome_module=True) == ["Lefèvre", "Zola"]


# --- PostgreSQL: the same folding as SQLite's, and indexes that serve it ----------------------

ONLY_POSTGRESQL = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


@ONLY_POSTGRESQL
def test_sqlite_folds_text_as_postgresql_does(app):
    samples = ["Éric", "ÉCOLE", "Hélène Azéma", "Œuvre", "cœur", "Ægis", "Straße", "Øre",
               "Łódź", "L’Équilibre", "« Ça »", "Jean‑François – Noël", "ÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸ",
               "àâäçéèêëîïôöùûüÿ", "ñ", "Ŀl", "100％", "a＿b", "Ĳssel", "ﬁne", ""]
    for sample in samples:
        in_postgresql = db.session.scalar(select(folded(literal(sample, String))))
        assert unaccent_lower(sample) == in_postgresql, sample
    assert db.session.scalar(select(folded(literal(None, String)))) is None


def plan(query) -> str:
    """PostgreSQL's plan for `query`, its parameters bound as the application sends them."""
    compiled = query.compile(dialect=db.engine.dialect,
                             compile_kwargs={"render_postcompile": True})
    rows = db.session.connection().exec_driver_sql(f"EXPLAIN {compiled}", compiled.params)
    return "\n".join(row[0] for row in rows)


@pytest.fixture
def ten_thousand_people(app):
    """The network ten times over, inserted in one statement, with the planner's statistics: the
    demo's names, and organisations of which a search word finds a few dozen."""
    organisations = [f"Cabinet {brand}" for brand in CONSULTANCIES] + [
        f"{company} – {town}" for company in COMPANIES for town in TOWNS]
    values = {"first_names": FEMALE_NAMES + MALE_NAMES, "last_names": LAST_NAMES,
              "organisations": organisations}
    db.session.execute(text("""
        INSERT INTO person (status, email, first_name, last_name, organisation, job_title, phone,
                            profile, listed_on_reflex_qvt, directory_opt_in, created_at,
                            applied_at, member_since)
        SELECT 'member', 'personne' || n || '@exemple.fr',
               (CAST(:first_names AS text[]))[1 + n % :first_name_count],
               (CAST(:last_names AS text[]))[1 + (n / 7) % :last_name_count],
               (CAST(:organisations AS text[]))[1 + (n / 3) % :organisation_count],
               'Chargée de mission santé et qualité de vie au travail', '05 61 00 00 00',
               'consultant', false, n % 2 = 0, now(), now(), now()
        FROM generate_series(1, 10000) AS n"""), {
        **values, **{f"{key[:-1]}_count": len(items) for key, items in values.items()}})
    db.session.commit()
    vacuum_analyze()
    yield
    # The next tests plan with the statistics of their own few rows.
    db.session.rollback()
    db.session.execute(delete(Person))
    db.session.commit()
    vacuum_analyze()


def vacuum_analyze():
    """As autovacuum leaves a table: statistics, and the trigram indexes' pending entries merged
    (the planner counts a GIN index with thousands pending as costly to read)."""
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE person"))


@ONLY_POSTGRESQL
def test_the_search_uses_the_trigram_indexes_at_ten_thousand_people(ten_thousand_people):
    searches = {"equilibres": "ix_person_organisation_unaccent_trigrams",
                "BENOIT": "ix_person_first_name_unaccent_trigrams",
                "azéma": "ix_person_last_name_unaccent_trigrams",
                "martin": "ix_person_last_name_unaccent_trigrams",
                "personne42@": "ix_person_email_unaccent_trigrams"}
    for text_, index in searches.items():
        for criteria in (PersonFilter(text=text_),
                         PersonFilter(text=text_, statuses=["member"], directory_only=True)):
            query_plan = plan(filtered_people(criteria, with_lists=False).limit(50))
            assert f"Bitmap Index Scan on {index}" in query_plan, query_plan
            # It sorts the few people it finds, rather than walk every person in name order.
            assert "ix_person_name_order" not in query_plan, query_plan
    assert db.session.scalar(select(func.count()).select_from(
        filtered_people(PersonFilter(text="EQUILIBRES")).subquery())) > 0


@ONLY_POSTGRESQL
def test_a_word_too_short_for_trigrams_reads_the_people_not_the_indexes(ten_thousand_people):
    for text_ in ("de", "é", "de ab"):
        query_plan = plan(filtered_people(PersonFilter(text=text_), with_lists=False).limit(50))
        assert "unaccent_trigrams" not in query_plan, query_plan
    query_plan = plan(filtered_people(PersonFilter(text="de equilibres"),
                                      with_lists=False).limit(50))
    assert "Bitmap Index Scan on ix_person_organisation_unaccent_trigrams" in query_plan


@ONLY_POSTGRESQL
def test_the_lists_first_page_comes_from_the_index_of_its_order(ten_thousand_people):
    for sort, index in (("nom", "ix_person_name_order"),
                        ("structure", "ix_person_organisation_order")):
        for descending in (False, True):
            query = filtered_people(PersonFilter(sort=sort, descending=descending),
                                    with_lists=False).limit(50)
            assert f"Index Scan{' Backward' if descending else ''} using {index}" in plan(
                query), plan(query)
