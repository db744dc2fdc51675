"""Make the local superuser for `make run`, printing its password once."""

import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Create the local admin account if it does not exist. The password comes from "
        "DJANGO_SUPERUSER_PASSWORD, or is generated and printed once. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default=os.environ.get("DJANGO_SUPERUSER_USERNAME", "admin"))

    def handle(self, *args, username, **options):
        User = get_user_model()
        given = os.environ.get("DJANGO_SUPERUSER_PASSWORD")
        user = User.objects.filter(username=username).first()
        if user is not None:
            if given and not user.check_password(given):
                user.set_password(given)
                user.save(update_fields=["password"])
                self.stdout.write(f"Admin account '{username}': password set from DJANGO_SUPERUSER_PASSWORD.")
            else:
                self.stdout.write(
                    f"Admin account '{username}' exists (its password was printed when it was made; "
                    f"to set a new one: python manage.py changepassword {username})."
                )
            return
        password = given or secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email="", password=password)
        if given:
            self.stdout.write(f"Admin account '{username}' created with the password in DJANGO_SUPERUSER_PASSWORD.")
        else:
            self.stdout.write(
                self.style.WARNING(
                    f"Admin account created. Log in at /admin/ as '{username}' with password: {password}\n"
                    "(shown this once; python manage.py changepassword changes it)"
                )
            )
