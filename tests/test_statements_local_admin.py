"""`create_local_admin`, the step of `make run` that makes the local superuser."""

import io

from django.contrib.auth import get_user_model
from django.core.management import call_command

import pytest


def run():
    out = io.StringIO()
    call_command("create_local_admin", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_first_run_prints_a_generated_password_that_logs_in(monkeypatch):
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)

    output = run()

    password = output.split("with password: ")[1].split()[0]
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.check_password(password)


@pytest.mark.django_db
def test_second_run_keeps_the_account_and_prints_no_password(monkeypatch):
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)
    first = run()
    password_hash = get_user_model().objects.get(username="admin").password

    second = run()

    assert "password:" in first and "password:" not in second
    assert "exists" in second
    assert get_user_model().objects.get(username="admin").password == password_hash
    assert get_user_model().objects.count() == 1


@pytest.mark.django_db
def test_password_from_the_environment_is_used_and_reapplied(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "chosen-password-1")
    output = run()
    assert "chosen-password-1" not in output
    assert get_user_model().objects.get(username="admin").check_password("chosen-password-1")

    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "another-password-2")
    run()

    assert get_user_model().objects.get(username="admin").check_password("another-password-2")
