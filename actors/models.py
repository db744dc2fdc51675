"""Who can speak or be spoken to: actors, their names and identifiers, and roles over time."""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse

from simple_history.models import HistoricalRecords

from config.models import LocalName, fold
from config.trees import sits_beneath_itself, subtree_ids


class ActorKind(models.TextChoices):
    STATE = "state", "State"
    INTERNATIONAL_ORGANIZATION = "international_organization", "International organization"
    GOVERNMENT_BODY = "government_body", "Government body"
    MILITARY = "military", "Military"
    PERSON = "person", "Person"
    PARTY = "party", "Party"
    MEDIA = "media", "Media"
    OTHER = "other", "Other"


class IdentifierScheme(models.TextChoices):
    WIKIDATA = "wikidata", "Wikidata QID"
    ISO3166_ALPHA3 = "iso3166_alpha3", "ISO 3166-1 alpha-3"
    CAMEO = "cameo", "CAMEO actor code"


class ActorQuerySet(models.QuerySet):
    def search(self, query):
        """Actors any of whose names or aliases contains `query`, in any script, ignoring case."""
        folded = fold(query)
        if not folded:
            return self
        alias_match = ActorName.objects.filter(actor=OuterRef("pk"), folded__contains=folded)
        # An identifier's value, whole (JPN, Q17), or scheme:value.
        scheme, _, value = query.strip().partition(":")
        identified = ActorIdentifier.objects.filter(actor=OuterRef("pk"), value__iexact=query.strip())
        if value:
            identified = ActorIdentifier.objects.filter(actor=OuterRef("pk"), scheme=scheme, value__iexact=value)
        return self.filter(
            Q(name_folded__contains=folded) | Q(slug__iexact=query.strip()) | Exists(alias_match) | Exists(identified)
        )

    def with_related(self):
        return self.select_related("country", "parent").prefetch_related(
            "names",
            "identifiers",
            models.Prefetch("roles", queryset=Role.objects.select_related("organization")),
        )

    def subtree_ids(self, roots):
        """Ids of `roots` (actors or ids) and every actor beneath them through `parent`, in one query."""
        return subtree_ids(Actor.objects.filter(pk__in=[getattr(actor, "pk", actor) for actor in roots]), within=self)

    def organization_ids(self, *organizations):
        """Ids of the bodies that make up the `organizations`: each one and everything beneath it, in one query.

        For a state this also takes the organizations whose `country` it is (a ministry recorded
        with country=Japan but no parent). Persons are left out: a person belongs to an
        organization only through a role, on a date.
        """
        ids = [organization.pk for organization in organizations]
        states = [organization.pk for organization in organizations if organization.kind == ActorKind.STATE]
        roots = Actor.objects.filter(Q(pk__in=ids) | Q(country__in=states))
        return subtree_ids(roots, within=self.exclude(kind=ActorKind.PERSON))

    def affiliated_with(self, organization, on):
        """Actors that belong to `organization` on date `on`: its bodies, and persons holding a role in one."""
        organization_ids = Actor.objects.organization_ids(organization)
        role_holders = Role.objects.on(on).filter(organization__in=organization_ids).values("person")
        return self.filter(Q(pk__in=organization_ids) | Q(pk__in=role_holders))


