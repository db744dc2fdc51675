"""One WSGI callable for the benchmark: `/baseline/…` goes to the raw-SQL baseline, everything else to Django.

Served by one gunicorn, so the project and the baseline share the same workers, connections
to the same database, and the same HTTP stack. The prefix is stripped before the baseline sees
the path (not moved to SCRIPT_NAME), so its `next` and `previous` links name `/api/v1/…` exactly as
the project's do, and the two bodies can be compared byte for byte.

    gunicorn benchmarks.wsgi:application
"""

from benchmarks.baseline import make_application
from config.wsgi import application as project

PREFIX = "/baseline"

baseline = make_application()


def application(environ, start_response):
    path = environ.get("PATH_INFO", "")
    if path == PREFIX or path.startswith(PREFIX + "/"):
        environ["PATH_INFO"] = path[len(PREFIX) :] or "/"
        return baseline(environ, start_response)
    return project(environ, start_response)
