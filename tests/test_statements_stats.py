"""Counts and statistics, checked against hand counts on the demo: stance tags grouped, and who addressed whom."""

from django.urls import reverse

import pytest

from statements.demo import load_demo
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
