"""Load the seed report's actors, topics and statements as demo data; running it again changes nothing."""

from django.core.management.base import BaseCommand, CommandError

from statements.demo import SOURCE_URL, DemoError, load_demo


class Command(BaseCommand):
    help = (
        "Load the demo data from the seed report (Japan, China and the December 2025 statements). "
        "Idempotent: a second run creates, updates and removes nothing."
    )

    def handle(self, *args, **options):
        try:
            tally = load_demo()
        except DemoError as error:
            raise CommandError(f"Nothing loaded: {error}") from error
        self.stdout.write(f"Demo data from the seed report ({SOURCE_URL}):")
        for line in tally.lines():
            self.stdout.write(f"  {line}")
