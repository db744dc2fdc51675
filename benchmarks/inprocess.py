"""What the benchmark asks of Django in-process, against the bench database in DATABASE_URL.

Run by `benchmarks/run.py` in a subprocess (one per dataset), printing JSON on stdout:

    python -m benchmarks.inprocess prepare            # the bench superuser, the generator's words
    python -m benchmarks.inprocess queries PATH …     # queries per list request at page sizes 1, 50, 500
"""

import argparse
import json
import os
import secrets
import sys

import django

PAGE_SIZES = (1, 50, 500)
ADMIN_USERNAME = "bench-admin"


def prepare():
    """A superuser to log in to the admin with (a fresh password every run), and the generator's words."""
    from django.contrib.auth import get_user_model

    password = secrets.token_urlsafe(24)
    user, _ = get_user_model().objects.get_or_create(
        username=ADMIN_USERNAME, defaults={"email": "bench-admin@example.invalid"}
    )
    user.is_staff = user.is_superuser = user.is_active = True
    user.set_password(password)
    user.save()
    return {"username": ADMIN_USERNAME, "password": password, "synthetic": synthetic_constants()}


def synthetic_constants():
    """The words and the state with ~200 bodies that `statements.synthetic` plants in the data."""
    from statements import synthetic

    return {
        "rare_word": synthetic.RARE_WORD,
        "common_word": synthetic.COMMON_WORD,
        "cjk_word": synthetic.CJK_WORD,
        "country": synthetic.STATE_WITH_BODIES,
    }


def queries(paths):
    """The number of SQL queries each list request runs, per page size (the same at every size, or a leak)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    counts = {}
    for path in paths:
        separator = "&" if "?" in path else "?"
        client.get(path)  # content types, permissions and the like, cached once per process
        counts[path] = {}
        for size in PAGE_SIZES:
            with CaptureQueriesContext(connection) as captured:
                response = client.get(f"{path}{separator}page_size={size}")
            if response.status_code != 200:
                raise SystemExit(f"{path} at page_size={size} answered {response.status_code}")
            counts[path][str(size)] = len(captured.captured_queries)
    return counts


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("prepare")
    count = commands.add_parser("queries")
    count.add_argument("paths", nargs="+")
    arguments = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    result = prepare() if arguments.command == "prepare" else queries(arguments.paths)
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
