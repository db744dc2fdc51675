"""Counts researchers ask for: stance tags (or statements) grouped by time, act, speaker, country, target or
polarity, and who addressed whom. Every statement filter of the list applies first, as one subquery; the
tag-level filters (stance, polarity, target, intensity) also choose which tags are counted.

Each count is one GROUP BY in the database; time groupings are zero-filled in Python over the range asked
(or the range found).
"""

import datetime

from django.db.models import Case, CharField, Count, F, IntegerField, Sum, Value, When
from django.db.models.functions import Coalesce, TruncMonth, TruncWeek, TruncYear

from statements.models import StanceTag, StatementSpeaker

TIME_GROUPS = ("month", "week", "year")
GROUPS = ("month", "week", "year", "family", "category", "speaker", "country", "target", "polarity")
COUNTED = ("tags", "statements")


def group_expressions(prefix):
    """{group: expression} over tags (prefix "") reached from a tag row."""
    return {
        "month": TruncMonth(f"{prefix}statement__date"),
        "week": TruncWeek(f"{prefix}statement__date"),
        "year": TruncYear(f"{prefix}statement__date"),
        # Two levels in DST: an act's family is its parent; a family is its own.
        "family": Coalesce(f"{prefix}category__parent__code", f"{prefix}category__code"),
        "category": F(f"{prefix}category__code"),
        "speaker": F(f"{prefix}statement__speakers__slug"),
        # A speaker's state: the state itself, else the country it is recorded with.
        "country": Case(
            When(**{f"{prefix}statement__speakers__kind": "state"}, then=F(f"{prefix}statement__speakers__slug")),
            default=F(f"{prefix}statement__speakers__country__slug"),
            output_field=CharField(),
        ),
        "target": Coalesce(f"{prefix}target_actor__slug", f"{prefix}target_topic__slug"),
        "polarity": F(f"{prefix}polarity"),
    }


def stance_counts(statements, tag_conditions, group_by, counted, date_range):
    """[{group: value, …, "count": n}] and the total, for the tags of `statements` meeting `tag_conditions`."""
    tags = StanceTag.objects.filter(*tag_conditions, statement__in=statements.order_by().values("pk"))
    expressions = group_expressions("")
    aggregate = Count("statement", distinct=True) if counted == "statements" else Count("pk")
    total = tags.aggregate(n=aggregate)["n"]
    if not group_by:
        return [], total
    rows = list(
        tags.annotate(**{f"g_{name}": expressions[name] for name in group_by})
        .values(*(f"g_{name}" for name in group_by))
        .annotate(count=aggregate)
        .order_by(*(f"g_{name}" for name in group_by))
    )
    results = [{**{name: plain(row[f"g_{name}"], name) for name in group_by}, "count": row["count"]} for row in rows]
    time_groups = [name for name in group_by if name in TIME_GROUPS]
    if time_groups:
        results = zero_filled(results, group_by, time_groups[0], date_range)
    return results, total


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
    others = sorted({tuple(row[name] for name in other) for row in results}, key=str) or [()]
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
    cooperative tags (quad class 3–4 and 1–2), largest first."""
    ids = statements.order_by().values("pk")
    pairs = list(
        StatementSpeaker.objects.filter(statement__in=ids)
        .annotate(recipient=F("statement__statementrecipient__actor__slug"))
        .exclude(recipient=None)
        .values("actor__slug", "recipient")
        .annotate(statements=Count("statement", distinct=True))
        .order_by("-statements", "actor__slug", "recipient")
    )
    tags = (
        StatementSpeaker.objects.filter(statement__in=ids)
        .annotate(recipient=F("statement__statementrecipient__actor__slug"))
        .exclude(recipient=None)
        .values("actor__slug", "recipient")
        .annotate(
            tags=Count("statement__stance_tags"),
            conflictual=Sum(
                Case(When(statement__stance_tags__category__quad__gte=3, then=Value(1)), default=Value(0)),
                output_field=IntegerField(),
            ),
            cooperative=Sum(
                Case(When(statement__stance_tags__category__quad__lte=2, then=Value(1)), default=Value(0)),
                output_field=IntegerField(),
            ),
        )
    )
    by_pair = {(row["actor__slug"], row["recipient"]): row for row in tags}
    results = []
    for pair in pairs:
        key = (pair["actor__slug"], pair["recipient"])
        counted = by_pair.get(key, {"tags": 0, "conflictual": 0, "cooperative": 0})
        total = counted["tags"] or 0
        results.append(
            {
                "speaker": key[0],
                "recipient": key[1],
                "statements": pair["statements"],
                "tags": total,
                "conflictual_share": round((counted["conflictual"] or 0) / total, 4) if total else None,
                "cooperative_share": round((counted["cooperative"] or 0) / total, 4) if total else None,
            }
        )
    return results
