"""The curation workflow: every write of a statement, whoever makes it (the admin, the API, a command).

Keyword-only functions, each one transaction:

- `create_statement` and `update_statement` write a statement with its speakers, recipients,
  topics, identifiers, citations and stance tags. An update names the `version` it was made from
  and is refused (StaleVersion, nothing written) if the statement moved on since. Any change, to
  the statement or to one of its parts, raises its `version` once and its `updated_at`, and writes
  one history entry (who, when, why) with the snapshot of its links.
- `send_to_review`, `publish`, `retract` move a statement along the workflow; publishing and
  retracting need the permission to publish (reviewers), and a published statement a citation.
- `delete_statement` deletes drafts and statements in review only: what was public is retracted.

The rules live here and only here; forms check the same rules early for friendlier messages, by
calling `check_status_change` and `check_citations`. A refused operation raises WorkflowError (a
ValidationError: the reason, in words for a curator) or PermissionDenied, and changes nothing.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from config.history import acting_as
from statements.models import (
    STATEMENT_HISTORY,
    Annotation,
    Citation,
    Revision,
    RevisionStatus,
    StanceTag,
    Statement,
    StatementIdentifier,
    StatementRecipient,
    StatementSpeaker,
    StatementTopic,
    Status,
    first_day,
)

PUBLISH_PERMISSION = "statements.publish_statement"
PUBLIC = {Status.PUBLISHED, Status.RETRACTED}
# The statement's own fields a curator writes; the rest (uuid, version, created_by, …) the workflow keeps.
FIELDS = ("date", "date_precision", "channel", "text", "is_direct_quote", "language", "summary", "status")


class WorkflowError(ValidationError):
    """A write the workflow refuses; its message says why and what to do instead."""


class StaleVersion(WorkflowError):
    """The statement was saved by someone else after the version the change was made from."""


@dataclass(frozen=True)
class TagSpec:
    """A stance tag as a curator states it: the act, its target (an actor or a topic, or none), polarity, intensity."""

    category: object
    target_actor: object = None
    target_topic: object = None
    polarity: str = "neutral"
    intensity: int = 0

    def key(self):
        return (self.category.pk, pk_of(self.target_actor), pk_of(self.target_topic))

    @classmethod
    def of(cls, tag):
        return cls(tag.category, tag.target_actor, tag.target_topic, tag.polarity, tag.intensity)


@dataclass(frozen=True)
class CitationSpec:
    source: object
    attribution: str = ""


def short(reason):
    """A reason as the history keeps it: its column holds 100 characters."""
    return reason if len(reason) <= 100 else reason[:99] + "…"


def pk_of(instance):
    return instance.pk if instance is not None else None


def may_publish(user):
    return user is not None and user.has_perm(PUBLISH_PERMISSION)


def check_status_change(*, user, before, after):
    """Refuse a status change the user may not make: to or from published and retracted needs a reviewer."""
    if before == after:
        return
    if (before in PUBLIC or after in PUBLIC) and not may_publish(user):
        raise PermissionDenied(
            "Publishing and retracting need the permission to publish statements: ask a reviewer. "
            "You may move a statement between draft and in review."
        )


def check_citations(*, status, citation_count):
    if status == Status.PUBLISHED and not citation_count:
        raise WorkflowError(
            "A published statement needs at least one citation: add the source it is recorded in, "
            "or keep the statement in review.",
            code="citation_required",
        )


def check_public_edit(*, user, statement):
    """What the public sees changes only by a reviewer's hand."""
    if statement.status in PUBLIC and not may_publish(user):
        raise PermissionDenied(
            f"{statement} is {statement.get_status_display().lower()}: its changes need a reviewer. "
            "Ask a reviewer to make them."
        )


def check_tags_open(statement):
    """A statement assigned for blind double tagging gets its stance tags from adjudication only."""
    if Annotation.objects.filter(statement=statement).exists():
        raise WorkflowError(
            f"{statement} is tagged blind by several curators: its stance tags come from adjudicating their "
            "annotations (a reviewer's Adjudicate page), not from editing it.",
            code="adjudicated_tags",
        )


