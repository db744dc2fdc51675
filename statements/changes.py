"""The sync feed: every change to the statements a client may see, in commit order, from a cursor.

Rows come from statements_statementchange, which a trigger fills on every write of a statement. On
PostgreSQL a row is served only once every transaction older than the oldest still running has ended
(`txid` below the snapshot's xmin), and rows are ordered by (txid, id): a transaction that began
earlier but commits later can never slip behind a cursor already handed out. Elsewhere (SQLite, one
writer at a time) the id alone orders them.

Each entry says what the client should now hold for that statement: `upsert` with the statement as it
is now, if the client may see it, else `tombstone`. Replaying the feed from any cursor, and applying
each entry in order, leaves a client with exactly the statements it may see.
"""

import base64
import binascii

from django.db import connection
from django.db.models import Q

from rest_framework.exceptions import ValidationError

from statements.documents import STATEMENT_COLUMNS, statement_documents
from statements.models import StatementChange

DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE = 100, 500


def encode_cursor(txid, change_id):
    return base64.urlsafe_b64encode(f"{txid if txid is not None else ''}:{change_id}".encode()).decode()


# Before every change: where a client starts, and what it keeps when there was nothing yet.
START = encode_cursor(0, 0)


def decode_cursor(text):
    try:
        txid, change_id = base64.urlsafe_b64decode(text.encode()).decode().split(":")
        return (int(txid) if txid else None), int(change_id)
    except (ValueError, UnicodeError, binascii.Error):
        raise ValidationError({"cursor": ["Malformed cursor: use a `next` link as given."]}) from None


def settled():
    """On PostgreSQL, (the oldest transaction id still running, this transaction's own id or None): changes
    below the first can no longer be joined by an earlier one, and a transaction sees its own. None elsewhere."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint, "
            "pg_current_xact_id_if_assigned()::text::bigint"
        )
        return cursor.fetchone()


def changes_page(visible, *, sees_everything, cursor=None, page_size=DEFAULT_PAGE_SIZE, usernames=False):
    """(entries, next cursor or None when there was nothing new) for the client whose statements are `visible`."""
    rows = StatementChange.objects.all()
    if not sees_everything:
        rows = rows.filter(was_public=True)
    horizon = settled()
    if horizon is not None:
        oldest_running, own = horizon
        rows = rows.filter(Q(txid__lt=oldest_running) | Q(txid=own)).order_by("txid", "id")
    else:
        rows = rows.order_by("id")
    if cursor is not None:
        txid, change_id = cursor
        if horizon is not None and txid is not None:
            rows = rows.filter(Q(txid__gt=txid) | Q(txid=txid, id__gt=change_id))
        else:
            rows = rows.filter(id__gt=change_id)
    page = list(rows.values("id", "txid", "statement_id", "uuid")[:page_size])
    if not page:
        return [], None
    ids = {row["statement_id"] for row in page}
    current = {row["id"]: row for row in visible.filter(pk__in=ids).values(*STATEMENT_COLUMNS)}
    documents = {
        document["id"]: document for document in statement_documents(list(current.values()), usernames=usernames)
    }
    entries = []
    for row in page:
        document = documents.get(row["statement_id"])
        entries.append(
            {
                "change": encode_cursor(row["txid"], row["id"]),
                "uuid": str(row["uuid"]),
                "kind": "upsert" if document is not None else "tombstone",
                "statement": document,
            }
        )
    last = page[-1]
    return entries, encode_cursor(last["txid"], last["id"])
