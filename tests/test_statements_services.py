"""The curation workflow in statements.services: the rules every write meets, whoever makes it."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError

import pytest

from statements import services
from statements.models import Citation, StanceCategory, StanceTag, Statement, Status
from statements.services import CitationSpec, StaleVersion, TagSpec, WorkflowError
from tests.factories import make_actor, make_source, make_user


@pytest.fixture
def curator(db):
    return make_user("curator", "curators")


@pytest.fixture
def reviewer(db):
    return make_user("reviewer", "curators", "reviewers")


@pytest.fixture
def people(db):
    class People:
        koizumi = make_actor("Shinjiro Koizumi")
        rutte = make_actor("Mark Rutte")
        crosetto = make_actor("Guido Crosetto")
        china = make_actor("China")

    return People


def k1():
    return StanceCategory.objects.default_taxonomy().get(code="K1")


def draft(curator, people, **overrides):
    values = {
        "user": curator,
        "speakers": [people.koizumi],
        "recipients": [people.rutte, people.crosetto],
        "citations": [CitationSpec(make_source(), "according to the ministry")],
        "tags": [TagSpec(k1(), target_actor=people.china, polarity="against", intensity=3)],
        "date": "2025-12-10",
        "channel": "video_call",
        "summary": "Grave concerns",
        **overrides,
    }
    return services.create_statement(**values)


def rows():
    """What a refused write must leave as it was."""
    return (
        list(Statement.objects.values()),
        list(StanceTag.objects.values()),
        list(Citation.objects.values()),
        Statement.history.count(),
    )


def test_a_new_statement_is_a_draft_with_its_parts_its_tags_stamped_and_one_history_entry(curator, people):
    statement = draft(curator, people)

    assert statement.status == Status.DRAFT
    assert statement.version == 1
    assert statement.created_by == curator
    assert set(statement.recipients.all()) == {people.rutte, people.crosetto}
    assert [tag.curator for tag in statement.stance_tags.all()] == [curator]
    (entry,) = statement.history.all()
    assert (entry.history_type, entry.history_user, entry.history_change_reason) == ("+", curator, "created")
    assert {link.actor_id for link in entry.recipients.all()} == {people.rutte.pk, people.crosetto.pk}


def test_a_stale_version_is_refused_and_nothing_is_written(curator, people):
    statement = draft(curator, people)
    services.update_statement(statement, user=curator, version=1, summary="First edit")
    before = rows()

    with pytest.raises(StaleVersion, match="version 2"):
        services.update_statement(statement, user=curator, version=1, summary="Edit from an old page", tags=[])

    assert rows() == before


@pytest.mark.parametrize("change", ["tag", "citation", "recipients", "intensity"])
def test_every_change_to_a_part_raises_the_version_and_updated_at_once(curator, people, change):
    statement = draft(curator, people)
    stored = Statement.objects.get(pk=statement.pk)
    parts = {
        "tag": {"tags": []},
        "citation": {"citations": [CitationSpec(make_source())]},
        "recipients": {"recipients": [people.rutte]},
        "intensity": {"tags": [TagSpec(k1(), target_actor=people.china, polarity="against", intensity=4)]},
    }[change]

    updated = services.update_statement(statement, user=curator, version=1, **parts)

    assert updated.version == 2
    assert updated.updated_at > stored.updated_at
    assert statement.history.count() == 2


def test_an_update_that_changes_nothing_writes_nothing(curator, people):
    statement = draft(curator, people)
    before = rows()

    services.update_statement(
        statement,
        user=curator,
        version=1,
        summary="Grave concerns",
        recipients=[people.crosetto, people.rutte],
        tags=[TagSpec(k1(), target_actor=people.china, polarity="against", intensity=3)],
    )

    assert rows() == before


def test_a_curator_cannot_publish_or_retract(curator, reviewer, people):
    statement = draft(curator, people)
    services.send_to_review(statement, user=curator)
    before = rows()

    with pytest.raises(PermissionDenied):
        services.publish(statement, user=curator)
    with pytest.raises(PermissionDenied):
        services.update_statement(statement, user=curator, version=None, status=Status.PUBLISHED)
    assert rows() == before

    services.publish(statement, user=reviewer)
    with pytest.raises(PermissionDenied):
        services.retract(statement, user=curator)
    assert Statement.objects.get(pk=statement.pk).status == Status.PUBLISHED


def test_a_published_statement_always_has_a_citation(curator, reviewer, people):
    uncited = draft(curator, people, citations=[])
    with pytest.raises(WorkflowError, match="citation"):
        services.publish(uncited, user=reviewer)
    with pytest.raises(WorkflowError, match="citation"):
        draft(reviewer, people, citations=[], status=Status.PUBLISHED)

    cited = draft(curator, people)
    services.publish(cited, user=reviewer)
    with pytest.raises(WorkflowError, match="citation"):
        services.update_statement(cited, user=reviewer, version=None, citations=[])
    assert Statement.objects.get(pk=cited.pk).citations.count() == 1


def test_publishing_records_who_and_when_and_why(curator, reviewer, people):
    statement = draft(curator, people)
    services.send_to_review(statement, user=curator)
    services.publish(statement, user=reviewer)

    entries = list(statement.history.order_by("history_date").values_list("history_user__username", "status"))
    reasons = list(statement.history.order_by("history_date").values_list("history_change_reason", flat=True))
    assert entries == [("curator", "draft"), ("curator", "in_review"), ("reviewer", "published")]
    assert reasons == ["created", "sent to review", "published"]


def test_a_curator_cannot_change_what_is_published(curator, reviewer, people):
    statement = draft(curator, people)
    services.publish(statement, user=reviewer)
    before = rows()

    with pytest.raises(PermissionDenied, match="reviewer"):
        services.update_statement(statement, user=curator, version=None, tags=[])

    assert rows() == before
    services.update_statement(statement, user=reviewer, version=None, summary="Reworded by a reviewer")
    assert Statement.objects.get(pk=statement.pk).summary == "Reworded by a reviewer"


def test_only_drafts_and_statements_in_review_are_deleted_and_only_by_whoever_may_delete(curator, reviewer, people):
    administrator = make_user("administrator", is_superuser=True)
    kept = draft(curator, people)
    services.publish(kept, user=reviewer)
    gone = draft(curator, people)

    with pytest.raises(WorkflowError, match="Retract"):
        services.delete_statement(kept, user=administrator)
    with pytest.raises(PermissionDenied):
        services.delete_statement(gone, user=make_user("no-group"))
    services.delete_statement(gone, user=curator)

    assert list(Statement.objects.all()) == [kept]


def test_a_changed_tag_keeps_its_curator_and_the_history_says_who_changed_it(curator, reviewer, people):
    statement = draft(curator, people)

    services.update_statement(
        statement,
        user=reviewer,
        version=1,
        tags=[TagSpec(k1(), target_actor=people.china, polarity="against", intensity=4)],
    )

    assert [(tag.intensity, tag.curator) for tag in statement.stance_tags.all()] == [(4, curator)]
    assert StanceTag.history.latest("history_date").history_user == reviewer


def test_a_tag_with_two_targets_or_twice_the_same_is_refused(curator, people):
    statement = draft(curator, people)
    before = rows()
    topic_tag = TagSpec(k1(), target_actor=people.china, target_topic=statement.topics.model(pk=1), polarity="against")

    with pytest.raises(WorkflowError, match="one target"):
        services.update_statement(statement, user=curator, version=1, tags=[topic_tag])
    twice = TagSpec(k1(), target_actor=people.china, polarity="favor", intensity=1)
    with pytest.raises(WorkflowError, match="twice"):
        services.update_statement(statement, user=curator, version=1, tags=[twice, TagSpec(k1(), people.china)])

    assert rows() == before


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("language", "English (UK)", "not a BCP 47 language tag"),
        ("language", "xx-YY", "not a BCP 47 language tag"),
        ("date", datetime.date.today() + datetime.timedelta(days=2), "after today"),
    ],
)
def test_a_date_after_today_or_a_language_that_is_no_bcp47_tag_is_refused(curator, people, field, value, reason):
    with pytest.raises(ValidationError, match=reason):
        draft(curator, people, **{field: value})

    assert not Statement.objects.exists()


def test_regional_and_script_language_tags_are_accepted(curator, people):
    for tag in ("en-GB", "zh-Hans", "ja-Latn", "pt-BR"):
        assert draft(curator, people, language=tag).language == tag


# Reviewed edits


def published(curator, reviewer, people):
    statement = draft(curator, people)
    return services.publish(statement, user=reviewer)


def test_a_curators_edit_of_a_published_statement_waits_as_a_revision_and_changes_nothing(curator, reviewer, people):
    statement = published(curator, reviewer, people)
    before = rows()

    stored, revision = services.edit_statement(
        statement,
        user=curator,
        version=statement.version,
        summary="Grave concerns over the radar incident",
        tags=[TagSpec(k1(), target_actor=people.china, polarity="against", intensity=4)],
        reason="The report says 'grave'",
    )

    assert rows()[:3] == before[:3]  # the statement, its tags and citations as they were
    assert revision.status == "proposed" and revision.proposed_by == curator
    differences = {what: (then, now) for what, then, now in services.revision_differences(revision)}
    assert differences["summary"] == ("Grave concerns", "Grave concerns over the radar incident")
    assert differences["stance tags"] == ("K1 against 3 → China", "K1 against 4 → China")


def test_a_reviewer_approves_a_revision_and_it_is_published_with_who_proposed_it(curator, reviewer, people):
    statement = published(curator, reviewer, people)
    _, revision = services.edit_statement(statement, user=curator, version=statement.version, summary="Reworded")

    services.approve_revision(revision, user=reviewer, comment="Thanks")

    fresh = Statement.objects.get(pk=statement.pk)
    assert (fresh.summary, fresh.status, fresh.version) == ("Reworded", Status.PUBLISHED, statement.version + 1)
    latest = fresh.history.latest("history_id")
    assert latest.history_user == reviewer
    assert latest.history_change_reason == f"revision {revision.pk} by curator approved"
    revision.refresh_from_db()
    assert (revision.status, revision.reviewed_by, revision.comment) == ("approved", reviewer, "Thanks")


def test_a_rejected_revision_leaves_the_statement_and_a_curator_cannot_decide_one(curator, reviewer, people):
    statement = published(curator, reviewer, people)
    _, revision = services.edit_statement(statement, user=curator, version=statement.version, summary="Wrong")
    before = rows()

    with pytest.raises(PermissionDenied):
        services.approve_revision(revision, user=curator)
    services.reject_revision(revision, user=reviewer, comment="The report does not say so")

    assert rows() == before
    with pytest.raises(WorkflowError, match="already rejected"):
        services.approve_revision(revision, user=reviewer)


def test_a_revision_made_from_an_older_version_is_refused_on_approval(curator, reviewer, people):
    statement = published(curator, reviewer, people)
    _, revision = services.edit_statement(statement, user=curator, version=statement.version, summary="From v2")
    services.update_statement(statement, user=reviewer, version=statement.version, summary="The reviewer's own")

    with pytest.raises(StaleVersion):
        services.approve_revision(revision, user=reviewer)

    assert Statement.objects.get(pk=statement.pk).summary == "The reviewer's own"


def test_a_reviewers_own_edit_of_a_published_statement_is_published_at_once(curator, reviewer, people):
    statement = published(curator, reviewer, people)

    stored, revision = services.edit_statement(statement, user=reviewer, version=statement.version, summary="Now")

    assert revision is None
    assert Statement.objects.get(pk=statement.pk).summary == "Now"


# The timeline, and reverting to an earlier version


def test_the_timeline_has_one_entry_per_save_with_its_tag_and_citation_changes(curator, reviewer, people):
    from statements.timeline import timeline

    statement = draft(curator, people)
    services.update_statement(
        statement,
        user=reviewer,
        version=1,
        reason="per the readout",
        summary="Grave concerns, reworded",
        tags=[TagSpec(k1(), target_actor=people.china, polarity="against", intensity=4)],
    )

    newest, first = timeline(statement)

    assert (newest.who, newest.why) == (reviewer, "per the readout")
    assert ("summary", "Grave concerns", "Grave concerns, reworded") in newest.changes
    assert newest.parts == ["~ stance tag K1 against 4 → China"]
    assert (first.who, first.why) == (curator, "created")
    assert sorted(first.parts) == [
        "+ citation " + str(statement.citations.get().source) + " (according to the ministry)",
        "+ stance tag K1 against 3 → China",
    ]


def test_reverting_brings_back_the_fields_tags_and_citations_of_an_earlier_version(curator, people):
    from statements.timeline import timeline

    statement = draft(curator, people)
    first = timeline(statement)[-1]
    services.update_statement(
        statement, user=curator, version=1, summary="Changed", tags=[], citations=[], recipients=[people.rutte]
    )

    services.revert_statement(statement, user=curator, history_id=first.history_id, version=2)

    fresh = Statement.objects.get(pk=statement.pk)
    assert (fresh.summary, fresh.version) == ("Grave concerns", 3)
    assert set(fresh.recipients.all()) == {people.rutte, people.crosetto}
    assert [(tag.category.code, tag.intensity) for tag in fresh.stance_tags.all()] == [("K1", 3)]
    assert fresh.citations.count() == 1
    assert fresh.history.latest("history_id").history_change_reason.startswith("reverted to version 1")


def test_a_curators_revert_of_a_published_statement_waits_for_a_reviewer(curator, reviewer, people):
    from statements.timeline import timeline

    statement = published(curator, reviewer, people)
    services.update_statement(statement, user=reviewer, version=statement.version, summary="Reviewer's words")
    earlier = timeline(statement)[1]

    _, revision = services.revert_statement(statement, user=curator, history_id=earlier.history_id)

    assert revision is not None
    assert Statement.objects.get(pk=statement.pk).summary == "Reviewer's words"
