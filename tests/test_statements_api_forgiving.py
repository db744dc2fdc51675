"""Filters that forgive what a researcher would reasonably type, and say what would work when they cannot."""

from django.urls import reverse

import pytest

from statements.demo import load_demo
from tests.answers import errors_of

STATEMENTS = reverse("statement-list")


@pytest.fixture
def demo(db):
    load_demo()


def summaries(api, **params):
    response = api.get(STATEMENTS, params)
    assert response.status_code == 200, response.json()
    return sorted(row["summary"] for row in response.json()["results"])


def test_an_unknown_actor_suggests_the_closest_ones(api, demo):
    response = api.get(STATEMENTS, {"speaker": "koizumi"})

    assert response.status_code == 400
    (message,) = errors_of(response)["speaker"]
    assert "Unknown actor: 'koizumi'" in message and "Did you mean shinjiro-koizumi?" in message


def test_an_unknown_category_or_topic_suggests_the_closest(api, demo):
    stance = errors_of(api.get(STATEMENTS, {"stance": "K9"}))["stance"][0]
    topic = errors_of(api.get(STATEMENTS, {"topic": "taiwann"}))["topic"][0]
    target_actor = errors_of(api.get(STATEMENTS, {"target": "chna"}))["target"][0]
    target_topic = errors_of(api.get(STATEMENTS, {"target": "one-china-principl"}))["target"][0]

    assert "Did you mean" in stance and "K1" in stance
    assert "Did you mean taiwan?" in topic
    assert "Did you mean china" in target_actor
    assert "one-china-principle" in target_topic


@pytest.mark.parametrize(
    ("parameter", "identifier", "slug"),
    [
        ("country", "iso3166_alpha3:JPN", "japan"),
        ("speaker", "wikidata:Q148", "china"),
        ("recipient", "cameo:CHN", "china"),
        ("target", "iso3166_alpha3:CHN", "china"),
    ],
)
def test_every_actor_filter_takes_an_identifier(api, demo, parameter, identifier, slug):
    by_identifier = summaries(api, **{parameter: identifier})

    assert by_identifier and by_identifier == summaries(api, **{parameter: slug})


def test_category_codes_match_in_any_case(api, demo):
    assert summaries(api, stance="k1") == summaries(api, stance="K1") != []


def test_actor_search_matches_identifier_values(api, demo):
    response = api.get(reverse("actor-list"), {"q": "JPN"})

    assert [row["slug"] for row in response.json()["results"]] == ["japan"]


def test_intensity_bounds_join_the_same_tag_as_stance_and_target(api, demo):
    grave = summaries(api, stance="K1", target="china", intensity_min=3)
    mild = summaries(api, stance="W1", target="china", intensity_max=1)

    assert grave == ["Koizumi conveys grave concerns over China and Russia to NATO's Rutte and Italy's Crosetto"]
    assert mild == [
        "Japan Joint Staff: the US–Japan exercise over the Sea of Japan reaffirmed the will not to tolerate "
        "unilateral changes to the status quo by force",
        "Japan warns China over the Senkaku Islands",
    ]
    assert summaries(api, stance="W1", target="china", intensity_min=2) == []
    assert api.get(STATEMENTS, {"intensity_min": 5}).status_code == 400


def test_recipient_country_and_affiliation_follow_roles_on_the_date(api, demo):
    # Koizumi's video call was addressed to Mark Rutte (NATO's Secretary General) and Guido Crosetto (Italy).
    to_nato = summaries(api, recipient_affiliation="nato", date_after="2025-12-01", date_before="2025-12-31")
    to_italy = summaries(api, recipient_country="iso3166_alpha3:ITA")
    assert to_nato and to_nato == summaries(api, recipient="mark-rutte", date_after="2025-12-01")
    assert to_italy == summaries(api, recipient="guido-crosetto")
    assert "recipient_affiliation" in errors_of(api.get(STATEMENTS, {"recipient_affiliation": "mark-rutte"}))
