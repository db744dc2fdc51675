"""Request checks that hold for every view, the API and the admin alike."""

from django.http import JsonResponse


class RejectNulCharactersMiddleware:
    """Answer 400 to a NUL character in a query or form value.

    PostgreSQL cannot store or compare text containing NUL and raises a DataError (a 500) from
    whatever view passes the value on; no legitimate input contains one.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for source, values in (("query", request.GET), ("form", request.POST)):
            for name, value in values.lists():
                if "\x00" in name or any("\x00" in item for item in value):
                    return JsonResponse(
                        {name.replace("\x00", "") or source: ["Null characters are not allowed."]}, status=400
                    )
        return self.get_response(request)