class Actor(models.Model):
    """Anyone who can speak or be spoken to: a state, an organization, a body, a person."""

    slug = models.SlugField(max_length=100, unique=True, help_text="Stable address in URLs and API filters.")
    name = models.CharField(max_length=200, help_text="Display name, in English where one exists.")
    name_folded = models.CharField(max_length=200, editable=False, db_index=True)
    kind = models.CharField(max_length=32, choices=ActorKind.choices)
    country = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="country_actors",
        limit_choices_to={"kind": ActorKind.STATE},
        help_text="The state this actor belongs to. For a person: nationality, shown but not used by "
        "affiliation filters, which follow the person's roles on the date.",
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text="The organization this one sits under (the Joint Staff under the Ministry of Defense).",
    )
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    objects = ActorQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ActorKind.values), name="actor_kind_valid"),
            models.CheckConstraint(condition=~Q(parent=models.F("id")), name="actor_not_own_parent"),
            models.CheckConstraint(condition=~Q(country=models.F("id")), name="actor_not_own_country"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name_folded = fold(self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("actor-detail", kwargs={"slug": self.slug})

    def clean(self):
        # The form leaves `id` out, so the database's not-own-country check is not run before the save.
        if self.pk and self.country_id == self.pk:
            raise ValidationError({"country": "An actor cannot be its own country."})
        if self.country_id and self.country.kind != ActorKind.STATE:
            raise ValidationError({"country": "The country must be an actor of kind state."})
        if sits_beneath_itself(self):
            raise ValidationError({"parent": "An actor cannot sit beneath itself."})
        # What others record about this actor holds only for its kind: a country is a state, a post is not a person.
        if self.pk and self.kind != ActorKind.STATE and self.country_actors.exists():
            raise ValidationError({"kind": "Other actors have this one as their country: it must stay a state."})
        if self.pk and self.kind == ActorKind.PERSON and self.posts.exists():
            raise ValidationError({"kind": "Roles are held in this organization: it cannot be a person."})

    def role_on(self, date):
        """The role this person held on `date` (the most recently started one), or None.

        Reads `self.roles.all()`, so a prefetched set of roles costs no query.
        """
        return role_held_on(self.roles.all(), date)


class ActorName(LocalName):
    """A name or alias of an actor in one language and script (小泉進次郎, Koizumi Shinjiro)."""

    actor = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="names")
    history = HistoricalRecords()

    class Meta:
        ordering = ["actor", "language", "name"]
        constraints = [
            models.UniqueConstraint(fields=["actor", "name", "language"], name="actor_name_unique"),
        ]


class ActorFormerSlug(models.Model):
    """A slug an actor answered to before (it was merged into this one): API filters and URLs still resolve it."""

    slug = models.SlugField(max_length=100, unique=True)
    actor = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="former_slugs")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self):
        return f"{self.slug} → {self.actor.slug}"


class ActorIdentifier(models.Model):
    """An actor's identifier in another system: Wikidata, ISO 3166, CAMEO. Unique per scheme."""

    actor = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="identifiers")
    scheme = models.CharField(max_length=32, choices=IdentifierScheme.choices)
    value = models.CharField(max_length=100)
    history = HistoricalRecords()

    class Meta:
        ordering = ["scheme", "value"]
        constraints = [
            models.CheckConstraint(condition=Q(scheme__in=IdentifierScheme.values), name="identifier_scheme_valid"),
            models.UniqueConstraint(fields=["scheme", "value"], name="identifier_unique_per_scheme"),
        ]

    def __str__(self):
        return f"{self.scheme}:{self.value}"


def role_held_on(roles, date):
    """Of `roles` (anything with `start_date`, `end_date` and `pk`), the one held on `date`, or None.

    Ends are inclusive; of overlapping roles the most recently started one wins, then the newest row.
    """
    if isinstance(date, datetime.datetime):
        date = date.date()
    held = [role for role in roles if role.start_date <= date and (role.end_date is None or date <= role.end_date)]
    return max(held, key=lambda role: (role.start_date, role.pk)) if held else None


class RoleQuerySet(models.QuerySet):
    def on(self, date):
        """Roles held on `date`: started on or before it and not ended before it (ends are inclusive)."""
        return self.filter(Q(end_date__isnull=True) | Q(end_date__gte=date), start_date__lte=date)


class Role(models.Model):
    """A title a person holds in an organization between two dates (both inclusive; no end: still held)."""

    person = models.ForeignKey(
        Actor, on_delete=models.CASCADE, related_name="roles", limit_choices_to={"kind": ActorKind.PERSON}
    )
    organization = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        related_name="posts",
        limit_choices_to=~Q(kind=ActorKind.PERSON),
    )
    title = models.CharField(max_length=200)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True, help_text="Empty while the role is held.")
    history = HistoricalRecords()

    objects = RoleQuerySet.as_manager()

    class Meta:
        ordering = ["person", "-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="role_ends_after_start",
            ),
            models.UniqueConstraint(fields=["person", "organization", "title", "start_date"], name="role_unique"),
        ]
        indexes = [
            models.Index(fields=["organization", "start_date", "end_date"], name="role_org_dates"),
            models.Index(fields=["person", "start_date", "end_date"], name="role_person_dates"),
        ]

    def __str__(self):
        end = self.end_date.isoformat() if self.end_date else "…"
        return f"{self.person}: {self.title}, {self.organization} ({self.start_date.isoformat()} – {end})"

    def clean(self):
        errors = {}
        if self.person_id and self.person.kind != ActorKind.PERSON:
            errors["person"] = "Only a person holds a role."
        if self.organization_id and self.organization.kind == ActorKind.PERSON:
            errors["organization"] = "A role is held in an organization, not in a person."
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = "The end date cannot be before the start date."
        if errors:
            raise ValidationError(errors)
