"""Several curators per statement: assignment, blind annotation, adjudication into the gold set, and the rows the
agreement figures (statements.agreement) are computed from.

A statement without annotations keeps the single-curator flow (statements.services). Once a statement is
assigned, its stance tags are its gold set: they are written only by `adjudicate`, once every annotation is
submitted. Until a curator submits their own annotation of a statement, they see no other annotation of it
(`visible_annotations`); reviewers see all of them.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from config.history import acting_as
from statements.agreement import Tag, agreement, agreement_with_gold
from statements.models import (
    Adjudication,
    Annotation,
    AnnotationTag,
    AssignmentRule,
    StanceCategory,
    StanceTag,
)
from statements.services import WorkflowError, bump, locked, may_publish, write_tags


def check_reviewer(user):
    if not may_publish(user):
        raise PermissionDenied("Assigning and adjudicating annotations need a reviewer.")


@transaction.atomic
def assign(statements, *, curators, user):
    """Assign each statement to each curator (two or more), skipping assignments that exist; returns how many
    were made. A statement already adjudicated is refused: its gold set is settled."""
    check_reviewer(user)
    curators = list(dict.fromkeys(curators))
    if len(curators) < 2:
        raise WorkflowError("Blind double tagging needs two curators or more.", code="too_few_curators")
    statements = list(statements)
    settled = [statement for statement in statements if Adjudication.objects.filter(statement=statement).exists()]
    if settled:
        raise WorkflowError(f"{settled[0]} is adjudicated already: its gold tags are settled.", code="adjudicated")
    existing = set(
        Annotation.objects.filter(statement__in=statements, curator__in=curators).values_list("statement", "curator")
    )
    new = [
        Annotation(statement=statement, curator=curator, assigned_by=user)
        for statement in statements
        for curator in curators
        if (statement.pk, curator.pk) not in existing
    ]
    with acting_as(user):
        for annotation in new:
            annotation.save()
    return len(new)


def apply_rules(statement, *, user):
    """Assign a statement just recorded by every active rule whose turn it is (every Nth new statement)."""
    for rule in AssignmentRule.objects.select_for_update().filter(active=True):
        AssignmentRule.objects.filter(pk=rule.pk).update(seen=F("seen") + 1)
        if (rule.seen + 1) % rule.every == 0:
            curators = list(rule.curators.all())
            if len(curators) >= 2:
                existing = set(Annotation.objects.filter(statement=statement).values_list("curator", flat=True))
                with acting_as(user):
                    for curator in curators:
                        if curator.pk not in existing:
                            Annotation.objects.create(statement=statement, curator=curator, assigned_by=None)


def check_own_open(annotation, user):
    if annotation.curator_id != user.pk:
        raise PermissionDenied("An annotation is tagged by its own curator only.")
    if annotation.is_submitted:
        raise WorkflowError("This annotation is submitted: it no longer changes.", code="submitted")


@transaction.atomic
def save_annotation(annotation, *, user, tags):
    """Make the annotation's tags exactly `tags` (TagSpecs), while its curator has not submitted it."""
    annotation = Annotation.objects.select_for_update().get(pk=annotation.pk)
    check_own_open(annotation, user)
    wanted = {}
    for tag in tags:
        if tag.target_actor is not None and tag.target_topic is not None:
            raise WorkflowError("A tag has one target: an actor or a topic, not both.", code="two_targets")
        if tag.key() in wanted:
            raise WorkflowError(f"{tag.category} is tagged twice toward the same target.", code="duplicate_tag")
        wanted[tag.key()] = tag
    with acting_as(user):
        stored = {(row.category_id, row.target_actor_id, row.target_topic_id): row for row in annotation.tags.all()}
        for key, row in stored.items():
            if key not in wanted or (row.polarity, row.intensity) != (wanted[key].polarity, wanted[key].intensity):
                row.delete()
        for key, tag in wanted.items():
            row = stored.get(key)
            if row is None or (row.polarity, row.intensity) != (tag.polarity, tag.intensity):
                AnnotationTag.objects.create(
                    annotation=annotation,
                    category=tag.category,
                    target_actor=tag.target_actor,
                    target_topic=tag.target_topic,
                    polarity=tag.polarity,
                    intensity=tag.intensity,
                )
    return annotation


@transaction.atomic
def submit_annotation(annotation, *, user):
    annotation = Annotation.objects.select_for_update().get(pk=annotation.pk)
    check_own_open(annotation, user)
    annotation.submitted_at = timezone.now()
    with acting_as(user):
        annotation.save()
    return annotation


