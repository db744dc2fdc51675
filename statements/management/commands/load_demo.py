"""Create what is missing of the demo data (statements/demo.toml); existing rows are left as they are."""

from django.core.management.base import BaseCommand, CommandError

from statements.demo import SOURCE_URL, DemoError, load_demo


class Command(BaseCommand):
    help = (
        "Create what is missing of the demo data (statements/demo.toml: the seed report on Japan, China and the "
        "December 2025 statements). Existing rows are never changed, so a curator's edits survive every run."
    )

    def handle(self, *args, **options):
        try:
            tally = load_demo()
        except DemoError as error:
            raise CommandError(f"Nothing loaded: {error}") from error
        self.stdout.write(f"Demo data from the seed report ({SOURCE_URL}):")
        for line in tally.lines():
            self.stdout.write(f"  {line}")
