"""Bad input to the read API is a 400 naming the parameter and the reason, never a 500; big pages are capped."""

import base64
import datetime
import json
import urllib.parse

from django.urls import reverse

import pytest

from actors.models import ActorKind
from statements.models import Channel, Statement, Status
from tests.answers import errors_of
from tests.factories import make_actor, make_statement, make_topic

STATEMENTS = reverse("statement-list")


@pytest.fixture
def some_statements(db):
    make_actor("NATO", kind=ActorKind.INTERNATIONAL_ORGANIZATION, slug="nato")
    koizumi = make_actor("Shinjiro Koizumi", slug="shinjiro-koizumi")
    make_topic("Taiwan", slug="taiwan")
    make_statement([koizumi], date="2025-12-10")
    make_statement([koizumi], date="2025-12-10")
    make_statement([koizumi], date="2025-12-11")


def cursor(position=None, **tokens):
    """A cursor as the paginator encodes one, here with whatever position a client forged."""
    if position is not None:
        tokens["p"] = position
    return base64.b64encode(urllib.parse.urlencode(tokens).encode()).decode()


@pytest.mark.parametrize(
    ("params", "parameter", "fragment"),
    [
        ({"date_after": "yesterday"}, "date_after", "'yesterday'"),
        ({"date_before": "2025-13-01"}, "date_before", "ISO date"),
        ({"date_after": "10/12/2025"}, "date_after", "ISO date"),
        ({"updated_after": "last week"}, "updated_after", "'last week' is not an ISO 8601"),
        # No UTC value: before year 1 or after year 9999 once the offset is applied.
        ({"updated_after": "0001-01-01T00:00:00+14:00"}, "updated_after", "is not an ISO 8601"),
        ({"updated_after": "9999-12-31T23:59:59-14:00"}, "updated_after", "is not an ISO 8601"),
        ({"stance": "NOPE"}, "stance", "'NOPE'"),
        ({"stance": "k9"}, "stance", "'k9'"),
        ({"speaker": "no-such-actor"}, "speaker", "Unknown actor: 'no-such-actor'"),
        ({"speaker": str(10**30)}, "speaker", "Unknown actor"),
        ({"speaker": "\x00"}, "speaker", "Null characters"),
        ({"recipient": "no-such-actor"}, "recipient", "'no-such-actor'"),
        ({"actor": "999999"}, "actor", "'999999'"),
        ({"country": "nato"}, "country", "expected kind state"),
        ({"country": "atlantis"}, "country", "'atlantis'"),
        ({"affiliation": "shinjiro-koizumi"}, "affiliation", "kind person"),
        ({"target": "nobody"}, "target", "'nobody'"),
        ({"topic": "atlantis"}, "topic", "'atlantis'"),
        ({"polarity": "sideways"}, "polarity", "'sideways'"),
        ({"channel": "carrier_pigeon"}, "channel", "'carrier_pigeon'"),
        ({"status": "secret"}, "status", "'secret'"),
        ({"q": "grave\x00"}, "q", "Null characters"),
        ({"ordering": "password"}, "ordering", "'password'"),
        ({"ordering": "date,text"}, "ordering", "'text'"),
        ({"cursor": "garbage"}, "cursor", "Malformed cursor"),
        ({"cursor": "ÿ"}, "cursor", "Malformed cursor"),
        ({"cursor": cursor(json.dumps(["not a date", "1"]))}, "cursor", "Malformed cursor"),
        ({"cursor": cursor(json.dumps(["2025-12-10", str(10**30)]))}, "cursor", "Malformed cursor"),
        ({"cursor": cursor(json.dumps(["2025-12-10", None]))}, "cursor", "Malformed cursor"),
        ({"cursor": cursor(json.dumps(["2025-12-10\x00", "1"]))}, "cursor", "Malformed cursor"),
        ({"cursor": cursor(json.dumps(["2025-12-10"]))}, "cursor", "Malformed cursor"),
        ({"cursor": cursor("2025-12-10")}, "cursor", "Malformed cursor"),
        ({"cursor": cursor(json.dumps(["2025-12-10", "1"]), r="x")}, "cursor", "Malformed cursor"),
        (
            {"ordering": "updated_at", "cursor": cursor(json.dumps(["0001-01-01T00:00:00+14:00", "1"]))},
            "cursor",
            "Malformed cursor",
        ),
        ({"intensity_min": "5"}, "intensity_min", "less than or equal to 4"),
        ({"intensity_max": "high"}, "intensity_max", "whole number"),
        ({"page_size": "abc"}, "page_size", "whole number"),
        ({"page_size": "0"}, "page_size", "whole number"),
        ({"page_size": "-5"}, "page_size", "whole number"),
    ],
)
def test_bad_statement_parameter_is_a_400_naming_it(api, some_statements, params, parameter, fragment):
    response = api.get(STATEMENTS, params)

    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/json"
    assert list(errors_of(response)) == [parameter]
    assert any(fragment in reason for reason in errors_of(response)[parameter]), response.json()