def check_version(statement, version):
    if version is not None and version != statement.version:
        raise StaleVersion(
            "Someone else saved this statement (now version %(current)s) after you opened version "
            "%(seen)s. Open it again and reapply your changes.",
            code="stale_version",
            params={"current": statement.version, "seen": version},
        )


def locked(statement):
    """The statement as stored now, its row locked to the end of the transaction."""
    return Statement.objects.select_for_update().get(pk=statement.pk)


@transaction.atomic
def create_statement(
    *,
    user,
    speakers,
    recipients=(),
    topics=(),
    identifiers=(),
    citations=(),
    tags=(),
    reason="",
    statement=None,
    **fields,
):
    """Record a new statement with its parts; it starts as a draft unless `status` says otherwise.

    `statement` may be an unsaved instance holding the fields already (a form's); `fields` set or
    override them. New tags are stamped with `user` as their curator.
    """
    statement = statement if statement is not None else Statement()
    if statement.pk is not None:
        raise ValueError("create_statement records a new statement; use update_statement for a stored one.")
    for name, value in fields.items():
        if name not in FIELDS:
            raise TypeError(f"create_statement() got an unexpected field {name!r}")
        setattr(statement, name, value)
    check_status_change(user=user, before=Status.DRAFT, after=statement.status)
    check_citations(status=statement.status, citation_count=len(citations))
    if not speakers:
        raise WorkflowError("A statement needs at least one speaker.", code="speaker_required")
    statement.created_by = user
    statement.full_clean(exclude=["speakers", "recipients", "topics"])
    with acting_as(user):
        statement._change_reason = short(reason or "created")
        statement.save_without_historical_record()
        write_parts(statement, user, speakers, recipients, topics, identifiers, citations, tags)
        STATEMENT_HISTORY.create_historical_record(statement, "+")
        from statements.annotations import apply_rules

        apply_rules(statement, user=user)
    return statement


@transaction.atomic
def update_statement(
    statement,
    *,
    user,
    version,
    speakers=None,
    recipients=None,
    topics=None,
    identifiers=None,
    citations=None,
    tags=None,
    reason="",
    **fields,
):
    """Change a stored statement from `version` (None: whatever is stored): the fields and the parts given.

    A part left None is left as it is; a part given is the whole new set (rows that did not change
    keep their ids, their curator and their history). Nothing changed, nothing is written.
    """
    stored = locked(statement)
    check_version(stored, version)
    fields = normalized(stored, fields)
    changes = {name: value for name, value in fields.items() if getattr(stored, name) != value}
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise TypeError(f"update_statement() got unexpected fields {', '.join(sorted(unknown))}")
    parts_changed = parts_differ(stored, speakers, recipients, topics, identifiers, citations, tags)
    if not changes and not parts_changed:
        return stored
    check_public_edit(user=user, statement=stored)
    check_status_change(user=user, before=stored.status, after=changes.get("status", stored.status))
    for name, value in changes.items():
        setattr(stored, name, value)
    citation_count = len(citations) if citations is not None else stored.citations.count()
    check_citations(status=stored.status, citation_count=citation_count)
    stored.full_clean(exclude=["speakers", "recipients", "topics"], validate_unique=False)
    if speakers is not None and not speakers:
        raise WorkflowError("A statement needs at least one speaker.", code="speaker_required")
    if tags is not None and set(tags) != {TagSpec.of(tag) for tag in stored.stance_tags.select_related()}:
        check_tags_open(stored)
    with acting_as(user):
        write_parts(stored, user, speakers, recipients, topics, identifiers, citations, tags)
        stored._change_reason = short(reason or "edited")
        stored.save()  # version + 1, updated_at now, one history entry with the links as they are now
    sync_instance(statement, stored)
    return stored


