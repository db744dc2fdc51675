"""Counts researchers ask for: stance tags (or statements) grouped by time, act, speaker, country, target or
polarity, and who addressed whom. Every statement filter of the list applies first, on the statements
themselves; the tag-level filters (stance, polarity, target, intensity) also choose which tags are counted.

Each count is one GROUP BY in the database, over the matching statements joined to their tags (and, for
who addressed whom, to their speakers and recipients); time groupings are zero-filled in Python over the
range asked (or the range found).

Measured at a million statements (benchmarks/README.md): joining the tags to the filtered statements, not
picking tags whose statement is IN the filtered ones, spares PostgreSQL a second pass over the statements
(and, for the dyads, hashing every tag and speaker before it applies the filter); counting tags by category
id and naming each category's act and family afterwards, in Python, spares it two joins per tag and lets it
hash the groups instead of sorting 2.5 million rows.
"""

import datetime

from django.db.models import Case, CharField, Count, DateField, Exists, F, OuterRef, Q, When
from django.db.models.functions import Cast, Coalesce, TruncMonth, TruncWeek, TruncYear

from statements.models import StanceCategory, StanceTag

TIME_GROUPS = ("month", "week", "year")
GROUPS = ("month", "week", "year", "family", "category", "speaker", "country", "target", "polarity")
COUNTED = ("tags", "statements")
# Groupings that give every tag exactly one value: their counts add up to the total. A speaker or a country
# counts a tag once per speaker of its statement.
ONE_PER_TAG = ("month", "week", "year", "family", "category", "target", "polarity")
# Groupings named after a tag's category: counting tags, the query groups by its id and Python names it.
BY_CATEGORY = ("family", "category")
# From a statement to the one tag of it that a row of the counting query holds.
TAG = "stance_tags__"


def group_expressions(by_category_id=False):
    """{group: expression} over a statement joined to one of its tags (and, for speaker and country, its
    speakers); family and category as the tag's category id when `by_category_id`."""
    return {
        # Dates from the database: a date is read faster than the timestamp DATE_TRUNC gives.
        "month": Cast(TruncMonth("date"), DateField()),
        "week": Cast(TruncWeek("date"), DateField()),
        "year": Cast(TruncYear("date"), DateField()),
        # Two levels in DST: an act's family is its parent; a family is its own.
        "family": F(f"{TAG}category")
        if by_category_id
        else Coalesce(f"{TAG}category__parent__code", f"{TAG}category__code"),
        "category": F(f"{TAG}category") if by_category_id else F(f"{TAG}category__code"),
        "speaker": F("speakers__slug"),
        # A speaker's state: the state itself, else the country it is recorded with.
        "country": Case(
            When(speakers__kind="state", then=F("speakers__slug")),
            default=F("speakers__country__slug"),
            output_field=CharField(),
        ),
        "target": Coalesce(f"{TAG}target_actor__slug", f"{TAG}target_topic__slug"),
        "polarity": F(f"{TAG}polarity"),
    }


def through_tag(condition):
    """A condition on a stance tag (a Q over StanceTag) as the same condition on a statement's joined tag."""
    if isinstance(condition, Q):
        return Q(
            *(through_tag(child) for child in condition.children),
            _connector=condition.connector,
            _negated=condition.negated,
        )
    lookup, value = condition
    return (f"{TAG}{lookup}", value)


def stance_counts(statements, tag_conditions, group_by, counted, date_range):
    """[{group: value, …, "count": n}] and the total, for the tags of `statements` meeting `tag_conditions`."""
    statements = statements.order_by()
    # Each statement once per tag of it that meets the tag-level filters: one join, every condition on that tag.
    tagged = statements.filter(Q(**{f"{TAG}isnull": False}), *(through_tag(condition) for condition in tag_conditions))
    if counted == "statements":
        total = statements.filter(Exists(StanceTag.objects.filter(*tag_conditions, statement=OuterRef("pk")))).count()
    elif group_by and all(name in ONE_PER_TAG for name in group_by):
        total = None  # the sum of the groups
    else:
        total = tagged.aggregate(n=Count("*"))["n"]
    if not group_by:
        return [], total
    by_category = counted == "tags" and any(name in BY_CATEGORY for name in group_by)
    expressions = group_expressions(by_category)
    # A row per tag: COUNT(*), which leaves the tag's id unread (counting the ids made PostgreSQL sort the rows
    # rather than hash them, at a million statements).
    aggregate = Count("pk", distinct=True) if counted == "statements" else Count("*")
    columns = [f"g_{name}" for name in group_by]
    time_groups = [name for name in group_by if name in TIME_GROUPS]
    # Zero-filling puts time groupings in order; without ORDER BY, PostgreSQL hashes the groups, where sorting
    # the rows (2.5 million at a million statements) spilled to disk.
    ordering = [] if time_groups else [f"g_{name}" for name in group_by if not (by_category and name in BY_CATEGORY)]
    rows = list(
        tagged.values(**{f"g_{name}": expressions[name] for name in group_by})
        .annotate(count=aggregate)
        .order_by(*ordering)
        .values_list(*columns, "count")
    )
    if by_category:
        rows = named_categories(rows, group_by)
    if total is None:
        total = sum(row[-1] for row in rows)
    # Each period written once, whatever the rows that hold it; the count as it is.
    labels = [
        {value: plain(value, name) for value in {row[position] for row in rows}} if name in TIME_GROUPS else None
        for position, name in enumerate(group_by)
    ] + [None]
    keys = (*group_by, "count")
    results = [
        {key: label[value] if label else value for key, value, label in zip(keys, row, labels, strict=True)}
        for row in rows
    ]
    if time_groups:
        results = zero_filled(results, group_by, time_groups[0], date_range)
    return results, total


