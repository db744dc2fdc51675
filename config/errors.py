"""One error shape for everything under /api/: DRF's exceptions, Django's 404 and 500, the database's outages.

    {"status": 400, "code": "invalid", "detail": "speaker: Unknown actor: 'x'.", "errors": {"speaker": ["…"]}}

`status` repeats the HTTP status; `code` is for programs (invalid, not_found, throttled, query_timeout,
database_unavailable, …); `detail` is one sentence for people; `errors` maps each parameter or field at
fault to its reasons (empty when no single parameter is). 429 and 503 carry Retry-After.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, JsonResponse

from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

API_PREFIX = "/api/"
RETRY_AFTER_SECONDS = 5


def error_body(status, code, detail, errors=None):
    return {"status": status, "code": code, "detail": detail, "errors": errors or {}}


def error_response(status, code, detail, errors=None, retry_after=None):
    response = JsonResponse(error_body(status, code, detail, errors), status=status)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


def messages_of(value):
    if isinstance(value, dict):
        return [message for item in value.values() for message in messages_of(item)]
    if isinstance(value, list):
        return [message for item in value for message in messages_of(item)]
    return [str(value)]


def validation_errors(data):
    """{parameter: [reasons]} from a ValidationError's data (a dict of lists, or a list)."""
    if isinstance(data, dict):
        return {str(name): messages_of(reasons) for name, reasons in data.items()}
    return {"non_field_errors": messages_of(data)}


def api_exception_handler(exc, context):
    """DRF's handler, with every error it answers put in the one shape."""
    if isinstance(exc, RequestDataTooBig):
        from config.writes import RequestTooLarge

        exc = RequestTooLarge(f"The request body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,} bytes.")
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = validation_errors(response.data)
        detail = "; ".join(f"{name}: {' '.join(reasons)}" for name, reasons in errors.items())
        response.data = error_body(response.status_code, "invalid", detail, errors)
        return response
    if isinstance(exc, Http404):
        code = "not_found"
    elif isinstance(exc, PermissionDenied):
        code = "permission_denied"
    else:
        code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        code = code if isinstance(code, str) else "error"
    detail = response.data.get("detail", str(exc)) if isinstance(response.data, dict) else str(exc)
    # A conflict may name the fields at fault too (a slug taken: config.writes).
    response.data = error_body(response.status_code, code, str(detail), getattr(exc, "errors", None))
    return response


def is_api(request):
    return request.path.startswith(API_PREFIX)


def bad_request(request, exception=None):
    """Django's 400 outside any view (a Host header not allowed, a request it cannot read): JSON under /api/."""
    if is_api(request):
        return error_response(400, "bad_request", "The request could not be read (a malformed header or body).")
    from django.views.defaults import bad_request as django_bad_request

    return django_bad_request(request, exception)


def page_not_found(request, exception=None):
    """Django's 404 outside any view (an unknown URL): JSON under /api/, the usual page elsewhere."""
    if is_api(request):
        return error_response(404, "not_found", "No such address in the API: see /api/v1/ and /api/v1/docs/.")
    from django.views.defaults import page_not_found as django_page_not_found

    return django_page_not_found(request, exception)


def server_error(request):
    if is_api(request):
        return error_response(500, "server_error", "Something went wrong on our side; it has been logged.")
    from django.views.defaults import server_error as django_server_error

    return django_server_error(request)
