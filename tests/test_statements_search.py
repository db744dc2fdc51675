"""What `q` finds, in which order, and that an index serves it (statements.search)."""

from django.db import connection
from django.urls import reverse

import pytest

from statements.models import Statement
from tests.answers import errors_of
from tests.factories import make_actor, make_statement

STATEMENTS = reverse("statement-list")
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="full-text search needs PostgreSQL")


def found(api, **params):
    response = api.get(STATEMENTS, params)
    assert response.status_code == 200, response.content
    return [row["summary"] or row["text"] for row in response.json()["results"]]


@pytest.fixture
def speaker(db):
    return make_actor("Speaker")


def say(speaker, text, summary="", date="2025-12-01", **fields):
    return make_statement([speaker], date=date, text=text, summary=summary, **fields)


# On every database.


def test_a_word_is_found_in_the_text_or_the_summary_ignoring_case(api, speaker):
    say(speaker, "Grave concerns over the radar incident.", date="2025-12-01")
    say(speaker, "", summary="Japan voices GRAVE concern", date="2025-12-02")
    say(speaker, "Strengthen cooperation.", date="2025-12-03")

    assert sorted(found(api, q="grave")) == ["Grave concerns over the radar incident.", "Japan voices GRAVE concern"]


def test_every_word_must_appear_and_a_minus_excludes(api, speaker):
    say(speaker, "Grave concern over the fire-control radar.")
    say(speaker, "Grave concern over the joint flight with Russia.")

    assert found(api, q="radar grave") == ["Grave concern over the fire-control radar."]
    assert found(api, q="grave -russia") == ["Grave concern over the fire-control radar."]


def test_repeated_q_means_any(api, speaker):
    say(speaker, "Radar.", date="2025-12-01")
    say(speaker, "Bombers.", date="2025-12-02")
    say(speaker, "Cooperation.", date="2025-12-03")

    assert found(api, q=["radar", "bombers"]) == ["Bombers.", "Radar."]


@pytest.mark.parametrize("query", ["懸念", "懸", "重大な懸念", "重大 懸念"])
def test_japanese_is_found_as_a_substring_of_any_length(api, speaker, query):
    say(speaker, "中国に重大な懸念を伝えた", language="ja", date="2025-12-01")
    say(speaker, "協力を強化する", language="ja", date="2025-12-02")
    say(speaker, "Grave concern, 懸念 in English text.", date="2025-12-03")

    assert found(api, q=query)[-1] == "中国に重大な懸念を伝えた"
    assert "協力を強化する" not in found(api, q=query)


def test_a_query_of_only_spaces_or_quotes_filters_nothing(api, speaker):
    say(speaker, "Anything.")

    assert found(api, q="   ") == ["Anything."]
    assert found(api, q='""') == ["Anything."]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": [f"word{number}" for number in range(51)]}, "At most 50 values are accepted for one parameter"),
        # Counted as sent, blank ones too, as the OpenAPI document's maxItems says.
        ({"q": [""] * 51}, "At most 50 values are accepted for one parameter (51 were given)"),
        ({"q": "x" * 201}, "A value is at most 200 characters long"),
        ({"speaker": [f"actor-{number}" for number in range(51)]}, "At most 50 values"),
    ],
)
def test_a_parameter_is_bounded(api, db, params, message):
    response = api.get(STATEMENTS, params)

    assert response.status_code == 400
    [name] = params
    assert message in errors_of(response)[name][0]


# PostgreSQL: full-text search, ranked, served by indexes.


@on_postgresql
def test_web_search_syntax_phrases_or_and_minus(api, speaker):
    say(speaker, "Japan conveyed grave concerns to NATO.", date="2025-12-01")
    say(speaker, "The concern is not grave, said China.", date="2025-12-02")
    say(speaker, "Russia conveyed grave concerns too.", date="2025-12-03")

    assert found(api, q='"grave concern"', ordering="date") == [
        "Japan conveyed grave concerns to NATO.",
        "Russia conveyed grave concerns too.",
    ]
    assert found(api, q='"grave concern" -russia') == ["Japan conveyed grave concerns to NATO."]
    assert found(api, q="nato or china", ordering="date") == [
        "Japan conveyed grave concerns to NATO.",
        "The concern is not grave, said China.",
    ]


@on_postgresql
def test_english_word_forms_match_and_no_word_is_dropped_as_noise(api, speaker):
    say(speaker, "Tokyo is deeply concerned.", date="2025-12-01")
    say(speaker, "The US and the WHO were briefed.", date="2025-12-02")

    assert found(api, q="concerns") == ["Tokyo is deeply concerned."]
    # "us" and "who" are English stop words, but here they name a state and an organization.
    assert found(api, q="US") == ["The US and the WHO were briefed."]
    assert found(api, q="who") == ["The US and the WHO were briefed."]


@on_postgresql
def test_the_best_match_comes_first_unless_an_ordering_is_asked(api, speaker):
    say(speaker, "Radar mentioned once, among many other words about cooperation.", date="2025-12-03")
    say(speaker, "Talks.", summary="Radar lock-on protest", date="2025-12-01")
    say(speaker, "Radar, radar and radar again: the radar incident.", date="2025-12-02")
    say(speaker, "Nothing to see.", date="2025-12-04")

    assert found(api, q="radar") == [
        "Radar lock-on protest",
        "Radar, radar and radar again: the radar incident.",
        "Radar mentioned once, among many other words about cooperation.",
    ]
    assert found(api, q="radar", ordering="-date") == [
        "Radar mentioned once, among many other words about cooperation.",
        "Radar, radar and radar again: the radar incident.",
        "Radar lock-on protest",
    ]


@on_postgresql
def test_ranked_results_page_by_cursor_without_gaps_or_repeats(api, speaker):
    for number in range(23):
        say(speaker, "radar " * (number % 4 + 1) + f"statement {number}", date=f"2025-11-{number % 9 + 1:02d}")

    seen, url, params = [], STATEMENTS, {"q": "radar", "page_size": 5}
    while url:
        page = api.get(url, params).json()
        seen += [row["id"] for row in page["results"]]
        url, params = page["next"], None

    ranked = [row["id"] for row in api.get(STATEMENTS, {"q": "radar", "page_size": 50}).json()["results"]]
    assert seen == ranked
    assert len(set(seen)) == 23


@on_postgresql
def test_the_stored_document_follows_an_edit(api, speaker):
    statement = say(speaker, "Radar.")
    statement.text = "Bombers."
    statement.save()

    assert found(api, q="radar") == []
    assert found(api, q="bombers") == ["Bombers."]


def plan(queryset):
    with connection.cursor() as cursor:
        # With a handful of rows a sequential scan (or the date index) is cheapest: forbid both to see
        # which index can serve the search.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        sql, params = queryset.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@on_postgresql
@pytest.mark.parametrize(
    ("query", "index"),
    [
        ("grave concern", "statement_search_document"),
        ('"grave concern" -russia', "statement_search_document"),
        ("懸念", "statement_no_space_script_trigram"),
        ("重大な懸念", "statement_no_space_script_trigram"),
    ],
)
def test_an_index_serves_the_search(speaker, query, index):
    from statements import search

    say(speaker, "Grave concern. 中国に重大な懸念を伝えた")
    queryset = search.matching(Statement.objects.all(), [query], on_postgresql=True)

    assert index in plan(queryset)
