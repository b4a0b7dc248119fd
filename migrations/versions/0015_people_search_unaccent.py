"""people search without accents or case: unaccent_lower(text), its trigram and order indexes

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-28 13:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

SEARCHED_COLUMNS = ("first_name", "last_name", "email", "organisation")


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        # SQLite's unaccent_lower is a Python function the application registers on each
        # connection (network.textfold). 0010's plain indexes on the four columns never served
        # the search (LIKE '%mot%' reads every row), and the sort now goes through the function.
        with op.batch_alter_table('person', schema=None) as batch_op:
            for column in SEARCHED_COLUMNS:
                batch_op.drop_index(f'ix_person_{column}_trigrams')
        return
    # 0007 created it; trusted, like pg_trgm: the database's owner may create it.
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    schema = op.get_bind().exec_driver_sql(
        "SELECT extnamespace::regnamespace::text FROM pg_extension "
        "WHERE extname = 'unaccent'").scalar_one()
    # lower(unaccent(text)), written so that PostgreSQL inlines it into each query instead of
    # calling a function per row (twice as fast: the search checks four columns of each row it
    # finds, and sorts by two). unaccent() itself is only STABLE, as it looks its
    # dictionary up through search_path, and an IMMUTABLE function calling it is never inlined;
    # ts_lexize() runs the same dictionary, is IMMUTABLE, and gives NULL when nothing changes
    # (unaccent() then returns the text as it is: the coalesce). The dictionary is named with its
    # schema, so the result depends on the text alone: IMMUTABLE is true, and lets indexes be
    # built on the function (a change to unaccent.rules would need a REINDEX). Not STRICT:
    # PostgreSQL does not inline a STRICT function around a coalesce (NULL still gives NULL).
    # Lower case after unaccent: lower() only knows ASCII in a database whose LC_CTYPE is C,
    # and unaccent has by then made « É » an « E ».
    op.execute(f"""
        CREATE OR REPLACE FUNCTION unaccent_lower(text) RETURNS text
        LANGUAGE sql IMMUTABLE PARALLEL SAFE
        AS $$ SELECT lower(coalesce((ts_lexize('{schema}.unaccent'::regdictionary, $1))[1], $1)) $$""")
    # New entries wait in a pending list of 64 kB at most (4 MB by default) before they join
    # the index: the planner reckons a long list costly to read, and after an import of 10,000
    # people it read every person instead (40 ms a search) until autovacuum came by.
    for column in SEARCHED_COLUMNS:
        op.execute(f"DROP INDEX ix_person_{column}_trigrams")
        op.execute(f"CREATE INDEX ix_person_{column}_unaccent_trigrams ON person "
                   f"USING gin (unaccent_lower({column}) gin_trgm_ops) "
                   "WITH (gin_pending_list_limit = 64)")
    # The lists' orders by name and by organisation: a first page without sorting every person.
    names = "unaccent_lower(last_name), unaccent_lower(first_name), id"
    op.execute(f"CREATE INDEX ix_person_name_order ON person ({names})")
    op.execute("CREATE INDEX ix_person_organisation_order ON person "
               f"(unaccent_lower(organisation), {names})")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        with op.batch_alter_table('person', schema=None) as batch_op:
            for column in SEARCHED_COLUMNS:
                batch_op.create_index(f'ix_person_{column}_trigrams', [column], unique=False)
        return
    op.execute("DROP INDEX ix_person_organisation_order")
    op.execute("DROP INDEX ix_person_name_order")
    for column in SEARCHED_COLUMNS:
        op.execute(f"DROP INDEX ix_person_{column}_unaccent_trigrams")
        op.execute(f"CREATE INDEX ix_person_{column}_trigrams ON person "
                   f"USING gin ({column} gin_trgm_ops)")
    op.execute("DROP FUNCTION unaccent_lower(text)")
