"""Checks every request passes, whichever view it reaches."""

import re

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


@pytest.mark.django_db
def test_the_openapi_document_says_free_text_takes_no_nul_character(api):
    document = api.get(reverse("schema"), {"format": "json"}).json()
    parameters = {
        parameter["name"]: parameter for parameter in document["paths"]["/api/v1/statements/"]["get"]["parameters"]
    }
    pattern = parameters["q"]["schema"]["items"]["pattern"]

    assert re.fullmatch(pattern, "grave concern 懸念")
    assert not re.fullmatch(pattern, "grave\x00")
    # A choice or a date says exactly what it takes already.
    assert "pattern" not in parameters["status"]["schema"]["items"]
    assert "pattern" not in parameters["date_after"]["schema"]["items"]


@pytest.mark.django_db
def test_an_empty_query_value_is_documented_as_the_parameter_left_out(api):
    document = api.get(reverse("schema"), {"format": "json"}).json()

    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query":
                    assert parameter["allowEmptyValue"] is True, (path, method, parameter["name"])
    blank = {"status": "", "q": "", "date_after": "", "intensity_min": "", "page_size": "", "cursor": ""}
    assert api.get(reverse("statement-list"), blank).json()["results"] == []
