"""Who history credits when no request says: commands, loaders and services acting for a user."""

import contextlib
from types import SimpleNamespace

from simple_history.models import HistoricalRecords


@contextlib.contextmanager
def acting_as(user):
    """Credit `user` for every history row written inside the block (as a request's user would be).

    django-simple-history reads the user from the current request, which a command does not have:
    without this, its rows say nobody did it.
    """
    context = HistoricalRecords.context
    previous = getattr(context, "request", None)
    context.request = SimpleNamespace(user=user)
    try:
        yield user
    finally:
        if previous is None:
            del context.request
        else:
            context.request = previous
