"""A statement's identifiers: its own uuid for life, and (scheme, value) pairs of other systems, unique per scheme."""

import uuid

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

import pytest

from statements.models import StatementIdentifier
from tests.answers import errors_of
from tests.factories import make_actor, make_statement

STATEMENTS = reverse("statement-list")


@pytest.fixture
def statements(db):
    speaker = make_actor("Speaker")
    first = make_statement([speaker], date="2025-12-01")
    second = make_statement([speaker], date="2025-12-02")
    StatementIdentifier.objects.create(statement=first, scheme="polecat", value="pc-17")
    StatementIdentifier.objects.create(statement=first, scheme="gdelt", value="1234567")
    return first, second


def listed(api, **params):
    response = api.get(STATEMENTS, params)
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_every_statement_gets_its_own_uuid_and_keeps_it(statements):
    first, second = statements
    kept = first.uuid

    first.summary = "Edited."
    first.save()
    first.refresh_from_db()

    assert isinstance(kept, uuid.UUID) and first.uuid == kept
    assert first.uuid != second.uuid


def test_the_api_lists_the_uuid_first_then_other_systems_by_scheme(api, statements):
    first, _ = statements

    identifiers = api.get(reverse("statement-detail", kwargs={"pk": first.pk})).json()["identifiers"]

    assert identifiers == [
        {"scheme": "uuid", "value": str(first.uuid)},
        {"scheme": "gdelt", "value": "1234567"},
        {"scheme": "polecat", "value": "pc-17"},
    ]


def test_the_identifier_filter_takes_the_uuid_or_another_systems_identifier(api, statements):
    first, second = statements

    assert listed(api, identifier=f"uuid:{second.uuid}") == [second.pk]
    assert listed(api, identifier="gdelt:1234567") == [first.pk]
    assert listed(api, identifier=["gdelt:1234567", f"uuid:{second.uuid}"]) == [second.pk, first.pk]
    # An identifier no statement has is an answer (none), not an error.
    assert listed(api, identifier="gdelt:999") == []


@pytest.mark.parametrize(
    ("value", "reason"),
    [("1234567", "is not scheme:value"), ("gdelt:", "is not scheme:value"), ("uuid:not-a-uuid", "is not a UUID")],
)
def test_a_malformed_identifier_is_a_400_naming_it(api, db, value, reason):
    response = api.get(STATEMENTS, {"identifier": value})

    assert response.status_code == 400
    assert reason in errors_of(response)["identifier"][0]


def test_an_identifier_is_unique_per_scheme(statements):
    _, second = statements

    with pytest.raises(IntegrityError), transaction.atomic():
        StatementIdentifier.objects.create(statement=second, scheme="gdelt", value="1234567")
    StatementIdentifier.objects.create(statement=second, scheme="icews", value="1234567")


def test_the_uuid_scheme_is_the_statements_own_and_cannot_be_stored(statements):
    _, second = statements

    with pytest.raises(IntegrityError), transaction.atomic():
        StatementIdentifier.objects.create(statement=second, scheme="uuid", value=str(uuid.uuid4()))


@pytest.mark.parametrize(("scheme", "value"), [("GDELT", "1"), ("gdelt", "a b"), ("gdelt", "a|b"), ("", "1")])
def test_a_scheme_is_a_short_lower_case_name_and_a_value_one_token(statements, scheme, value):
    with pytest.raises(ValidationError):
        StatementIdentifier(statement=statements[1], scheme=scheme, value=value).full_clean()


def test_identifiers_keep_a_history(statements):
    identifier = StatementIdentifier.objects.get(scheme="gdelt")
    identifier.value = "7654321"
    identifier.save()

    assert [record.value for record in identifier.history.all()] == ["7654321", "1234567"]


def test_a_curator_finds_a_statement_by_identifier_in_the_admin(client, superuser, statements):
    first, second = statements
    client.force_login(superuser)
    changelist = reverse("admin:statements_statement_changelist")

    found = client.get(changelist, {"q": "gdelt:1234567"}).context["cl"].result_list
    by_uuid = client.get(changelist, {"q": f"uuid:{second.uuid}"}).context["cl"].result_list

    assert [statement.pk for statement in found] == [first.pk]
    assert [statement.pk for statement in by_uuid] == [second.pk]


def test_the_change_page_shows_the_uuid_and_an_identifier_inline(client, superuser, statements):
    first, _ = statements
    client.force_login(superuser)

    page = client.get(reverse("admin:statements_statement_change", args=[first.pk])).content.decode()

    assert str(first.uuid) in page
    assert "identifiers in other systems" in page.lower()
    assert 'value="1234567"' in page
