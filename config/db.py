"""Database expressions every app shares."""

from django.db.models import BooleanField, Expression, F


class AnyOf(Expression):
    """`column IN (values)`, written `column = ANY(%s)` with one array parameter on PostgreSQL.

    A page of 500 statements asks for their speakers, tags and sources by 500 ids, six times: as
    500 parameters each, quoting them and planning the literal lists cost more than the queries.
    """

    conditional = True
    output_field = BooleanField()

    def __init__(self, column, values):
        super().__init__()
        self.column = F(column) if isinstance(column, str) else column
        self.values = list(dict.fromkeys(value for value in values if value is not None))

    def get_source_expressions(self):
        return [self.column]

    def set_source_expressions(self, expressions):
        [self.column] = expressions

    def as_sql(self, compiler, connection):
        column, params = compiler.compile(self.column)
        if connection.vendor == "postgresql":
            # psycopg adapts ids and UUIDs itself; preparing 500,000 ids one by one cost half a second an export.
            return f"{column} = ANY(%s)", (*params, self.values)
        # As the column's field would send them (a UUID is text on SQLite, for one).
        field = self.column.output_field
        values = [field.get_db_prep_value(value, connection, prepared=False) for value in self.values]
        if not values:
            return "1 = 0", params
        return f"{column} IN ({', '.join(['%s'] * len(values))})", (*params, *values)
