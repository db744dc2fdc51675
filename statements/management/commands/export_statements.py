"""Write every statement matching the API's filters as CSV or NDJSON (the files import_statements reads)."""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict

from statements import exchange
from statements.filters import StatementFilter
from statements.models import Statement


def option_name(filter_name):
    return "--" + filter_name.replace("_", "-")


class Command(BaseCommand):
    help = (
        "Write every statement matching the filters (those of the API, repeatable: --speaker japan --stance K) "
        "as CSV or NDJSON, to standard output or --output. Every status unless --status says which: this is "
        "an operator's tool; the API serves anonymous clients published statements only."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=list(exchange.FORMATS), default="csv")
        parser.add_argument("--shape", choices=list(exchange.SHAPES), default="statements")
        parser.add_argument("--output", "-o", help="A file to write (default: standard output).")
        parser.add_argument("--batch-size", type=int, default=1000, help="Statements read and written at a time.")
        filters = parser.add_argument_group("filters (as the API's, each repeatable: any of the values)")
        for name, statement_filter in StatementFilter.base_filters.items():
            help_text = statement_filter.extra.get("help_text", "")
            filters.add_argument(option_name(name), dest=f"filter_{name}", action="append", help=str(help_text))

    def handle(self, *args, format, shape, output, batch_size, **options):
        data = QueryDict(mutable=True)
        for name in StatementFilter.base_filters:
            for value in options.get(f"filter_{name}") or []:
                data.appendlist(name, value)
        filterset = StatementFilter(data, queryset=Statement.objects.all())
        if not filterset.is_valid():
            problems = "".join(
                f"\n  {option_name(name)}: {' '.join(messages)}" for name, messages in filterset.errors.items()
            )
            raise CommandError(f"Nothing written:{problems}")
        stream = open(output, "wb") if output else sys.stdout.buffer  # noqa: SIM115 (closed below unless stdout)
        try:
            for chunk in exchange.export(filterset.qs, format, shape, batch_size=batch_size):
                stream.write(chunk)
        finally:
            if output:
                stream.close()
            else:
                stream.flush()