def test_intensity_is_documented_as_the_whole_numbers_it_takes(api, db):
    document = api.get(reverse("schema"), {"format": "json"}).json()
    parameters = {parameter["name"]: parameter for parameter in document["paths"][STATEMENTS]["get"]["parameters"]}

    for name in ("intensity_min", "intensity_max"):
        assert parameters[name]["schema"] == {"type": "integer", "minimum": 0, "maximum": 4}


def test_several_bad_parameters_are_all_named(api, some_statements):
    response = api.get(
        STATEMENTS, {"date_after": "yesterday", "stance": "NOPE", "speaker": "no-such-actor", "ordering": "password"}
    )

    assert response.status_code == 400
    assert set(errors_of(response)) == {"date_after", "stance", "speaker", "ordering"}


def test_unknown_values_among_known_ones_are_each_named(api, some_statements):
    response = api.get(STATEMENTS, {"speaker": ["shinjiro-koizumi", "ghost-1", "ghost-2"]})

    reason = "Unknown actor: 'ghost-1', 'ghost-2' (give a slug, a numeric id or an identifier, scheme:value)."
    assert response.json() == {
        "status": 400,
        "code": "invalid",
        "detail": f"speaker: {reason}",
        "errors": {"speaker": [reason]},
    }


def test_bad_filter_on_a_detail_url_is_a_400_too(api, some_statements):
    statement = Statement.objects.first()

    response = api.get(reverse("statement-detail", kwargs={"pk": statement.pk}), {"date_after": "yesterday"})

    assert response.status_code == 400
    assert "date_after" in errors_of(response)


@pytest.mark.parametrize(
    ("url", "params", "parameter"),
    [
        (reverse("stance-category-list"), {"taxonomy": "nope"}, "taxonomy"),
        (reverse("stance-category-list"), {"parent": "NOPE"}, "parent"),
        (reverse("topic-list"), {"q": "\x00"}, "q"),
        (reverse("topic-list"), {"cursor": "garbage"}, "cursor"),
        (reverse("actor-list"), {"page_size": "many"}, "page_size"),
    ],
)
def test_bad_parameters_of_other_lists_are_a_400_naming_them(api, db, url, params, parameter):
    response = api.get(url, params)

    assert response.status_code == 400
    assert list(errors_of(response)) == [parameter]


def test_a_cursor_from_another_ordering_does_not_fail(api, some_statements):
    by_date = api.get(STATEMENTS, {"ordering": "date", "page_size": 1})
    forged = by_date.data["next"].replace("ordering=date", "ordering=-updated_at")

    assert api.get(forged).status_code == 200


