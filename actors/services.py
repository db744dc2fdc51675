"""Writes that touch several tables of actors and statements at once: merging two records of one actor."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from simple_history.utils import bulk_update_with_history

from actors.models import Actor, ActorFormerSlug, ActorIdentifier, ActorName, Role
from config.history import acting_as


@transaction.atomic
def merge_actors(*, keep, merged, user):
    """Fold `merged` into `keep`: its statements, stance tags, roles, names, identifiers, sub-organizations and
    slug move to `keep`, and `merged` is deleted. Every statement that changes gets a new version.

    Returns the number of statements changed. Both actors must be of the same kind.
    """
    keep, merged = (Actor.objects.select_for_update().get(pk=actor.pk) for actor in (keep, merged))
    if keep.pk == merged.pk:
        raise ValidationError("Choose two different actors to merge.")
    if keep.kind != merged.kind:
        raise ValidationError(
            f"{merged} is a {merged.get_kind_display().lower()} and {keep} a {keep.get_kind_display().lower()}: "
            "only actors of the same kind are merged."
        )
    from statements.models import StanceTag, Statement, StatementRecipient, StatementSpeaker

    reason = f"{merged.slug} merged into {keep.slug}"
    with acting_as(user):
        touched = set()
        for link in (StatementSpeaker, StatementRecipient):
            moved = link.objects.filter(actor=merged)
            touched.update(moved.values_list("statement_id", flat=True))
            # A statement both actors spoke keeps one link.
            moved.filter(Exists(link.objects.filter(actor=keep, statement=OuterRef("statement")))).delete()
            moved.update(actor=keep)

        tags = StanceTag.objects.filter(target_actor=merged)
        touched.update(tags.values_list("statement_id", flat=True))
        twins = StanceTag.objects.filter(
            target_actor=keep, statement=OuterRef("statement"), category=OuterRef("category")
        )
        for tag in tags.filter(Exists(twins)):
            tag._change_reason = reason
            tag.delete()  # the same judgement already stands toward `keep`
        retargeted = list(tags)
        for tag in retargeted:
            tag.target_actor = keep
        bulk_update_with_history(
            retargeted, StanceTag, ["target_actor"], default_user=user, default_change_reason=reason
        )

        roles = list(Role.objects.filter(Q(person=merged) | Q(organization=merged)))
        for role in roles:
            role.person_id = keep.pk if role.person_id == merged.pk else role.person_id
            role.organization_id = keep.pk if role.organization_id == merged.pk else role.organization_id
        bulk_update_with_history(
            roles, Role, ["person", "organization"], default_user=user, default_change_reason=reason
        )

        known = set(keep.names.values_list("name", "language"))
        for name in merged.names.all():
            if (name.name, name.language) in known:
                continue
            ActorName.objects.create(actor=keep, name=name.name, language=name.language)
            known.add((name.name, name.language))
        if (merged.name, "") not in known and merged.name != keep.name:
            ActorName.objects.create(actor=keep, name=merged.name, language="")
        for identifier in merged.identifiers.all():
            identifier.actor = keep
            identifier._change_reason = reason
            identifier.save()

        children = list(Actor.objects.filter(Q(parent=merged) | Q(country=merged)).exclude(pk=keep.pk))
        for child in children:
            child.parent_id = keep.pk if child.parent_id == merged.pk else child.parent_id
            child.country_id = keep.pk if child.country_id == merged.pk else child.country_id
        bulk_update_with_history(
            children, Actor, ["parent", "country"], default_user=user, default_change_reason=reason
        )

        ActorFormerSlug.objects.filter(actor=merged).update(actor=keep)
        ActorFormerSlug.objects.create(slug=merged.slug, actor=keep)
        # Syncing clients learn of every statement whose speakers, recipients or tags changed.
        Statement.objects.filter(pk__in=touched).update(version=F("version") + 1, updated_at=timezone.now())

        merged._change_reason = reason
        merged.delete()
        keep._change_reason = f"{merged.slug} ({merged.name}) merged into it"
        keep.save()
    return len(touched)


def with_history(rows, model, fields, user, reason):
    """Save `fields` of `rows` in bulk, with a history row each saying who and why."""
    if rows:
        bulk_update_with_history(rows, model, fields, default_user=user, default_change_reason=reason)


# Writes of one actor (the API's; the admin saves through its forms, which run the same model validation)


@transaction.atomic
def save_actor(actor, *, user, names=None, identifiers=None, **fields):
    """Create or change an actor: its fields, and when given the whole set of its other names [(name, language)]
    and identifiers [(scheme, value)]. A changed slug keeps answering: the old one leads to the actor."""
    creating = actor.pk is None
    if not creating:
        actor = Actor.objects.select_for_update().get(pk=actor.pk)
    former_slug = actor.slug
    for name, value in fields.items():
        setattr(actor, name, value)
    actor.full_clean()
    with acting_as(user):
        actor.save()
        if not creating and actor.slug != former_slug:
            ActorFormerSlug.objects.filter(slug=actor.slug).delete()
            ActorFormerSlug.objects.update_or_create(slug=former_slug, defaults={"actor": actor})
        if names is not None:
            replace_rows(actor.names.all(), ActorName, ("name", "language"), names, "names", actor=actor)
        if identifiers is not None:
            replace_rows(
                actor.identifiers.all(), ActorIdentifier, ("scheme", "value"), identifiers, "identifiers", actor=actor
            )
    return actor


def replace_rows(stored, model, columns, wanted, field, **parent):
    """Make the rows of `stored` exactly `wanted` (tuples of `columns`): unchanged rows stay, with their history.
    A row that does not validate is an error of `field`, naming the row."""
    wanted = list(dict.fromkeys(tuple(row) for row in wanted))
    for row in stored:
        if tuple(getattr(row, column) for column in columns) not in wanted:
            row.delete()
    present = {tuple(row) for row in stored.values_list(*columns)}
    for values in wanted:
        if values not in present:
            row = model(**parent, **dict(zip(columns, values, strict=True)))
            try:
                row.full_clean(exclude=list(parent))
            except ValidationError as error:
                items = [item for items in error.error_dict.values() for item in items]
                reasons = [ValidationError(f"{row}: {' '.join(item.messages)}", code=item.code) for item in items]
                raise ValidationError({field: reasons}) from None
            row.save()


@transaction.atomic
def delete_actor(actor, *, user):
    """Delete an actor nothing refers to; one that statements, tags, roles or other actors name stays (merge it)."""
    actor = Actor.objects.select_for_update().get(pk=actor.pk)
    uses = [
        (actor.statements_spoken.count(), "statements it spoke"),
        (actor.statements_received.count(), "statements addressed to it"),
        (actor.stance_tags_received.count(), "stance tags toward it"),
        (actor.posts.count(), "roles held in it"),
        (actor.children.count() + actor.country_actors.count(), "actors beneath it or of its country"),
    ]
    named = [f"{count} {what}" for count, what in uses if count]
    if named:
        raise ValidationError(
            f"{actor} is on the record ({', '.join(named)}): it stays. Merge it into another actor instead.",
            code="in_use",
        )
    with acting_as(user):
        actor.delete()