@transaction.atomic
def edit_statement(statement, *, user, version, reason="", **changes):
    """A curator's or reviewer's save of a stored statement: (statement, None) once written, or
    (statement as it stands, Revision) when the change to what the public sees must wait for a reviewer."""
    stored = locked(statement)
    if stored.status in PUBLIC and not may_publish(user):
        check_version(stored, version)
        fields = {name: value for name, value in changes.items() if name in FIELDS}
        parts = {name: value for name, value in changes.items() if name not in FIELDS}
        check_status_change(user=user, before=stored.status, after=fields.get("status", stored.status))
        if not parts_differ(stored, **{name: parts.get(name) for name in PARTS}) and all(
            getattr(stored, name) == value for name, value in normalized(stored, fields).items()
        ):
            return stored, None
        return stored, propose_revision(stored, user=user, version=version, reason=reason, **changes)
    return update_statement(statement, user=user, version=version, reason=reason, **changes), None


def sync_instance(statement, stored):
    """The caller's instance (a form's, say) takes what is stored now."""
    if statement is not stored:
        for model_field in Statement._meta.concrete_fields:
            setattr(statement, model_field.attname, getattr(stored, model_field.attname))


def normalized(stored, fields):
    """The fields as save() stores them: any day of a month-precision statement's month is its first."""
    fields = dict(fields)
    if "date" in fields:
        date = fields["date"]
        if isinstance(date, str):
            date = datetime.date.fromisoformat(date)
        fields["date"] = first_day(date, fields.get("date_precision", stored.date_precision))
    return fields


def transition(statement, *, user, version, to, allowed_from, reason):
    stored = locked(statement)
    check_version(stored, version)
    if stored.status not in allowed_from:
        raise WorkflowError(
            f"{stored} is {stored.get_status_display().lower()}: it cannot be {reason} from there.",
            code="invalid_transition",
        )
    check_status_change(user=user, before=stored.status, after=to)
    if to == Status.PUBLISHED:
        check_citations(status=to, citation_count=stored.citations.count())
    stored.status = to
    with acting_as(user):
        stored._change_reason = short(reason)
        stored.save()
    sync_instance(statement, stored)
    return stored


@transaction.atomic
def send_to_review(statement, *, user, version=None):
    return transition(
        statement, user=user, version=version, to=Status.IN_REVIEW, allowed_from={Status.DRAFT}, reason="sent to review"
    )


@transaction.atomic
def publish(statement, *, user, version=None):
    return transition(
        statement,
        user=user,
        version=version,
        to=Status.PUBLISHED,
        allowed_from={Status.DRAFT, Status.IN_REVIEW, Status.RETRACTED},
        reason="published",
    )


@transaction.atomic
def retract(statement, *, user, version=None, reason=""):
    return transition(
        statement,
        user=user,
        version=version,
        to=Status.RETRACTED,
        allowed_from={Status.PUBLISHED},
        reason=f"retracted: {reason}" if reason else "retracted",
    )


@transaction.atomic
def delete_statement(statement, *, user):
    """Delete a draft or a statement in review; a published or retracted one stays (retract it instead)."""
    stored = locked(statement)
    if stored.status in PUBLIC:
        raise WorkflowError(
            f"{stored} is {stored.get_status_display().lower()}: it stays on the record. Retract it instead.",
            code="public_delete",
        )
    if not user.has_perm("statements.delete_statement"):
        raise PermissionDenied("You may not delete statements.")
    with acting_as(user):
        stored.delete()


# The parts


PARTS = ("speakers", "recipients", "topics", "identifiers", "citations", "tags")


def parts_differ(stored, speakers, recipients, topics, identifiers, citations, tags):
    def ids(values):
        return {value.pk for value in values}

    if speakers is not None and ids(speakers) != set(stored.speakers.values_list("pk", flat=True)):
        return True
    if recipients is not None and ids(recipients) != set(stored.recipients.values_list("pk", flat=True)):
        return True
    if topics is not None and ids(topics) != set(stored.topics.values_list("pk", flat=True)):
        return True
    if identifiers is not None and set(identifiers) != set(stored.identifiers.values_list("scheme", "value")):
        return True
    if citations is not None and {(c.source.pk, c.attribution) for c in citations} != set(
        stored.citations.values_list("source", "attribution")
    ):
        return True
    return tags is not None and set(tags) != {TagSpec.of(tag) for tag in stored.stance_tags.select_related()}


