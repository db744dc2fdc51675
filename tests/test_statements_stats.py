"""Counts and statistics, checked against hand counts on the demo: stance tags grouped, and who addressed whom."""

from collections import Counter

from django.urls import reverse

import pytest

from statements.demo import load_demo
from statements.models import StanceTag
from tests.answers import errors_of

STANCES = reverse("stats-stances")
DYADS = reverse("stats-dyads")


@pytest.fixture
def demo(db):
    load_demo()


def stances(api, **params):
    response = api.get(STANCES, params)
    assert response.status_code == 200, response.content
    return response.json()


def test_japans_stance_toward_china_month_by_month_since_7_november_2025(api, demo):
    body = stances(api, country="japan", target="china", date_after="2025-11-07", group_by="month,family")

    # Koizumi's K1, Japan's and the Joint Staff's W1, the Coast Guard's X3 toward China, all in December
    # (demo.toml); November is zero-filled.
    assert body["results"] == [
        {"month": "2025-11", "family": "K", "count": 0},
        {"month": "2025-11", "family": "W", "count": 0},
        {"month": "2025-11", "family": "X", "count": 0},
        {"month": "2025-12", "family": "K", "count": 1},
        {"month": "2025-12", "family": "W", "count": 2},
        {"month": "2025-12", "family": "X", "count": 1},
    ]
    assert body["total"] == 4


def test_the_total_without_grouping_counts_tags_or_statements(api, demo):
    assert stances(api)["total"] == 14
    assert stances(api, count="statements")["total"] == 8
    assert stances(api, stance="K", count="statements")["total"] == 1


@pytest.mark.parametrize(
    ("group", "expected"),
    [
        ("family", {"A": 1, "C": 2, "E": 1, "K": 2, "P": 1, "S": 2, "W": 3, "X": 2}),
        ("polarity", {"against": 6, "favor": 5, "neutral": 2, "unclear": 1}),
        ("year", {"2025": 14}),
    ],
)
def test_one_grouping_against_hand_counts(api, demo, group, expected):
    body = stances(api, group_by=group)

    assert {row[group]: row["count"] for row in body["results"]} == expected


def test_who_addressed_whom_with_the_conflictual_and_cooperative_share(api, demo):
    response = api.get(DYADS, {"recipient": "mark-rutte", "date_after": "2025-12-01", "date_before": "2025-12-31"})

    assert response.status_code == 200, response.content
    (koizumi_to_rutte,) = [row for row in response.json()["results"] if row["recipient"] == "mark-rutte"]
    # Koizumi's briefing: E2, K1 ×2, C2 ×2, S1: K1 twice is conflictual (quad 3), the rest cooperative.
    assert koizumi_to_rutte == {
        "speaker": "shinjiro-koizumi",
        "recipient": "mark-rutte",
        "statements": 1,
        "tags": 6,
        "conflictual_share": round(2 / 6, 4),
        "cooperative_share": round(4 / 6, 4),
    }


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"group_by": "colour"}, "group_by"),
        ({"group_by": "month,family,polarity"}, "group_by"),
        ({"count": "words"}, "count"),
        ({"speaker": "nobody-at-all"}, "speaker"),
        ({"page": "2"}, "page"),
    ],
)
def test_bad_parameters_are_a_400_naming_them(api, demo, params, parameter):
    assert parameter in errors_of(api.get(STANCES, params))


def counted_by_hand(names):
    """{(values…): tags} of the published demo statements, read tag by tag."""
    counts = Counter()
    for tag in StanceTag.objects.filter(statement__status="published").select_related("category__parent"):
        values = {"family": (tag.category.parent or tag.category).code, "category": tag.category.code}
        counts[tuple(values.get(name) or getattr(tag, name) for name in names)] += 1
    return counts


@pytest.mark.parametrize("group_by", ["category,family", "family,polarity", "polarity,category"])
def test_acts_and_families_are_named_and_added_up_in_order(api, demo, group_by):
    names = group_by.split(",")
    body = stances(api, group_by=group_by)

    found = [(tuple(row[name] for name in names), row["count"]) for row in body["results"]]
    assert dict(found) == counted_by_hand(names)
    assert [values for values, _ in found] == sorted(values for values, _ in found)
    assert body["total"] == 14


def test_a_speaker_grouping_counts_a_tag_once_per_speaker_and_the_total_once(api, demo):
    body = stances(api, group_by="speaker")

    published = StanceTag.objects.filter(statement__status="published")
    assert body["total"] == published.count() == 14
    assert sum(row["count"] for row in body["results"]) == sum(tag.statement.speakers.count() for tag in published)


def test_two_groupings_over_a_range_without_tags_are_no_rows(api, demo):
    body = stances(api, group_by="month,family", date_after="2020-01-01", date_before="2020-02-29")

    assert (body["results"], body["total"]) == ([], 0)
    # One grouping: every month of the range, at zero.
    months = stances(api, group_by="month", date_after="2020-01-01", date_before="2020-02-29")["results"]
    assert months == [{"month": "2020-01", "count": 0}, {"month": "2020-02", "count": 0}]
