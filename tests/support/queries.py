"""Counting the SQL statements a page runs (to prove list pages do not grow with their data)."""

from sqlalchemy import event

from network.extensions import db


def count_queries(client, url: str) -> int:
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    # The tests share the requests' session: start cold, as a real request does.
    db.session.expire_all()
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return len(statements)
