"""Import statements from a CSV or NDJSON exchange file, as export_statements writes them (statements.imports)."""

import csv
import io
import os
import sys

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tqdm import tqdm

from statements import annotations, exchange
from statements.imports import BATCH_SIZE, STATUS_CHOICES, ImportNotAllowed, import_statements
from statements.models import Statement

EXTENSIONS = {".csv": "csv", ".ndjson": "ndjson", ".jsonl": "ndjson"}


def find_user(username, option):
    User = get_user_model()
    try:
        return User.objects.get(**{User.USERNAME_FIELD: username})
    except User.DoesNotExist:
        raise CommandError(f"{option} {username}: no such user.") from None


class Command(BaseCommand):
    help = (
        "Import the statements of FILE (CSV or NDJSON, either shape, as export_statements writes them; - reads "
        "standard input). Statements are matched by uuid or identifier: new ones are inserted, changed ones "
        "updated (version raised, history kept), identical ones left alone. Every problem is listed by line and "
        "column; by default nothing is written if any statement has one."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The file to import, or - for standard input.")
        parser.add_argument(
            "--format", choices=list(exchange.FORMATS), help="csv or ndjson (default: from the file's extension)."
        )
        parser.add_argument("--user", help="Username of the importing user (required unless --dry-run).")
        parser.add_argument(
            "--status",
            choices=STATUS_CHOICES,
            default="draft",
            help="What new statements become (default draft; published and retracted need the permission to "
            "publish), or 'file' to take each line's status, for stored statements too.",
        )
        parser.add_argument(
            "--skip-invalid", action="store_true", help="Write the valid statements and list the others."
        )
        parser.add_argument("--dry-run", action="store_true", help="Check and classify everything, write nothing.")
        parser.add_argument(
            "--curator", help="Username standing in for a tag's curator the file does not name or names unknown."
        )
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE, help="Statements read and written at a time.")
        parser.add_argument(
            "--assign-to",
            help="Usernames of two curators or more, comma-separated: every statement the import writes is assigned "
            "to them for blind double tagging (the importing user must be a reviewer).",
        )

    def handle(
        self, *args, file, format, user, status, skip_invalid, dry_run, curator, batch_size, verbosity, assign_to, **_
    ):
        format = format or self.format_of(file)
        assignees = [find_user(name.strip(), "--assign-to") for name in assign_to.split(",")] if assign_to else []
        started = timezone.now()
        if batch_size < 1:
            raise CommandError(f"--batch-size must be at least 1, not {batch_size}.")
        if user is None and not dry_run:
            raise CommandError("--user is required (the importing user), unless --dry-run.")
        importing_user = find_user(user, "--user") if user else None
        fallback_curator = find_user(curator, "--curator") if curator else None
        stream = self.open(file)
        # tqdm redraws its line in place, which Django's stderr wrapper (it ends every write) would break.
        bar = tqdm(unit="statements", unit_scale=True, file=sys.stderr, disable=verbosity < 1)
        try:
            report = import_statements(
                exchange.read(stream, format),
                user=importing_user,
                status=status,
                skip_invalid=skip_invalid,
                dry_run=dry_run,
                curator=fallback_curator,
                source_name=os.path.basename(file) if file != "-" else "standard input",
                progress=bar.update,
                batch_size=batch_size,
            )
        except ImportNotAllowed as error:
            raise CommandError(f"Nothing written: {error}") from error
        except UnicodeDecodeError as error:
            raise CommandError(f"Nothing written: the file is not UTF-8 text ({error.reason}).") from error
        except csv.Error as error:
            raise CommandError(f"Nothing written: the CSV file cannot be read ({error}).") from error
        finally:
            bar.close()
            if file != "-":
                stream.close()

        for problem in report.problems:
            where = f"line {problem.line}, {problem.field}" if problem.field else f"line {problem.line}"
            self.stdout.write(f"{where}: {problem.reason}")
        refused = bool(report.rejected) and not skip_invalid
        if dry_run:
            self.stdout.write("Dry run, nothing written: the counts say what an import would do.")
        elif refused:
            self.stdout.write("Nothing written: the counts say what importing the statements without problems does.")
        elif report.rejected:
            self.stdout.write(f"Skipped the {report.rejected} statements with problems, listed above.")
        self.stdout.write(report.summary())
        if refused:
            count = report.rejected
            raise CommandError(
                f"{count} statement{'s' if count != 1 else ''} with problems: nothing written "
                f"(--skip-invalid writes the others)."
            )
        if assignees and not dry_run:
            # The statements this import wrote: those its user saved since it began, by their history.
            written = Statement.history.filter(history_user=importing_user, history_date__gte=started)
            statements = Statement.objects.filter(pk__in=written.values("id"))
            try:
                made = annotations.assign(statements, curators=assignees, user=importing_user)
            except (PermissionDenied, ValidationError) as error:
                reason = " ".join(getattr(error, "messages", [str(error)]))
                raise CommandError(f"Imported, but not assigned: {reason}") from error
            self.stdout.write(f"Assigned for blind double tagging: {made} annotation(s).")

    @staticmethod
    def format_of(file):
        extension = os.path.splitext(file)[1].lower()
        if extension not in EXTENSIONS:
            raise CommandError(f"Cannot tell the format of {file}: give --format csv or --format ndjson.")
        return EXTENSIONS[extension]

    @staticmethod
    def open(file):
        # newline="" keeps line breaks inside quoted CSV cells; utf-8-sig drops a byte order mark.
        if file == "-":
            return io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8-sig", newline="")
        try:
            return open(file, encoding="utf-8-sig", newline="")  # noqa: SIM115 (closed by handle)
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from error