def write_parts(statement, user, speakers, recipients, topics, identifiers, citations, tags):
    """Make the statement's parts what is given (None: leave that part): rows removed, added, or kept as they are."""
    for link, column, wanted in (
        (StatementSpeaker, "actor", speakers),
        (StatementRecipient, "actor", recipients),
        (StatementTopic, "topic", topics),
    ):
        if wanted is None:
            continue
        wanted_ids = {value.pk for value in wanted}
        rows = link.objects.filter(statement=statement)
        rows.exclude(**{f"{column}__in": wanted_ids}).delete()
        present = set(rows.values_list(f"{column}_id", flat=True))
        link.objects.bulk_create([link(statement=statement, **{f"{column}_id": pk}) for pk in wanted_ids - present])
    if identifiers is not None:
        wanted = set(identifiers)
        for row in statement.identifiers.all():
            if (row.scheme, row.value) not in wanted:
                row.delete()
        present = set(statement.identifiers.values_list("scheme", "value"))
        for scheme, value in sorted(wanted - present):
            identifier = StatementIdentifier(statement=statement, scheme=scheme, value=value)
            identifier.full_clean(exclude=["statement"])
            identifier.save()
    if citations is not None:
        wanted = {citation.source.pk: citation for citation in citations}
        for row in statement.citations.all():
            citation = wanted.get(row.source_id)
            if citation is None:
                row.delete()
            elif citation.attribution != row.attribution:
                row.attribution = citation.attribution
                row.save()
        present = set(statement.citations.values_list("source", flat=True))
        for pk, citation in wanted.items():
            if pk not in present:
                Citation.objects.create(statement=statement, source=citation.source, attribution=citation.attribution)
    if tags is not None:
        write_tags(statement, user, tags)


def write_tags(statement, user, tags):
    """Tags removed, changed in place (same act and target: polarity, intensity) or added (stamped with `user`)."""
    wanted = {}
    for tag in tags:
        if tag.target_actor is not None and tag.target_topic is not None:
            raise WorkflowError("A tag has one target: an actor or a topic, not both.", code="two_targets")
        if tag.key() in wanted:
            raise WorkflowError(f"{tag.category} is tagged twice toward the same target.", code="duplicate_tag")
        wanted[tag.key()] = tag
    stored = {}
    for row in statement.stance_tags.select_related("category"):
        stored[(row.category_id, row.target_actor_id, row.target_topic_id)] = row
    # Deletions first, so a tag removed and re-added in one save does not meet itself.
    for key, row in stored.items():
        if key not in wanted:
            row.delete()
    for key, tag in wanted.items():
        row = stored.get(key)
        if row is None:
            row = StanceTag(
                statement=statement,
                category=tag.category,
                target_actor=tag.target_actor,
                target_topic=tag.target_topic,
                polarity=tag.polarity,
                intensity=tag.intensity,
                curator=user,
            )
            row.full_clean(exclude=["statement"], validate_unique=False)
            row.save()
        elif (row.polarity, row.intensity) != (tag.polarity, tag.intensity):
            # The tag stays its curator's; the history says who changed it.
            row.polarity, row.intensity = tag.polarity, tag.intensity
            row.full_clean(exclude=["statement"], validate_unique=False)
            row.save()


# A tag on its own (the tag's admin page and its bulk delete)


@transaction.atomic
def save_tag(tag, *, user):
    """Save one stance tag edited on its own: its statement's rules apply, and the statement is bumped."""
    statement = locked(tag.statement)
    check_public_edit(user=user, statement=statement)
    check_tags_open(statement)
    if tag._state.adding:
        tag.curator = user
    with acting_as(user):
        tag.save()
        bump(statement, reason=f"tag {tag} saved")
    return tag


