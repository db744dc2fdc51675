"""What an exchange file names, found in the database: actors, topics, stance categories, curators.

A file names an actor by its slug, by an identifier (`scheme:value`: wikidata:Q17, iso3166_alpha3:JPN,
cameo:JPN) or by an exact name in any script (Actor.name or one of its ActorName rows); a topic by
its slug or an exact name (Topic.name or a TopicAlias); a stance category by its code in the default
taxonomy, in any case; a curator by username.

`References` reads every way of naming once, when an import starts (one query per kind for the
whole file: these tables hold thousands of rows where statements hold millions), and answers from
memory after that. So it can serve the thread that reads the file ahead, which never touches the
database, and a million statements cost no query for their names.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth import get_user_model

from actors.models import Actor, ActorIdentifier, ActorName
from statements.models import StanceCategory, Topic, TopicAlias

ACTOR_HINT = "give a slug, scheme:value or an exact name"
TOPIC_HINT = "give a slug or an exact name or alias"


@dataclass(frozen=True)
class Unresolved:
    """A name that finds no row, or several: `reason` says which, in words a curator reads."""

    reason: str


def named_once(candidates, name, kind, hint):
    """The one id of `candidates` ({id: slug}), or Unresolved naming the problem."""
    if len(candidates) == 1:
        return next(iter(candidates))
    if not candidates:
        return Unresolved(f"unknown {kind} {name!r} ({hint})")
    slugs = sorted(candidates.values())
    listed = ", ".join(slugs[:-1]) + f" and {slugs[-1]}"
    return Unresolved(f"{name!r} names {len(slugs)} {kind}s: {listed} (give a slug)")


class Names:
    """One kind of row found by name: by slug first, then by identifier (scheme:value), then by exact name.

    Each answer is remembered, so a name is worked out once per import.
    """

    def __init__(self, kind, hint, slugs, names, identifiers=None):
        self.kind, self.hint = kind, hint
        self.found = dict(slugs)  # slug (then any name asked) -> id or Unresolved
        self.identifiers = identifiers or {}  # (scheme, value) -> id
        self.names = names  # exact name -> {id: slug}

    def __call__(self, name):
        found = self.found.get(name)
        if found is None:
            scheme, _, value = name.partition(":")
            found = self.identifiers.get((scheme, value)) if value else None
            if found is None:
                found = named_once(self.names.get(name, {}), name, self.kind, self.hint)
            self.found[name] = found
        return found


class References:
    """The ids behind every name a file may use, read when the import starts.

    `curator` (a user, or None) stands in for a tag's curator the file does not name or names
    with an unknown username.
    """

    def __init__(self, curator=None):
        self.fallback_curator = curator.pk if curator is not None else None
        slugs = dict(Actor.objects.values_list("slug", "pk"))
        slug_of = {pk: slug for slug, pk in slugs.items()}
        names = defaultdict(dict)
        for name, pk in Actor.objects.values_list("name", "pk"):
            names[name][pk] = slug_of[pk]
        for name, pk in ActorName.objects.values_list("name", "actor_id"):
            names[name][pk] = slug_of[pk]
        identifiers = {
            (scheme, value): pk for scheme, value, pk in ActorIdentifier.objects.values_list("scheme", "value", "actor")
        }
        self.actor = Names("actor", ACTOR_HINT, slugs, names, identifiers)

        slugs = dict(Topic.objects.values_list("slug", "pk"))
        slug_of = {pk: slug for slug, pk in slugs.items()}
        names = defaultdict(dict)
        for name, pk in Topic.objects.values_list("name", "pk"):
            names[name][pk] = slug_of[pk]
        for name, pk in TopicAlias.objects.values_list("name", "topic_id"):
            names[name][pk] = slug_of[pk]
        self.topic = Names("topic", TOPIC_HINT, slugs, names)

        self.categories = {
            code.casefold(): pk for pk, code in StanceCategory.objects.default_taxonomy().values_list("pk", "code")
        }
        User = get_user_model()
        self.curators = dict(User.objects.values_list(User.USERNAME_FIELD, "pk"))

    def category(self, code):
        found = self.categories.get(code.strip().casefold())
        return found if found is not None else Unresolved(f"unknown stance category {code!r}")

    def curator(self, username):
        """The curator's user id; the fallback curator for an empty or unknown username, if there is one."""
        found = self.curators.get(username) if username else None
        if found is not None:
            return found
        if self.fallback_curator is not None:
            return self.fallback_curator
        if not username:
            return Unresolved("a tag needs its curator (a username)")
        return Unresolved(f"unknown curator {username!r} (a username)")
