"""Every error under /api/ has one shape (config.errors), listed in the OpenAPI document; the admin keeps its pages."""

from django.db import OperationalError
from django.urls import reverse

import pytest

from tests.answers import errors_of
from tests.factories import make_actor, make_statement

STATEMENTS = reverse("statement-list")


@pytest.mark.parametrize(
    ("request_args", "status", "code"),
    [
        ({"path": "/api/v1/no-such-thing/"}, 404, "not_found"),
        ({"path": "/api/v1/statements/999999/"}, 404, "not_found"),
        ({"path": "/api/v1/statements/", "method": "delete"}, 405, "method_not_allowed"),
        ({"path": "/api/v1/statements/", "HTTP_ACCEPT": "application/xml"}, 406, "not_acceptable"),
        ({"path": "/api/v1/statements/", "HTTP_AUTHORIZATION": "Token wrong"}, 401, "authentication_failed"),
    ],
)
def test_errors_other_than_400_have_the_same_shape(api, superuser, request_args, status, code):
    args = dict(request_args)
    if args.get("method") == "delete":
        api.force_authenticate(superuser)
    method = getattr(api, args.pop("method", "get"))

    response = method(args.pop("path"), **args)

    assert errors_of(response, status) == {}
    assert response.json()["code"] == code
    assert response.json()["detail"]


def test_a_database_outage_is_a_503_with_retry_after_not_a_500_page(api, db, monkeypatch):
    make_statement([make_actor("Speaker")])

    def unreachable(*args, **kwargs):
        raise OperationalError("connection to server at 127.0.0.1:5432 failed: Connection refused")

    monkeypatch.setattr("statements.views.statement_documents", unreachable)

    response = api.get(STATEMENTS)

    assert errors_of(response, 503) == {}
    assert response.json()["code"] == "database_unavailable"
    assert response["Retry-After"] == "5"


def test_a_request_django_cannot_read_is_answered_by_the_api_not_by_django_s_html_400(api, db):
    # A form body with no multipart boundary: the API reads JSON bodies only, and a GET reads no body at all.
    response = api.generic("GET", STATEMENTS, data=b"x", content_type="multipart/form-data")

    assert response.status_code == 200
    assert response.json()["results"] == []


def test_a_host_not_allowed_is_a_400_in_the_api_s_shape(api, db):
    response = api.get(STATEMENTS, HTTP_HOST="elsewhere.example")

    assert errors_of(response) == {}
    assert response.json()["code"] == "bad_request"


def test_the_admin_keeps_its_own_pages(client, db):
    assert client.get("/admin/no-such-page/").status_code in (302, 404)
    assert "text/html" in client.get("/no-such-page/")["Content-Type"]


def test_the_openapi_document_lists_the_error_shape_for_every_operation(api, db):
    document = api.get(reverse("schema"), {"format": "json"}).json()

    assert document["components"]["schemas"]["Error"]["required"] == ["status", "code", "detail", "errors"]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status in ("400", "401", "403", "404", "405", "406", "429", "503"):
                if status in ("400", "404") and status not in operation["responses"]:
                    continue  # only where a parameter or a row can be wrong
                assert status in operation["responses"], (path, method, status)
            # gunicorn's (or a proxy's) answer to an address too long, before the API sees the request.
            assert list(operation["responses"]["414"]["content"]) == ["text/html"], (path, method)
            if "requestBody" in operation:
                assert "415" in operation["responses"], (path, method)
