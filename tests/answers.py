"""Reading the API's answers in tests: the one error shape (config.errors)."""


def errors_of(response, status=400):
    """The `errors` of an error answer, after checking the answer has the one shape and the status."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"status", "code", "detail", "errors"}, body
    assert body["status"] == status
    return body["errors"]