@transaction.atomic
def delete_tags(tags, *, user):
    """Delete stance tags (a queryset); refused whole if one is on a public statement and `user` is no reviewer."""
    tags = tags.select_related("statement", "category")
    statements = {
        statement.pk: statement
        for statement in Statement.objects.select_for_update().filter(pk__in=tags.values("statement"))
    }
    for statement in statements.values():
        check_public_edit(user=user, statement=statement)
        check_tags_open(statement)
    with acting_as(user):
        deleted = 0
        for tag in tags:
            tag.delete()
            deleted += 1
        for statement in statements.values():
            bump(statement, reason="tags deleted")
    return deleted


def bump(statement, *, reason):
    """Raise a statement's version and updated_at for a change to one of its parts, with a history entry."""
    statement._change_reason = short(reason)
    statement.save()


# People

CURATORS, REVIEWERS = "curators", "reviewers"


@transaction.atomic
def add_curator(*, username, password, email="", reviewer=False):
    """A staff user in the curators group (and the reviewers group for a reviewer), in one step."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    User = get_user_model()
    if User.objects.filter(**{User.USERNAME_FIELD: username}).exists():
        raise WorkflowError(f"There is already a user {username!r}.", code="user_exists")
    groups = list(Group.objects.filter(name__in=[CURATORS, REVIEWERS] if reviewer else [CURATORS]))
    if len(groups) != (2 if reviewer else 1):
        raise WorkflowError("The curators and reviewers groups are missing: run manage.py migrate.", code="no_groups")
    user = User.objects.create_user(username, email=email, password=password, is_staff=True)
    user.groups.set(groups)
    return user


# Reviewed edits: a curator's change to what the public sees waits as a Revision


@transaction.atomic
def propose_revision(statement, *, user, version, reason="", **changes):
    """Keep a curator's edit of a published or retracted statement for a reviewer; the statement is untouched."""
    fields = {name: value for name, value in changes.items() if name in FIELDS}
    unknown = set(changes) - set(FIELDS) - set(PARTS)
    if unknown:
        raise TypeError(f"propose_revision() got unexpected fields {', '.join(sorted(unknown))}")
    stored = Statement.objects.get(pk=statement.pk)
    # Checked now, as they would be on approval: a curator learns of a mistake at once.
    proposed = Statement(**{f.attname: getattr(stored, f.attname) for f in Statement._meta.concrete_fields})
    for name, value in normalized(stored, fields).items():
        setattr(proposed, name, value)
    proposed.full_clean(exclude=["speakers", "recipients", "topics"], validate_unique=False)
    if "citations" in changes:
        check_citations(status=proposed.status, citation_count=len(changes["citations"]))
    for tag in changes.get("tags") or ():
        if tag.target_actor is not None and tag.target_topic is not None:
            raise WorkflowError("A tag has one target: an actor or a topic, not both.", code="two_targets")
    return Revision.objects.create(
        statement=stored,
        base_version=stored.version if version is None else version,
        changes=encode_changes(proposed, fields, changes),
        reason=reason,
        proposed_by=user,
    )


def encode_changes(proposed, fields, changes):
    encoded = {"fields": {name: encode_value(getattr(proposed, name)) for name in fields}}
    for name in ("speakers", "recipients", "topics"):
        if changes.get(name) is not None:
            encoded[name] = sorted(value.pk for value in changes[name])
    if changes.get("identifiers") is not None:
        encoded["identifiers"] = sorted([scheme, value] for scheme, value in changes["identifiers"])
    if changes.get("citations") is not None:
        encoded["citations"] = [[citation.source.pk, citation.attribution] for citation in changes["citations"]]
    if changes.get("tags") is not None:
        encoded["tags"] = [
            [tag.category.pk, pk_of(tag.target_actor), pk_of(tag.target_topic), tag.polarity, tag.intensity]
            for tag in changes["tags"]
        ]
    return encoded


def encode_value(value):
    return value.isoformat() if isinstance(value, datetime.date) else value


