"""Add synthetic statements on top of the demo, for benchmarks (see statements.synthetic)."""

import sys
import time

from django.core.management.base import BaseCommand, CommandError

from tqdm import tqdm

from statements import synthetic
from statements.demo import DemoError


def duration(seconds):
    minutes, seconds = divmod(seconds, 60)
    return f"{int(minutes)}m {seconds:04.1f}s" if minutes else f"{seconds:.1f}s"


class Command(BaseCommand):
    help = (
        "Load the demo, then add COUNT synthetic statements with the actors, topics, sources and stance tags "
        "they need, the same for the same seed. For benchmarks: it refuses a database that already holds them."
    )

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, required=True, help="How many statements to add (at least 1).")
        parser.add_argument("--seed", type=int, default=0, help="The same seed gives the same data (default 0).")

    def handle(self, *args, count, seed, verbosity, **options):
        if count < 1:
            raise CommandError(f"--count must be at least 1, not {count}.")
        # tqdm redraws its line in place, which Django's stderr wrapper (it ends every write) would break.
        started = time.monotonic()
        with tqdm(total=count, unit="statements", unit_scale=True, file=sys.stderr, disable=verbosity < 1) as bar:
            try:
                report = synthetic.generate(count=count, seed=seed, progress=bar.update)
            except (synthetic.GenerationRefused, DemoError) as error:
                raise CommandError(f"Nothing written: {error}") from error
        self.stdout.write(
            f"Synthetic data from seed {seed}, on top of the demo ({report.demo_created} demo rows created):"
        )
        self.stdout.write(f"  users: {report.curators} curators created")
        for name, rows in report.created.items():
            self.stdout.write(f"  {name}: {rows} created")
        steps = ", ".join(f"{step} {duration(seconds)}" for step, seconds in report.seconds.items())
        self.stdout.write(f"Took {duration(time.monotonic() - started)} ({steps}).")
        if report.rebuilt_indexes:
            names = f": {', '.join(report.rebuilt_indexes)}" if verbosity > 1 else ""
            self.stdout.write(f"Dropped {len(report.rebuilt_indexes)} indexes for COPY and rebuilt them{names}.")
        self.stdout.write(
            f"Busiest state, with the most bodies: {synthetic.BUSY_STATE_SLUG}. Words planted: "
            f"{synthetic.RARE_WORD} (rare), {synthetic.COMMON_WORD} (common), {synthetic.CJK_WORD} (CJK)."
        )
