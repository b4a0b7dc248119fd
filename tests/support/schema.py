"""A database's schema as reflected from the database itself, to compare two databases."""

from sqlalchemy import CheckConstraint, ForeignKeyConstraint, MetaData, Table, inspect

from network.resources.search import is_search_table


def reflect_tables(connection) -> dict[str, Table]:
    """Every table of the application, as the database has it now (not as the models say).

    SQLite's full-text tables are left out: they are the search engine's, not the schema's.
    """
    metadata = MetaData()
    metadata.reflect(connection, only=lambda name, _: not is_search_table(name))
    return dict(metadata.tables)


class TablesOnDemand(dict):
    """Tables reflected when first asked for: reflecting them all takes a tenth of a second."""

    def __init__(self, connection):
        super().__init__()
        self.connection = connection
        self.metadata = MetaData()

    def __missing__(self, name: str) -> Table:
        table = Table(name, self.metadata, autoload_with=self.connection, resolve_fks=False)
        self[name] = table
        return table


def describe_schema(connection, tables: dict[str, Table] | None = None) -> dict:
    """Tables, columns, constraints and indexes in a form that compares with ==."""
    tables = reflect_tables(connection) if tables is None else tables
    described = {name: describe_table(table) for name, table in tables.items()}
    # The full-text tables only by name: their shadow tables are SQLite's business.
    described["all tables"] = sorted(inspect(connection).get_table_names())
    return described


def describe_table(table: Table) -> dict:
    return {
        "columns": [(column.name, repr(column.type), column.nullable,
                     str(column.server_default.arg) if column.server_default else None)
                    for column in table.columns],
        "constraints": sorted(describe_constraint(constraint) for constraint in table.constraints),
        "indexes": sorted((index.name, tuple(column.name for column in index.columns),
                           index.unique, repr(sorted(index.dialect_kwargs.items())))
                          for index in table.indexes),
    }


def describe_constraint(constraint) -> tuple:
    columns = tuple(column.name for column in constraint.columns)
    if isinstance(constraint, ForeignKeyConstraint):
        referred = tuple(element.target_fullname for element in constraint.elements)
        return (type(constraint).__name__, str(constraint.name), columns, referred,
                str(constraint.ondelete), str(constraint.onupdate))
    if isinstance(constraint, CheckConstraint):
        return (type(constraint).__name__, str(constraint.name), str(constraint.sqltext))
    return (type(constraint).__name__, str(constraint.name), columns)