def decode_changes(changes):
    """The keyword arguments of update_statement that a Revision's `changes` stand for."""
    from actors.models import Actor
    from statements.models import Source, StanceCategory, Topic

    decoded = dict(changes.get("fields", {}))
    if "date" in decoded:
        decoded["date"] = datetime.date.fromisoformat(decoded["date"])
    for name, model in (("speakers", Actor), ("recipients", Actor), ("topics", Topic)):
        if name in changes:
            decoded[name] = list(model.objects.filter(pk__in=changes[name]))
    if "identifiers" in changes:
        decoded["identifiers"] = [tuple(pair) for pair in changes["identifiers"]]
    if "citations" in changes:
        sources = Source.objects.in_bulk([pk for pk, _ in changes["citations"]])
        decoded["citations"] = [CitationSpec(sources[pk], attribution) for pk, attribution in changes["citations"]]
    if "tags" in changes:
        categories = StanceCategory.objects.in_bulk([row[0] for row in changes["tags"]])
        actors = Actor.objects.in_bulk([row[1] for row in changes["tags"] if row[1]])
        topics = Topic.objects.in_bulk([row[2] for row in changes["tags"] if row[2]])
        decoded["tags"] = [
            TagSpec(categories[category], actors.get(actor), topics.get(topic), polarity, intensity)
            for category, actor, topic, polarity, intensity in changes["tags"]
        ]
    return decoded


def check_reviewer(user, revision):
    if not may_publish(user):
        raise PermissionDenied("Approving and rejecting revisions need the permission to publish: ask a reviewer.")
    if revision.status != RevisionStatus.PROPOSED:
        raise WorkflowError(f"{revision} was already {revision.get_status_display().lower()}.", code="reviewed")


@transaction.atomic
def approve_revision(revision, *, user, comment=""):
    """Apply a proposed revision as the reviewer's edit, if the statement has not moved on since it was made."""
    revision = Revision.objects.select_for_update().get(pk=revision.pk)
    check_reviewer(user, revision)
    who = revision.proposed_by.get_username()
    reason = f"revision {revision.pk} by {who} approved" + (f": {revision.reason}" if revision.reason else "")
    statement = update_statement(
        revision.statement, user=user, version=revision.base_version, reason=reason, **decode_changes(revision.changes)
    )
    revision.status, revision.reviewed_by, revision.reviewed_at = RevisionStatus.APPROVED, user, timezone.now()
    revision.comment = comment
    with acting_as(user):
        revision.save()
    return statement


@transaction.atomic
def reject_revision(revision, *, user, comment=""):
    revision = Revision.objects.select_for_update().get(pk=revision.pk)
    check_reviewer(user, revision)
    revision.status, revision.reviewed_by, revision.reviewed_at = RevisionStatus.REJECTED, user, timezone.now()
    revision.comment = comment
    with acting_as(user):
        revision.save()
    return revision


def revision_differences(revision):
    """[(what, as published, as proposed)] for each field or part the revision changes, in words."""
    from actors.models import Actor
    from statements.models import Source, StanceCategory, Topic

    statement = revision.statement
    changes = revision.changes
    rows = []
    for name, value in changes.get("fields", {}).items():
        current = encode_value(getattr(statement, name))
        if current != value:
            label = Statement._meta.get_field(name).verbose_name
            rows.append((label, str(current), str(value)))
    for name, model in (("speakers", Actor), ("recipients", Actor), ("topics", Topic)):
        if name in changes:
            now = sorted(str(item) for item in getattr(statement, name).all())
            then = sorted(str(item) for item in model.objects.filter(pk__in=changes[name]))
            if now != then:
                rows.append((name, ", ".join(now) or "—", ", ".join(then) or "—"))
    if "identifiers" in changes:
        now = sorted(f"{s}:{v}" for s, v in statement.identifiers.values_list("scheme", "value"))
        then = sorted(f"{s}:{v}" for s, v in changes["identifiers"])
        if now != then:
            rows.append(("identifiers", ", ".join(now) or "—", ", ".join(then) or "—"))
    if "citations" in changes:
        sources = Source.objects.in_bulk([pk for pk, _ in changes["citations"]])
        now = sorted(str(citation) for citation in statement.citations.select_related("source"))
        then = sorted(
            f"{sources[pk]} ({attribution})" if attribution else str(sources[pk])
            for pk, attribution in changes["citations"]
        )
        if now != then:
            rows.append(("citations", "; ".join(now) or "—", "; ".join(then) or "—"))
    if "tags" in changes:
        categories = StanceCategory.objects.in_bulk([row[0] for row in changes["tags"]])
        actors = Actor.objects.in_bulk([row[1] for row in changes["tags"] if row[1]])
        topics = Topic.objects.in_bulk([row[2] for row in changes["tags"] if row[2]])

        def words(code, target, polarity, intensity):
            return f"{code} {polarity} {intensity}" + (f" → {target}" if target else "")

        now = sorted(
            words(tag.category.code, tag.target, tag.polarity, tag.intensity)
            for tag in statement.stance_tags.select_related("category", "target_actor", "target_topic")
        )
        then = sorted(
            words(categories[c].code, actors.get(a) or topics.get(t), polarity, intensity)
            for c, a, t, polarity, intensity in changes["tags"]
        )
        if now != then:
            rows.append(("stance tags", "; ".join(now) or "—", "; ".join(then) or "—"))
    return rows


