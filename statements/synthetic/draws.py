"""How the synthetic rows are drawn: `Draw` over weighted items, the weights of the draws, and the span of dates.

The weights sit apart from the code that follows them, so the shape of the data (how many speakers
a statement has, how often a family of the taxonomy is tagged) reads and changes in one place; the
few shares that belong to one step of a statement stay beside it, in `statement_rows`. The dates
are constants, never the clock: the same seed gives the same rows whenever it runs.
"""

import bisect
import datetime
import re

from statements.models import Channel, DatePrecision, Polarity, Status

FIRST_DAY = datetime.date(2006, 1, 1)
LAST_DAY = datetime.date(2025, 12, 31)
# No timestamp is later: the same seed gives the same rows whenever it runs.
REFERENCE_TIME = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
# When the actors and topics were recorded: before the first statement.
RECORDED_AT = datetime.datetime(2005, 12, 1, tzinfo=datetime.UTC)
# Spelled out rather than strftime's %B, which follows the process's locale.
MONTHS = ("January", "February", "March", "April", "May", "June")
MONTHS += ("July", "August", "September", "October", "November", "December")

CHANNELS = {
    Channel.WRITTEN_STATEMENT: 25,
    Channel.PRESS_CONFERENCE: 18,
    Channel.IN_PERSON_MEETING: 12,
    Channel.PHONE_CALL: 8,
    Channel.SPEECH: 8,
    Channel.SOCIAL_MEDIA_POST: 8,
    Channel.VIDEO_CALL: 5,
    Channel.INTERVIEW: 5,
    Channel.UNSPECIFIED: 5,
    Channel.JOINT_STATEMENT: 4,
    Channel.DEMARCHE: 2,
}
STATUSES = {Status.PUBLISHED: 945, Status.DRAFT: 25, Status.IN_REVIEW: 25, Status.RETRACTED: 5}
PRECISIONS = {DatePrecision.DAY: 87, DatePrecision.MONTH: 10, DatePrecision.YEAR: 3}
LANGUAGES = {"en": 960, "ja": 25, "zh-Hans": 15}
SPEAKER_COUNTS = {1: 85, 2: 11, 3: 4}
RECIPIENT_COUNTS = {0: 40, 1: 35, 2: 15, 3: 10}
TOPIC_COUNTS = {0: 30, 1: 45, 2: 25}
TAG_COUNTS = {1: 15, 2: 35, 3: 35, 4: 15}  # mean 2.5
ROLE_COUNTS = {1: 50, 2: 35, 3: 15}

# How often each kind of actor speaks, is addressed, or is the target of a stance (times a Zipf rank).
SPEAKER_KINDS = {"state": 4, "government_body": 3, "person": 2, "international_organization": 2, "military": 1.5}
RECIPIENT_KINDS = {"state": 4, "international_organization": 3, "person": 2, "government_body": 1}
TARGET_KINDS = {"state": 4, "international_organization": 2, "person": 1, "government_body": 1, "military": 1}
OTHER_KIND_WEIGHT = 0.3

# How often each family of the taxonomy is tagged; a family itself is tagged a tenth as often as its first act.
FAMILIES = {"S": 20, "E": 14, "K": 12, "A": 10, "O": 9, "C": 8, "P": 8, "W": 7, "D": 5, "R": 5, "X": 4}
# Per family: weights of favor, against, neutral, unclear; then of intensity 1–4 when not neutral or unclear.
STANCES = {
    "S": ((10, 10, 60, 20), (80, 15, 5, 0)),
    "A": ((90, 0, 10, 0), (60, 30, 10, 0)),
    "C": ((90, 0, 10, 0), (60, 30, 10, 0)),
    "E": ((25, 0, 70, 5), (90, 10, 0, 0)),
    "P": ((70, 5, 25, 0), (60, 30, 10, 0)),
    "K": ((0, 95, 0, 5), (45, 35, 20, 0)),
    "O": ((0, 100, 0, 0), (0, 40, 35, 25)),
    "R": ((0, 95, 0, 5), (40, 40, 20, 0)),
    "D": ((0, 85, 10, 5), (30, 45, 25, 0)),
    "W": ((0, 100, 0, 0), (10, 40, 35, 15)),
    "X": ((20, 55, 20, 5), (60, 30, 10, 0)),
}
OTHER_STANCE = ((25, 25, 40, 10), (70, 20, 10, 0))
POLARITIES = (Polarity.FAVOR, Polarity.AGAINST, Polarity.NEUTRAL, Polarity.UNCLEAR)


class Draw:
    """Draws items with the given weights; `zipf` weighs the n-th item 1/n, times an optional weight."""

    def __init__(self, items, weights):
        self.items = list(items)
        self.cum_weights, total = [], 0.0
        for weight in weights:
            total += weight
            self.cum_weights.append(total)
        self.total = total

    @classmethod
    def of(cls, weighted):
        return cls(weighted.keys(), weighted.values())

    @classmethod
    def zipf(cls, items, weights=None, exponent=1.0):
        items = list(items)
        weights = weights or [1.0] * len(items)
        return cls(items, [weight / (rank + 1) ** exponent for rank, weight in enumerate(weights)])

    def one(self, rng):
        # The same arithmetic as random.choices, one item without building a list.
        return self.items[bisect.bisect(self.cum_weights, rng.random() * self.total, 0, len(self.items) - 1)]

    def many(self, rng, count):
        return rng.choices(self.items, cum_weights=self.cum_weights, k=count)

    def distinct(self, rng, count, taken=()):
        """`count` different items, none of them in `taken` (fewer if the draws keep repeating)."""
        chosen = []
        for _ in range(count * 4):
            if len(chosen) == count:
                break
            item = self.one(rng)
            if item not in chosen and item not in taken:
                chosen.append(item)
        return chosen


def capped(moment):
    return min(moment, REFERENCE_TIME)


def midnight(day):
    return datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.UTC)


def long_date(day):
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


UNSAFE_IN_SLUG = re.compile(r"[^a-z0-9]+")


def quick_slug(text, length=60):
    """An ASCII slug of `text` for a URL (cheaper than slugify for text that is ASCII already)."""
    return UNSAFE_IN_SLUG.sub("-", text.lower())[:length].strip("-")