def visible_annotations(user, annotations=None):
    """The annotations `user` may read: a reviewer, all; a curator, their own, and others' submitted ones of the
    statements they are not still tagging themselves (blindness holds until they submit)."""
    annotations = annotations if annotations is not None else Annotation.objects.all()
    if may_publish(user):
        return annotations
    if not user.has_perm("statements.view_annotation"):
        return annotations.none()
    tagging = Annotation.objects.filter(curator=user, submitted_at__isnull=True).values("statement")
    return annotations.filter(Q(curator=user) | (Q(submitted_at__isnull=False) & ~Q(statement__in=tagging)))


def tags_are_adjudicated(statement):
    """True for a statement whose gold tags come from adjudication (it has annotations)."""
    return Annotation.objects.filter(statement=statement).exists()


@transaction.atomic
def adjudicate(statement, *, user, tags, note=""):
    """Settle the statement's gold tags (TagSpecs, stamped with the reviewer) from its submitted annotations."""
    check_reviewer(user)
    stored = locked(statement)
    annotations = list(Annotation.objects.filter(statement=stored))
    if not annotations:
        raise WorkflowError(f"{stored} has no annotations to adjudicate.", code="not_annotated")
    open_ones = [annotation for annotation in annotations if not annotation.is_submitted]
    if open_ones:
        waiting = ", ".join(str(annotation.curator) for annotation in open_ones)
        raise WorkflowError(f"Waiting for {waiting} to submit.", code="annotations_open")
    with acting_as(user):
        write_tags(stored, user, tags)
        Adjudication.objects.update_or_create(
            statement=stored, defaults={"adjudicated_by": user, "adjudicated_at": timezone.now(), "note": note}
        )
        bump(stored, reason="adjudicated" + (f": {note}" if note else ""))
    return stored


def aligned(statement, annotations):
    """The side-by-side table of a statement's annotations: one row per (act, target) any of them applied, with
    each annotation's tag there (or None), and whether they all agree."""
    rows = {}
    for annotation in annotations:
        for tag in annotation.tags.all():
            key = (tag.category.code, tag.target_actor_id, tag.target_topic_id)
            row = rows.setdefault(
                key,
                {"category": tag.category, "target": tag.target_actor or tag.target_topic, "tags": {}},
            )
            row["tags"][annotation.pk] = tag
    table = []
    for key in sorted(rows, key=lambda key: (key[0], str(rows[key]["target"] or ""))):
        row = rows[key]
        cells = [row["tags"].get(annotation.pk) for annotation in annotations]
        values = {(cell.polarity, cell.intensity) if cell else None for cell in cells}
        table.append({**row, "key": key, "cells": cells, "agreed": len(values) == 1})
    return table


# The agreement figures over a set of statements, from a fixed number of queries


def families():
    """{category code: family code} of the default taxonomy (two levels: an act's family is its parent)."""
    rows = StanceCategory.objects.default_taxonomy().values_list("code", "parent__code")
    return {code: parent or code for code, parent in rows}


def agreement_of(statements):
    """The agreement table and each curator's agreement with the gold set, over the annotated `statements`."""
    acts = families()
    submitted = Annotation.objects.filter(statement__in=statements.values("pk"), submitted_at__isnull=False)
    coders_of = {}
    for statement_id, username in submitted.values_list("statement_id", "curator__username"):
        coders_of.setdefault(statement_id, []).append(username)
    # Only statements two curators or more submitted are compared.
    coders_of = {statement: names for statement, names in coders_of.items() if len(names) >= 2}
    rows = AnnotationTag.objects.filter(
        annotation__in=submitted, annotation__statement__in=list(coders_of)
    ).values_list(
        "annotation__statement_id",
        "annotation__curator__username",
        "category__code",
        "target_actor__slug",
        "target_topic__slug",
        "polarity",
        "intensity",
    )
    tags = [
        Tag(statement, coder, code, acts.get(code, code), actor or topic or "", polarity, intensity)
        for statement, coder, code, actor, topic, polarity, intensity in rows
    ]
    adjudicated = set(Adjudication.objects.filter(statement__in=list(coders_of)).values_list("statement_id", flat=True))
    gold_rows = StanceTag.objects.filter(statement__in=list(adjudicated)).values_list(
        "statement_id", "category__code", "target_actor__slug", "target_topic__slug", "polarity", "intensity"
    )
    gold = [
        Tag(statement, "gold", code, acts.get(code, code), actor or topic or "", polarity, intensity)
        for statement, code, actor, topic, polarity, intensity in gold_rows
    ]
    result = agreement(tags, coders_of, acts)
    result["gold"] = agreement_with_gold(tags, gold, coders_of, adjudicated)
    result["statements"] = len(coders_of)
    return result
