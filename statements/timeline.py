"""A statement's history as curators read it: one entry per save, with who, when and why, what changed in the
statement itself and in its parts (speakers, recipients, topics, identifiers, citations, stance tags), and the
state it had at any entry, to revert to.

The workflow (statements.services) writes a save's part rows first and the statement's own history row last,
in one transaction: each part row belongs to the first statement entry at or after it. Part rows written
outside the workflow after the last entry (older data) make an entry of their own.
"""

from dataclasses import dataclass, field

from statements.models import Citation, StanceTag, StatementIdentifier
from statements.services import FIELDS, CitationSpec, TagSpec

TRACKED = list(FIELDS)
LINKS = (("speakers", "actor"), ("recipients", "actor"), ("topics", "topic"))


@dataclass
class Entry:
    record: object  # the HistoricalStatement row (None for parts changed after the last save)
    when: object
    who: object
    why: str
    changes: list = field(default_factory=list)  # (what, before, after)
    parts: list = field(default_factory=list)  # "+ K1 against 3 → China", "− citation …"

    @property
    def history_id(self):
        return self.record.history_id if self.record is not None else None


def tag_words(row):
    target = row.target_actor or row.target_topic
    return f"stance tag {row.category.code} {row.polarity} {row.intensity}" + (f" → {target}" if target else "")


def citation_words(row):
    return f"citation {row.source}" + (f" ({row.attribution})" if row.attribution else "")


def identifier_words(row):
    return f"identifier {row.scheme}:{row.value}"


SIGNS = {"+": "+", "-": "−", "~": "~"}


def part_rows(statement):
    """Every history row of the statement's parts, oldest first, as (date, history_id, sign, words, user)."""
    rows = []
    sources = (
        (
            StanceTag.history.filter(statement_id=statement.pk).select_related(
                "category", "target_actor", "target_topic", "history_user"
            ),
            tag_words,
        ),
        (Citation.history.filter(statement_id=statement.pk).select_related("source", "history_user"), citation_words),
        (
            StatementIdentifier.history.filter(statement_id=statement.pk).select_related("history_user"),
            identifier_words,
        ),
    )
    for queryset, words in sources:
        for row in queryset:
            rows.append((row.history_date, row.history_id, SIGNS[row.history_type], words(row), row.history_user))
    return sorted(rows, key=lambda row: (row[0], row[1]))


def linked(record):
    """{speakers: {actor ids}, recipients: …, topics: …} in a statement history row's snapshot."""
    return {name: {getattr(link, f"{column}_id") for link in getattr(record, name).all()} for name, column in LINKS}


def names_of(column, ids):
    from actors.models import Actor
    from statements.models import Topic

    model = Actor if column == "actor" else Topic
    return ", ".join(sorted(model.objects.filter(pk__in=ids).values_list("name", flat=True))) or "—"


def timeline(statement):
    """The statement's entries, newest first."""
    # Three queries per entry for the link snapshots (django-simple-history's cannot be prefetched): a
    # statement's saves are tens, not thousands.
    records = list(statement.history.order_by("history_date", "history_id").select_related("history_user"))
    parts = part_rows(statement)
    entries, previous, index = [], None, 0
    for record in records:
        entry = Entry(record, record.history_date, record.history_user, record.history_change_reason or "")
        while index < len(parts) and parts[index][0] <= record.history_date:
            entry.parts.append(f"{parts[index][2]} {parts[index][3]}")
            index += 1
        if previous is not None:
            for name in TRACKED:
                before, after = getattr(previous, name), getattr(record, name)
                if before != after:
                    entry.changes.append((name.replace("_", " "), before, after))
            then, now = linked(previous), linked(record)
            for name, column in LINKS:
                if then[name] != now[name]:
                    entry.changes.append((name, names_of(column, then[name]), names_of(column, now[name])))
        entries.append(entry)
        previous = record
    if index < len(parts):
        last = parts[-1]
        entries.append(
            Entry(None, last[0], last[4], "parts changed outside a save", [], [f"{p[2]} {p[3]}" for p in parts[index:]])
        )
    return list(reversed(entries))


def state_at(statement, history_id):
    """The update_statement arguments that make the statement what it was at history entry `history_id`.

    The status is left as it is: a revert changes content, publishing and retracting are decided apart.
    """
    record = statement.history.get(history_id=history_id)
    state = {name: getattr(record, name) for name in TRACKED if name != "status"}
    from actors.models import Actor
    from statements.models import Topic

    links = linked(record)
    state["speakers"] = list(Actor.objects.filter(pk__in=links["speakers"]))
    state["recipients"] = list(Actor.objects.filter(pk__in=links["recipients"]))
    state["topics"] = list(Topic.objects.filter(pk__in=links["topics"]))

    def alive(model):
        """The part rows as they stood at the record: each row's last history entry up to then, unless a deletion."""
        latest = {}
        rows = model.history.filter(statement_id=statement.pk, history_date__lte=record.history_date)
        for row in rows.order_by("history_date", "history_id"):
            latest[row.id] = row
        return [row for row in latest.values() if row.history_type != "-"]

    state["tags"] = [
        TagSpec(row.category, row.target_actor, row.target_topic, row.polarity, row.intensity)
        for row in alive(StanceTag)
    ]
    state["citations"] = [CitationSpec(row.source, row.attribution) for row in alive(Citation)]
    state["identifiers"] = [(row.scheme, row.value) for row in alive(StatementIdentifier)]
    return record, state
