"""Full-text search of the resources with the database's own engine, accents ignored.

SQLite: an FTS5 table (unicode61 tokenizer, diacritics removed), kept by `index_resource`.
PostgreSQL: the resource's tsvector, French configuration, built from unaccented text.
"""

import re

from sqlalchemy import Float, Integer, Select, func, text

from network.extensions import db
from network.resources.models import Resource

FTS_TABLE = "resource_fts"


def is_search_table(name: str) -> bool:
    """The FTS5 table and its shadow tables: the engine's, not the models' (for Alembic)."""
    return name == FTS_TABLE or name.startswith(f"{FTS_TABLE}_")


def _sqlite() -> bool:
    return db.session.get_bind().dialect.name == "sqlite"


def index_resource(resource: Resource) -> None:
    """(Re)write the resource's entry in the full-text index, in the current transaction."""
    db.session.flush()
    body = f"{resource.description_markdown}\n{resource.extracted_text}"
    if _sqlite():
        db.session.execute(text(f"DELETE FROM {FTS_TABLE} WHERE rowid = :id"),
                           {"id": resource.id})
        db.session.execute(text(f"INSERT INTO {FTS_TABLE} (rowid, title, summary, body) "
                                "VALUES (:id, :title, :summary, :body)"),
                           {"id": resource.id, "title": resource.title,
                            "summary": resource.summary, "body": body})
    else:
        db.session.execute(text(
            "UPDATE resource SET search_vector = "
            "setweight(to_tsvector('french', unaccent(:title)), 'A') || "
            "setweight(to_tsvector('french', unaccent(:summary)), 'B') || "
            "setweight(to_tsvector('french', unaccent(:body)), 'C') WHERE id = :id"),
            {"id": resource.id, "title": resource.title, "summary": resource.summary,
             "body": body})


def matching(query: Select, words: str) -> Select:
    """The query restricted to the resources that match `words`, best matches first."""
    terms = re.findall(r"\w+", words)
    if not terms:
        return query
    if _sqlite():
        # Each word as a prefix ("equip" finds "équipes"), all of them required.
        match = " ".join(f'"{term}"*' for term in terms)
        # Materialised once: otherwise SQLite runs the full-text query again for each row when
        # counting the results (400 ms instead of a few on 5,000 resources).
        ranked = (text(f"SELECT rowid AS id, bm25({FTS_TABLE}, 10.0, 5.0, 1.0) AS rank "
                       f"FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :match")
                  .bindparams(match=match).columns(id=Integer, rank=Float)
                  .cte("ranked").prefix_with("MATERIALIZED"))
        return query.join(ranked, ranked.c.id == Resource.id).order_by(None).order_by(
            ranked.c.rank, Resource.dated.desc(), Resource.id.desc())
    tsquery = func.plainto_tsquery("french", func.unaccent(" ".join(terms)))
    return query.where(Resource.search_vector.op("@@")(tsquery)).order_by(None).order_by(
        func.ts_rank(Resource.search_vector, tsquery).desc(), Resource.dated.desc(),
        Resource.id.desc())


def newest_first(query: Select) -> Select:
    return query.order_by(Resource.dated.desc(), Resource.id.desc())

