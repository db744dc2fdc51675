"""The admin at a million rows: capped counts, searches word by word through indexes, years without DISTINCT."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import pytest

from actors.models import ActorKind
from config.admin import CappedCountPaginator
from statements.admin import StanceTagAdmin, StatementAdmin
from statements.models import Polarity, Status
from tests.factories import make_actor, make_statement, make_tag, make_topic

STATEMENTS = "admin:statements_statement_changelist"
TAGS = "admin:statements_stancetag_changelist"


def listed(response):
    assert response.status_code == 200, response.status_code
    return {row.pk for row in response.context["cl"].result_list}


@pytest.fixture
def signed_in(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def cast(db, superuser):
    class Cast:
        china = make_actor("China", kind=ActorKind.STATE, slug="china", names=[("中国", "zh-Hans")])
        koizumi = make_actor("Shinjiro Koizumi", names=[("小泉進次郎", "ja")])
        rutte = make_actor("Mark Rutte")
        wang = make_actor("Wang Yi")
        taiwan = make_topic("Taiwan")
        briefing = make_statement([koizumi], [rutte], date="2025-12-10", text="Grave concerns over the radar.")
        reply = make_statement([wang], [koizumi], date="2024-03-01", text="Resolutely opposes the remarks.")
        old = make_statement([wang], [], date="2016-05-05", text="Taiwan is part of China.", status=Status.DRAFT)

    make_tag(Cast.briefing, "K1", superuser, target_actor=Cast.china)
    make_tag(Cast.reply, "O1", superuser, target_actor=Cast.koizumi, polarity=Polarity.AGAINST)
    make_tag(Cast.old, "A2", superuser, target_topic=Cast.taiwan, polarity=Polarity.FAVOR)
    return Cast


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("Koizumi", {"briefing", "reply"}),  # a speaker here, a recipient there
        ("小泉", {"briefing", "reply"}),
        ("Koizumi Rutte", {"briefing"}),  # every word must match, each anywhere
        ("koizumi radar", {"briefing"}),  # a name and a word of the text
        ('"Mark Rutte"', {"briefing"}),
        ("remarks", {"reply"}),
        ("nobody", set()),
    ],
)
def test_statement_search_matches_every_word_by_name_or_text(signed_in, cast, term, expected):
    response = signed_in.get(reverse(STATEMENTS), {"q": term})

    assert listed(response) == {getattr(cast, name).pk for name in expected}


def test_a_search_of_too_many_words_says_which_were_searched(signed_in, cast):
    response = signed_in.get(reverse(STATEMENTS), {"q": " ".join(["Koizumi"] * 12)}, follow=True)

    assert listed(response) == {cast.briefing.pk, cast.reply.pk}
    assert "Only the first 10 words were searched." in [str(message) for message in response.context["messages"]]


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("k1", {"briefing"}),
        ("o1", {"reply"}),
        ("Koizumi", {"reply"}),  # the target, not the speaker
        ("Taiwan", {"old"}),  # a topic target, and a word of the text
        ("radar", {"briefing"}),
    ],
)
@pytest.mark.parametrize("driving_limit", [20_000, 1], ids=["by ids", "row by row"])
def test_stance_tag_search_matches_codes_targets_and_statement_words(
    signed_in, cast, term, expected, driving_limit, monkeypatch
):
    monkeypatch.setattr(StanceTagAdmin, "driving_limit", driving_limit)
    response = signed_in.get(reverse(TAGS), {"q": term})

    assert {row.statement_id for row in response.context["cl"].result_list} == {
        getattr(cast, name).pk for name in expected
    }


def test_the_year_filter_offers_the_span_of_dates_and_filters_by_year(signed_in, cast):
    response = signed_in.get(reverse(STATEMENTS))
    specs = response.context["cl"].filter_specs
    [year_filter] = [spec for spec in specs if getattr(spec, "parameter_name", "") == "year"]

    assert [value for value, _ in year_filter.lookup_choices] == [str(year) for year in range(2025, 2015, -1)]
    assert listed(signed_in.get(reverse(STATEMENTS), {"year": "2024"})) == {cast.reply.pk}
    assert listed(signed_in.get(reverse(STATEMENTS), {"year": "2019"})) == set()


def test_a_year_that_is_not_a_year_is_refused_not_a_500(signed_in, cast):
    response = signed_in.get(reverse(STATEMENTS), {"year": "20x4"})

    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")


def test_the_count_stops_at_the_cap_and_says_more_than(signed_in, cast, monkeypatch):
    monkeypatch.setattr(CappedCountPaginator, "cap", 2)

    capped = signed_in.get(reverse(STATEMENTS)).content.decode()
    exact = signed_in.get(reverse(STATEMENTS), {"q": "Koizumi"}).content.decode()

    assert "more than 2 statements" in capped
    assert "2 results" in exact and "more than" not in exact


def test_the_count_reads_at_most_one_row_past_the_cap(signed_in, cast, monkeypatch):
    monkeypatch.setattr(CappedCountPaginator, "cap", 2)
    with CaptureQueriesContext(connection) as queries:
        signed_in.get(reverse(STATEMENTS))

    counts = [query["sql"] for query in queries if "COUNT(" in query["sql"].upper()]
    assert len(counts) == 1
    assert "LIMIT 3" in counts[0]


@pytest.mark.parametrize(("term", "expected"), [("Koizumi", {"briefing", "reply"}), ("koizumi radar", {"briefing"})])
def test_a_name_with_many_statements_is_found_by_probing_each_statement(signed_in, cast, term, expected, monkeypatch):
    # Past this many matches a word is checked on each statement, newest first.
    monkeypatch.setattr(StatementAdmin, "driving_limit", 1)
    response = signed_in.get(reverse(STATEMENTS), {"q": term})

    assert listed(response) == {getattr(cast, name).pk for name in expected}
