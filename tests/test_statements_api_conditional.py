"""Conditional requests: an ETag and Last-Modified on statements, and 304 for a client that has them already."""

from django.urls import reverse

import pytest

from statements.models import Statement
from tests.factories import make_actor, make_statement

pytestmark = pytest.mark.django_db


@pytest.fixture
def statement(db):
    return make_statement([make_actor("Shinjiro Koizumi")], summary="Grave concerns")


@pytest.mark.parametrize("url_name", ["detail", "list"])
def test_a_client_that_has_the_current_body_gets_304_and_a_changed_one_200(api, statement, url_name):
    url = reverse("statement-detail", args=[statement.pk]) if url_name == "detail" else reverse("statement-list")
    first = api.get(url)
    assert first.status_code == 200
    assert first["ETag"] and first["Last-Modified"]

    unchanged = api.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    Statement.objects.filter(pk=statement.pk).update(summary="Reworded")  # as any save changes the body
    changed = api.get(url, HTTP_IF_NONE_MATCH=first["ETag"])

    assert unchanged.status_code == 304 and unchanged.content == b""
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]


def test_last_modified_is_the_latest_change_of_what_is_served(api, statement):
    response = api.get(reverse("statement-detail", args=[statement.pk]))

    assert response["Last-Modified"] == statement.updated_at.strftime("%a, %d %b %Y %H:%M:%S GMT")
