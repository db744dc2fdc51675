"""Stable, opaque names for people whose login names are not published: curators, as anonymous clients see them.

Free of Django on purpose: the benchmark's raw-SQL baseline computes the same handles.
"""

import hashlib
import hmac


def curator_handle(user_id, key):
    """`curator-` and 12 hex digits, the same for a user every time (as long as `key` stays), revealing nothing."""
    digest = hmac.new(key.encode(), f"curator:{user_id}".encode(), hashlib.sha256).hexdigest()
    return f"curator-{digest[:12]}"
