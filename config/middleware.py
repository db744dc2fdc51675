"""Request checks that hold for every view, the API and the admin alike."""

from django.conf import settings
from django.db import OperationalError
from django.http import HttpResponse

from psycopg.errors import QueryCanceled

from config.errors import error_response


class RejectNulCharactersMiddleware:
    """Answer 400 to a NUL character in a query or form value.

    PostgreSQL cannot store or compare text containing NUL and raises a DataError (a 500) from
    whatever view passes the value on; no legitimate input contains one.

    Under /api/ only the query is read here: the API takes JSON bodies only (DRF answers any other with 415,
    and its text fields refuse NUL), and reading a malformed form body here would answer Django's HTML 400
    before the API could answer in its own shape.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        sources = [("query", request.GET)]
        if not request.path.startswith("/api/"):
            sources.append(("form", request.POST))
        for source, values in sources:
            for name, value in values.lists():
                if "\x00" in name or any("\x00" in item for item in value):
                    parameter = name.replace("\x00", "") or source
                    reason = "Null characters are not allowed."
                    return error_response(400, "invalid", f"{parameter}: {reason}", {parameter: [reason]})
        return self.get_response(request)


class QueryTimeoutMiddleware:
    """Answer 503 when PostgreSQL cancelled a query that ran past `statement_timeout`, or cannot be reached.

    The worker stays alive and the connection usable; the client learns why and when to retry, in
    JSON under /api/ and as a short page elsewhere (the admin).
    """

    retry_after_seconds = 5

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError):
            return None
        if isinstance(exception.__cause__, QueryCanceled):
            seconds = settings.STATEMENT_TIMEOUT_MS / 1000
            code = "query_timeout"
            detail = (
                f"The database took longer than the {seconds:g} s allowed for one query and stopped it. "
                "Narrow the request (more filters, a shorter date range, a smaller page_size) or try again later."
            )
        else:
            # The database is down, restarting or unreachable: a moment's outage, not the client's fault.
            code = "database_unavailable"
            detail = "The database cannot be reached just now. Try again in a few seconds."
        if request.path.startswith("/api/"):
            return error_response(503, code, detail, retry_after=self.retry_after_seconds)
        response = HttpResponse(detail, status=503, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = str(self.retry_after_seconds)
        return response