@transaction.atomic
def revert_statement(statement, *, user, history_id, version=None):
    """Make the statement what it was at a history entry, as an edit (a curator's revert of a public one waits
    for a reviewer); its status stays. Returns what edit_statement returns."""
    from statements.timeline import state_at

    record, state = state_at(statement, history_id)
    reason = f"reverted to version {record.version} of {record.history_date:%Y-%m-%d %H:%M}"
    return edit_statement(statement, user=user, version=version, reason=reason, **state)


# Sources cited by a write that names them by URL (the API's)


def cite(*, user, url, publisher=None, title=None, published_on=None, attribution=""):
    """A CitationSpec for the source at `url`: the one recorded, or a new one (which needs its publisher).

    What is given about a recorded source must agree with it: a source is shared by every statement citing it,
    and is changed on its own (the admin), not through one of them.
    """
    from statements.models import Source

    given = {"publisher": publisher, "title": title, "published_on": published_on}
    source = Source.objects.filter(url=url).first()
    if source is None:
        if not user.has_perm("statements.add_source"):
            raise PermissionDenied(f"{url} is not a recorded source, and you may not record sources.")
        if not publisher:
            raise ValidationError({"sources": [f"{url} is not recorded yet: give its publisher to record it."]})
        source = Source(url=url, **{name: value for name, value in given.items() if value is not None})
        source.full_clean()
        with acting_as(user):
            source.save()
    else:
        differing = [name for name, value in given.items() if value is not None and getattr(source, name) != value]
        if differing:
            stored = ", ".join(f"{name} {getattr(source, name)!r}" for name in differing)
            raise ValidationError(
                {"sources": [f"{url} is recorded with {stored}: leave these out, or change the source itself."]}
            )
    return CitationSpec(source, attribution)


# Topics (the API's writes; the admin saves through its forms, which run the same model validation)


@transaction.atomic
def save_topic(topic, *, user, aliases=None, **fields):
    """Create or change a topic: its fields, and when given the whole set of its other names [(name, language)]."""
    from actors.services import replace_rows
    from statements.models import Topic, TopicAlias

    if topic.pk is not None:
        topic = Topic.objects.select_for_update().get(pk=topic.pk)
    for name, value in fields.items():
        setattr(topic, name, value)
    topic.full_clean()
    with acting_as(user):
        topic.save()
        if aliases is not None:
            replace_rows(topic.aliases.all(), TopicAlias, ("name", "language"), aliases, "aliases", topic=topic)
    return topic


@transaction.atomic
def delete_topic(topic, *, user):
    """Delete a topic no statement concerns and no tag targets; one in use stays."""
    from statements.models import Topic

    topic = Topic.objects.select_for_update().get(pk=topic.pk)
    uses = [(topic.statements.count(), "statements concern it"), (topic.stance_tags_received.count(), "tags target it")]
    named = [f"{count} {what}" for count, what in uses if count]
    if named:
        raise WorkflowError(f"{topic} is on the record ({', '.join(named)}): it stays.", code="in_use")
    with acting_as(user):
        topic.delete()
