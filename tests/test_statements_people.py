"""A superuser adds a curator or a reviewer in one step: by command or in the admin, staff status included."""

import io

from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse

import pytest

pytestmark = pytest.mark.django_db


def groups_of(username):
    user = get_user_model().objects.get(username=username)
    return user.is_staff, sorted(user.groups.values_list("name", flat=True))


def test_the_command_adds_a_curator_and_a_reviewer_who_can_log_in(client):
    out = io.StringIO()
    call_command("add_curator", "aiko", "--password", "a-long-unusual-passphrase", stdout=out)
    call_command("add_curator", "ben", "--reviewer", "--generate-password", stdout=out)

    assert groups_of("aiko") == (True, ["curators"])
    assert groups_of("ben") == (True, ["curators", "reviewers"])
    assert "Password (shown this once):" in out.getvalue()
    login = client.post(reverse("admin:login"), {"username": "aiko", "password": "a-long-unusual-passphrase"})
    assert login.status_code == 302


def test_the_command_refuses_a_taken_name_or_a_weak_password():
    call_command("add_curator", "aiko", "--password", "a-long-unusual-passphrase", stdout=io.StringIO())

    with pytest.raises(CommandError, match="already a user"):
        call_command("add_curator", "aiko", "--password", "another-long-passphrase", stdout=io.StringIO())
    with pytest.raises(CommandError, match="too short|too common"):
        call_command("add_curator", "chen", "--password", "1234", stdout=io.StringIO())


def test_a_superuser_adds_a_reviewer_in_one_form(client, superuser):
    client.force_login(superuser)

    response = client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "dana",
            "usable_password": "true",
            "password1": "a-long-unusual-passphrase",
            "password2": "a-long-unusual-passphrase",
            "role": "reviewer",
        },
    )

    assert response.status_code == 302, response.content
    assert groups_of("dana") == (True, ["curators", "reviewers"])
