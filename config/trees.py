"""Trees kept as `parent` foreign keys (actors under actors, stance categories under families), walked by the database.

One recursive CTE answers "these rows and everything beneath them" in a single query on SQLite and
PostgreSQL alike, however deep the tree; `UNION` (not `UNION ALL`) stops at rows already found, so
even a cycle that slipped past validation cannot loop.
"""

from django.core.exceptions import EmptyResultSet
from django.db.models.expressions import RawSQL


def beneath(roots):
    """A `pk__in` subquery: the rows of `roots` (a queryset) and every row beneath them through `parent`."""
    model = roots.model
    table = model._meta.db_table
    pk = model._meta.pk.column
    parent = model._meta.get_field("parent").column
    try:
        anchor, params = roots.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:
        # Roots that can match nothing (`pk__in=[]`): a tree of no rows.
        anchor, params = f"SELECT {pk} FROM {table} WHERE 1 = 0", ()
    return RawSQL(
        f"WITH RECURSIVE tree(id) AS ({anchor} UNION SELECT child.{pk} FROM {table} child "
        f"JOIN tree ON child.{parent} = tree.id) SELECT id FROM tree",
        params,
    )


def subtree_ids(roots, within=None):
    """Ids of the `roots` rows and of every row beneath them, in one query; `within` keeps only its own rows."""
    queryset = roots.model._default_manager.all() if within is None else within
    return set(queryset.filter(pk__in=beneath(roots)).values_list("pk", flat=True))


def sits_beneath_itself(node):
    """Whether following `parent` up from a saved `node` leads back to it (a cycle, or itself as parent)."""
    ancestor, seen = node.parent, set()
    while ancestor is not None and ancestor.pk not in seen:
        if node.pk is not None and ancestor.pk == node.pk:
            return True
        seen.add(ancestor.pk)
        ancestor = ancestor.parent
    return False