def named_categories(rows, group_by):
    """Rows (values…, count) grouped by category id, grouped instead by the category's code or its family: the
    counts of one family's acts added up, in the database's order of the other grouping, then by code."""
    positions = [position for position, name in enumerate(group_by) if name in BY_CATEGORY]
    ids = {row[position] for row in rows for position in positions}
    names = {
        pk: {"category": code, "family": family or code}
        for pk, code, family in StanceCategory.objects.filter(pk__in=ids)
        .order_by()
        .values_list("pk", "code", "parent__code")
    }
    summed = {}
    for *values, count in rows:
        for position in positions:
            values[position] = names[values[position]][group_by[position]]
        key = tuple(values)
        summed[key] = summed.get(key, 0) + count
    # The other grouping (if any) keeps the database's order, the rows' order: its place of first appearance.
    other = [position for position in range(len(group_by)) if position not in positions]
    first_seen = {}
    for key in summed:
        for position in other:
            first_seen.setdefault(key[position], len(first_seen))

    def order(key):
        return tuple(first_seen[value] if position in other else value for position, value in enumerate(key))

    return [(*key, summed[key]) for key in sorted(summed, key=order)]


def plain(value, group):
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        if group == "month":
            return value.strftime("%Y-%m")
        if group == "year":
            return value.strftime("%Y")
        return value.isoformat()  # week: the Monday it starts on
    return value


def periods(group, first, last):
    """Every period label of `group` from the one holding `first` to the one holding `last`."""
    labels = []
    if group == "year":
        return [str(year) for year in range(first.year, last.year + 1)]
    if group == "month":
        year, month = first.year, first.month
        while (year, month) <= (last.year, last.month):
            labels.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return labels
    day = first - datetime.timedelta(days=first.weekday())
    while day <= last:
        labels.append(day.isoformat())
        day += datetime.timedelta(days=7)
    return labels


def zero_filled(results, group_by, time_group, date_range):
    """The rows with a zero for every period of the range that has none (for each value of the other group)."""
    first, last = date_range
    if first is None or last is None:
        found = [row[time_group] for row in results]
        if not found:
            return results
        first = first or parse_period(min(found), time_group)
        last = last or parse_period(max(found), time_group)
    other = [name for name in group_by if name != time_group]
    # Without a second grouping, one row a period; with one, a row for each of its values found (none: no rows).
    others = sorted({tuple(row[name] for name in other) for row in results}, key=str) if other else [()]
    counts = {(row[time_group], *(row[name] for name in other)): row["count"] for row in results}
    filled = []
    for label in periods(time_group, first, last):
        for values in others:
            row = {time_group: label, **dict(zip(other, values, strict=True))}
            row["count"] = counts.get((label, *values), 0)
            filled.append({name: row[name] for name in (*group_by, "count")})
    return filled


def parse_period(label, group):
    if group == "year":
        return datetime.date(int(label), 1, 1)
    if group == "month":
        year, month = label.split("-")
        return datetime.date(int(year), int(month), 1)
    return datetime.date.fromisoformat(label)


def dyads(statements):
    """Who addressed whom: per (speaker, recipient), the statements and the share of conflictual and
    cooperative tags (quad class 3–4 and 1–2), largest first. One query: each matching statement joined to
    its speakers, its recipients and its tags."""
    quad = f"{TAG}category__quad"
    pairs = (
        statements.order_by()
        .annotate(speaker=F("speakers__slug"), recipient=F("recipients__slug"))
        .exclude(speaker=None)
        .exclude(recipient=None)
        .values("speaker", "recipient")
        .annotate(
            statements=Count("pk", distinct=True),
            tags=Count(f"{TAG}pk"),
            conflictual=Count(f"{TAG}pk", filter=Q(**{f"{quad}__gte": 3})),
            cooperative=Count(f"{TAG}pk", filter=Q(**{f"{quad}__lte": 2})),
        )
        .order_by("-statements", "speaker", "recipient")
    )
    return [
        {
            "speaker": pair["speaker"],
            "recipient": pair["recipient"],
            "statements": pair["statements"],
            "tags": pair["tags"],
            "conflictual_share": round(pair["conflictual"] / pair["tags"], 4) if pair["tags"] else None,
            "cooperative_share": round(pair["cooperative"] / pair["tags"], 4) if pair["tags"] else None,
        }
        for pair in pairs
    ]
