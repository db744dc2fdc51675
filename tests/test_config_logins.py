"""Failed admin logins are throttled per username and per address (django-axes), with a clear page and an unlock."""

from django.core.management import call_command
from django.urls import reverse

import pytest

from tests.factories import make_user

LOGIN = reverse("admin:login")


@pytest.fixture
def curator(db):
    return make_user("curator", "curators")


def log_in(client, username, password, address="203.0.113.7"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_five_wrong_passwords_lock_the_username_even_against_the_right_one(client, curator, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, "curator", "wrong").status_code == 200

    locked = log_in(client, "curator", "wrong")
    again = log_in(client, "curator", "curator-password-1", address="198.51.100.9")

    assert locked.status_code == again.status_code == 429
    assert "Too many failed logins" in again.text
    assert "axes_reset_username" in again.text
    assert "_auth_user_id" not in client.session


def test_an_address_guessing_many_usernames_is_locked_for_all_of_them(client, curator, settings):
    for number in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, f"guess-{number}", "wrong")

    assert log_in(client, "curator", "curator-password-1").status_code == 429
    assert log_in(client, "curator", "curator-password-1", address="198.51.100.9").status_code == 302


def test_an_administrator_unlocks_a_username_at_once(client, curator, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "curator", "wrong", address="198.51.100.20")

    call_command("axes_reset_username", "curator")

    assert log_in(client, "curator", "curator-password-1").status_code == 302


def test_a_successful_login_forgets_the_earlier_failures(client, curator, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(client, "curator", "wrong")
    assert log_in(client, "curator", "curator-password-1").status_code == 302
    client.logout()

    assert log_in(client, "curator", "wrong").status_code == 200
    assert log_in(client, "curator", "curator-password-1").status_code == 302