@pytest.fixture
def many_statements_on_one_day(db):
    """1502 published statements on the same date, made in bulk: more than DRF's cursor could page through."""
    speaker = make_actor("Speaker")
    statements = Statement.objects.bulk_create(
        Statement(date=datetime.date(2025, 12, 10), channel=Channel.VIDEO_CALL, text="Bulk", status=Status.PUBLISHED)
        for _ in range(1502)
    )
    Speaking = Statement.speakers.through
    Speaking.objects.bulk_create(Speaking(statement_id=statement.pk, actor_id=speaker.pk) for statement in statements)
    return sorted(statement.pk for statement in statements)


def test_oversized_page_size_is_capped_at_500(api, many_statements_on_one_day):
    response = api.get(STATEMENTS, {"page_size": 100000})

    assert response.status_code == 200
    assert len(response.data["results"]) == 500
    assert response.data["next"] is not None


def test_cursor_pages_past_a_thousand_statements_sharing_a_date(api, many_statements_on_one_day):
    # DRF's own cursor skips ties by an offset capped at 1000: from the fourth page on it would
    # serve the third again. Positions here carry the id, so every page moves on.
    seen, sizes = [], []
    response = api.get(STATEMENTS, {"page_size": 500})
    while True:
        assert response.status_code == 200
        sizes.append(len(response.data["results"]))
        seen += [row["id"] for row in response.data["results"]]
        if not response.data["next"]:
            break
        response = api.get(response.data["next"])

    assert sizes == [500, 500, 500, 2]
    assert seen == many_statements_on_one_day[::-1]


ODD_VALUES = ["", " ", "\x00", "'", "%", "-1", "0", "9" * 30, "K", "2025-12-10", "x" * 2000, "小泉", "a,b", "null"]
LIST_PARAMETERS = {
    "statement-list": sorted(
        {"speaker", "recipient", "actor", "country", "affiliation", "stance", "polarity", "target", "topic"}
        | {"channel", "language", "status", "date_after", "date_before", "updated_after", "q", "ordering"}
        | {"cursor", "page_size"}
    ),
    "actor-list": ["kind", "country", "q", "cursor", "page_size"],
    "topic-list": ["q", "cursor", "page_size"],
    "stance-category-list": ["taxonomy", "parent", "cursor", "page_size"],
}


@pytest.mark.parametrize(
    ("url_name", "parameter"), [(name, parameter) for name, names in LIST_PARAMETERS.items() for parameter in names]
)
def test_no_value_of_any_parameter_is_a_server_error(api, some_statements, url_name, parameter):
    for value in ODD_VALUES:
        response = api.get(reverse(url_name), {parameter: [value, value]})
        assert response.status_code in (200, 400), (parameter, value, response.content[:200])
        if response.status_code == 400:
            assert parameter in errors_of(response)


@pytest.mark.parametrize("url_name", ["actor-detail", "topic-detail", "stance-category-detail"])
@pytest.mark.parametrize("value", ["\x00", "a\x00b", "%", "小泉", "9" * 30])
def test_no_odd_slug_or_code_in_a_detail_url_is_a_server_error(api, some_statements, url_name, value):
    # A NUL reached PostgreSQL through the slug lookup (a 500 there); it is no address at all.
    path = reverse(url_name, kwargs={"code" if url_name == "stance-category-detail" else "slug": "placeholder"})
    response = api.get(path.replace("placeholder", urllib.parse.quote(value)))
    assert response.status_code == 404


@pytest.mark.parametrize("parameter", ["intensity", "date_from", "search", "page", "limit"])
def test_an_unknown_parameter_is_a_400_naming_it_and_the_accepted_ones(api, db, parameter):
    response = api.get(reverse("statement-list"), {parameter: "3"})

    assert response.status_code == 400
    (message,) = errors_of(response)[parameter]
    assert message.startswith("Unknown parameter. Accepted: ")
    assert "speaker" in message and "page_size" in message and "cursor" in message


def test_the_export_accepts_its_own_parameters_and_refuses_unknown_ones(api, db):
    assert api.get(reverse("statement-export"), {"format": "csv", "shape": "tags"}).status_code == 200
    assert api.get(reverse("statement-export"), {"format": "csv", "colour": "red"}).status_code == 400
