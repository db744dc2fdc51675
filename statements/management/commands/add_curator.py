"""Add a curator (or a reviewer) in one step: a staff account in the right groups."""

import getpass
import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from statements.services import WorkflowError, add_curator


class Command(BaseCommand):
    help = (
        "Create a curator's account (staff, in the curators group) or, with --reviewer, a reviewer's (who may "
        "also publish and retract). Without --password the password is asked for, or generated and printed "
        "once with --generate-password."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--reviewer", action="store_true", help="May publish and retract statements.")
        parser.add_argument("--email", default="")
        secret = parser.add_mutually_exclusive_group()
        secret.add_argument("--password", help="The password (else asked for).")
        secret.add_argument("--generate-password", action="store_true", help="Generate one and print it once.")

    def handle(self, *args, username, reviewer, email, password, generate_password, **options):
        if generate_password:
            password = secrets.token_urlsafe(12)
        elif password is None:
            password = getpass.getpass(f"Password for {username}: ")
        try:
            validate_password(password)
            user = add_curator(username=username, password=password, email=email, reviewer=reviewer)
        except (ValidationError, WorkflowError) as error:
            raise CommandError(" ".join(error.messages)) from error
        role = "reviewer" if reviewer else "curator"
        self.stdout.write(f"Added {role} {user.get_username()}: they log in at /admin/.")
        if generate_password:
            self.stdout.write(self.style.WARNING(f"Password (shown this once): {password}"))
