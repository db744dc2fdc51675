#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main():
    """Run administrative tasks."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if sys.argv[1:2] != ["runserver"]:
        # Web requests are bounded by DJANGO_STATEMENT_TIMEOUT; commands (migrate, imports, exports,
        # generated data) may run longer, unless DJANGO_COMMAND_STATEMENT_TIMEOUT bounds them too.
        os.environ["DJANGO_STATEMENT_TIMEOUT"] = os.environ.get("DJANGO_COMMAND_STATEMENT_TIMEOUT", "0")
    try:
        from django.core.management import execute_from_command_line
    except ImportError as exc:
        raise ImportError(
            "Couldn't import Django. Are you sure it's installed and "
            "available on your PYTHONPATH environment variable? Did you "
            "forget to activate a virtual environment?"
        ) from exc
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
