"""Requests are bounded: a query past PostgreSQL's statement_timeout is a 503 naming the cause, and the worker lives."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.urls import reverse

import pytest

from statements import documents
from statements.models import Statement
from tests.factories import make_actor, make_statement

ROOT = Path(__file__).resolve().parent.parent
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="statement_timeout is PostgreSQL's")
SHOW_TIMEOUT = (
    "from django.db import connection\n"
    "with connection.cursor() as cursor:\n"
    "    cursor.execute('SHOW statement_timeout')\n"
    "    print(cursor.fetchone()[0])\n"
)
# A process that loads the settings as gunicorn's config.wsgi does, without manage.py.
WEB_PROCESS = ["-c", "import django; django.setup(); exec(__import__('sys').argv[1])"]


def statement_timeout_seen_by(command, **environment):
    env = {name: value for name, value in os.environ.items() if not name.endswith("STATEMENT_TIMEOUT")}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", **environment)
    result = subprocess.run(
        [sys.executable, *command, SHOW_TIMEOUT], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return result.stdout.strip().splitlines()[-1]


@on_postgresql
def test_web_processes_are_bounded_and_commands_are_not():
    assert statement_timeout_seen_by(WEB_PROCESS) == "5s"
    assert statement_timeout_seen_by(WEB_PROCESS, DJANGO_STATEMENT_TIMEOUT="2500") == "2500ms"
    assert statement_timeout_seen_by(["manage.py", "shell", "-c"]) == "0"
    assert statement_timeout_seen_by(["manage.py", "shell", "-c"], DJANGO_COMMAND_STATEMENT_TIMEOUT="60000") == "1min"


@on_postgresql
def test_the_connection_to_postgresql_is_bounded():
    options = settings.DATABASES["default"]["OPTIONS"]

    assert options["connect_timeout"] == 5
    assert options["options"] == f"-c statement_timeout={settings.STATEMENT_TIMEOUT_MS}"


@pytest.fixture
def short_statement_timeout():
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = 100")
    yield
    with connection.cursor() as cursor:
        cursor.execute("RESET statement_timeout")


def sleeping(build):
    """`build`, after a query that sleeps a second."""

    def slowly(*args, **kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(1)")
        return build(*args, **kwargs)

    return slowly


@on_postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_cancelled_query_answers_503_json_and_the_next_request_works(api, short_statement_timeout, monkeypatch):
    make_statement([make_actor("Speaker")])
    monkeypatch.setattr("statements.views.statement_documents", sleeping(documents.statement_documents))

    response = api.get(reverse("statement-list"))

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json()["code"] == "query_timeout"
    assert "took longer than the 5 s allowed" in response.json()["detail"]

    monkeypatch.setattr("statements.views.statement_documents", documents.statement_documents)
    assert api.get(reverse("statement-list")).status_code == 200


@on_postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_cancelled_query_in_the_admin_is_a_plain_503(client, superuser, short_statement_timeout, monkeypatch):
    client.force_login(superuser)
    make_statement([make_actor("Speaker")])
    monkeypatch.setattr(
        "statements.admin.StatementAdmin.get_queryset",
        lambda self, request: Statement.objects.extra(where=["pg_sleep(1) IS NOT NULL"]),
    )

    response = client.get(reverse("admin:statements_statement_changelist"))

    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/plain")
    assert "took longer than" in response.content.decode()
