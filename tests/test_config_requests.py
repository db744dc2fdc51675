"""Checks every request passes, whichever view it reaches."""

from django.urls import reverse

import pytest

from tests.answers import errors_of


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url, params",
    [
        ("statement-list", {"q": "grave\x00"}),
        ("statement-list", {"status": "\x00"}),
        ("actor-list", {"q": "\x00"}),
        ("admin:statements_statement_changelist", {"status": "\x00"}),
        ("admin:statements_statement_changelist", {"q": "Koizumi\x00"}),
    ],
)
def test_a_nul_character_in_a_query_value_is_a_400_naming_the_parameter(client, superuser, url, params):
    client.force_login(superuser)

    response = client.get(reverse(url), params)

    assert response.status_code == 400
    assert list(errors_of(response)) == list(params)


@pytest.mark.django_db
def test_a_nul_character_in_a_form_value_is_refused_before_the_admin_sees_it(client, superuser):
    client.force_login(superuser)

    response = client.post(reverse("admin:statements_topic_add"), {"slug": "taiwan", "name": "Tai\x00wan"})

    assert errors_of(response) == {"name": ["Null characters are not allowed."]}
