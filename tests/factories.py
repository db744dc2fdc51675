"""Small factories: each builds one valid row; keyword arguments override."""

import datetime
import itertools

from actors.models import Actor, ActorKind, ActorName, Role
from statements.models import Channel, Polarity, StanceCategory, StanceTag, Statement, Status, Topic

_counter = itertools.count(1)


def make_actor(name=None, kind=ActorKind.PERSON, slug=None, names=(), **fields):
    number = next(_counter)
    name = name or f"Actor {number}"
    actor = Actor.objects.create(
        slug=slug or f"{name.lower().replace(' ', '-')}-{number}", name=name, kind=kind, **fields
    )
    for alias, language in names:
        ActorName.objects.create(actor=actor, name=alias, language=language)
    return actor


def make_role(person, organization, title="Minister", start="2020-01-01", end=None):
    return Role.objects.create(
        person=person,
        organization=organization,
        title=title,
        start_date=datetime.date.fromisoformat(start),
        end_date=datetime.date.fromisoformat(end) if end else None,
    )


def make_topic(name="Taiwan", slug=None):
    return Topic.objects.create(slug=slug or f"{name.lower().replace(' ', '-')}-{next(_counter)}", name=name)


def make_statement(speakers, recipients=(), date="2025-12-10", status=Status.PUBLISHED, **fields):
    fields.setdefault("channel", Channel.VIDEO_CALL)
    fields.setdefault("text", "Grave concerns.")
    statement = Statement.objects.create(date=datetime.date.fromisoformat(date), status=status, **fields)
    statement.speakers.set(speakers)
    statement.recipients.set(recipients)
    return statement


def make_tag(statement, code, curator, target_actor=None, target_topic=None, polarity=Polarity.AGAINST, intensity=1):
    return StanceTag.objects.create(
        statement=statement,
        category=StanceCategory.objects.default_taxonomy().get(code=code),
        target_actor=target_actor,
        target_topic=target_topic,
        polarity=polarity,
        intensity=intensity,
        curator=curator,
    )


def make_user(username, *groups, **fields):
    """A staff user in the named groups ("curators", "reviewers": the groups the migrations make)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user = get_user_model().objects.create_user(username, password=f"{username}-password-1", is_staff=True, **fields)
    user.groups.set(Group.objects.filter(name__in=groups))
    return user


def make_source(url=None, **fields):
    from statements.models import Source

    return Source.objects.create(url=url or f"https://example.org/source/{next(_counter)}", **fields)
