"""`import_statements`: the exchange files back into the database, checked line by line, new, changed or unchanged."""

import datetime
import io
import json
import uuid

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import connection

import pytest

from actors.models import Actor, ActorIdentifier, ActorKind, ActorName
from statements import exchange
from statements.demo import DEMO_CURATOR_USERNAME, load_demo
from statements.imports import ImportNotAllowed, import_statements
from statements.models import (
    Channel,
    Citation,
    DatePrecision,
    Polarity,
    Source,
    StanceCategory,
    StanceTag,
    Statement,
    StatementIdentifier,
    StatementRecipient,
    StatementSpeaker,
    StatementTopic,
    Status,
    Topic,
)

HISTORY_MODELS = [
    Statement.history.model,
    StanceTag.history.model,
    Citation.history.model,
    StatementIdentifier.history.model,
    Statement.history.model.speakers.model,
    Statement.history.model.recipients.model,
    Statement.history.model.topics.model,
]


# --- helpers ---


def export_text(format="ndjson", shape="statements", queryset=None):
    queryset = Statement.objects.all() if queryset is None else queryset
    return b"".join(exchange.export(queryset, format, shape)).decode()


def run(text, format="ndjson", **options):
    """Import `text` as a file of `format` would be; the importing user defaults to a superuser."""
    options.setdefault("user", importer_user())
    return import_statements(exchange.read(io.StringIO(text, newline=""), format), **options)


def importer_user():
    User = get_user_model()
    user = User.objects.filter(username="importer").first()
    return user or User.objects.create_superuser("importer", "importer@example.org", "importer-password-1")


def curator_without_publishing():
    user = get_user_model().objects.create_user("curator", password="curator-password-1")
    user.groups.add(Group.objects.get(name="curators"))
    return user


def row(**fields):
    """A valid statements-shape row naming demo actors; keyword arguments replace its columns."""
    values = {
        "uuid": str(uuid.uuid4()),
        "identifiers": [],
        "date": "2025-12-10",
        "date_precision": "day",
        "channel": "video_call",
        "speakers": ["japan"],
        "recipients": ["china"],
        "topics": ["taiwan"],
        "text": "Japan expresses concern.",
        "is_direct_quote": False,
        "language": "en",
        "summary": "A summary.",
        "sources": [source("https://example.org/news/1")],
        "stance_tags": [tag("K1", target_actor="china")],
        "status": "published",
        "created_at": "2025-12-10T09:00:00Z",
    }
    values.update(fields)
    return values


def source(url, attribution="", publisher="Example News", title="A report", published_on="2025-12-11"):
    return {
        "url": url,
        "publisher": publisher,
        "title": title,
        "published_on": published_on,
        "attribution": attribution,
    }


def tag(category, target_actor=None, target_topic=None, polarity="against", intensity=1, curator=DEMO_CURATOR_USERNAME):
    return {
        "category": category,
        "target_actor": target_actor,
        "target_topic": target_topic,
        "polarity": polarity,
        "intensity": intensity,
        "curator": curator,
    }


def ndjson(*rows):
    return "".join(json.dumps(values, ensure_ascii=False) + "\n" for values in rows)


def history_counts():
    return {model.__name__: model.objects.count() for model in HISTORY_MODELS}


def stored_state():
    """Every row of the statements and what hangs on them, with ids and timestamps: what "unchanged" must keep."""
    models = [
        Statement,
        StatementSpeaker,
        StatementRecipient,
        StatementTopic,
        StatementIdentifier,
        Citation,
        Source,
        StanceTag,
    ]
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in models}


@pytest.fixture
def demo(db):
    load_demo()


@pytest.fixture
def featured(demo):
    """The demo plus statements with every feature an exchange file carries.

    Several speakers and recipients, topics, identifiers of other schemes, two sources, tags with
    actor and topic targets and two curators, month precision, a CJK text, a direct quote, and
    every status.
    """
    actors = {actor.slug: actor for actor in Actor.objects.all()}
    topics = {topic.slug: topic for topic in Topic.objects.all()}
    categories = {category.code: category for category in StanceCategory.objects.default_taxonomy()}
    demo_curator = get_user_model().objects.get(username=DEMO_CURATOR_USERNAME)
    tagger = get_user_model().objects.create_user("tagger", password="tagger-password-1")
    first = Source.objects.create(
        url="https://example.org/featured/one", publisher="Xinhua", title="中日关系", published_on="2025-12-02"
    )
    second = Source.objects.create(url="https://example.org/featured/two", publisher="Kyodo")

    def statement(status, speakers, recipients=(), topic_slugs=(), identifiers=(), citations=(), tags=(), **fields):
        made = Statement.objects.create(status=status, **fields)
        made.speakers.set([actors[slug] for slug in speakers])
        made.recipients.set([actors[slug] for slug in recipients])
        made.topics.set([topics[slug] for slug in topic_slugs])
        for scheme, value in identifiers:
            StatementIdentifier.objects.create(statement=made, scheme=scheme, value=value)
        for cited, attribution in citations:
            Citation.objects.create(statement=made, source=cited, attribution=attribution)
        for code, target, polarity, intensity, curator in tags:
            StanceTag.objects.create(
                statement=made,
                category=categories[code],
                target_actor=actors.get(target),
                target_topic=topics.get(target),
                polarity=polarity,
                intensity=intensity,
                curator=curator,
            )
        return made

    statement(
        Status.IN_REVIEW,
        ["china", "china-coast-guard"],
        ["japan", "united-states"],
        ["senkaku-diaoyu-islands", "japan-china-dispute-2025"],
        identifiers=[("gdelt", "1234567"), ("polecat", "pc-17")],
        citations=[(first, "据新华社报道"), (second, "according to Kyodo")],
        tags=[
            ("W1", "japan", Polarity.AGAINST, 3, demo_curator),
            ("O3", "united-states", Polarity.AGAINST, 2, tagger),
            ("A2", "one-china-principle", Polarity.FAVOR, 1, tagger),
            ("S1", None, Polarity.NEUTRAL, 0, demo_curator),
        ],
        date=datetime.date(2025, 12, 1),
        date_precision=DatePrecision.MONTH,
        channel=Channel.JOINT_STATEMENT,
        text="中方坚决反对日方的错误言论，敦促日方停止挑衅。",
        is_direct_quote=True,
        language="zh-Hans",
        summary="China and its coast guard warn Japan and the US over the islands",
    )
    statement(
        Status.DRAFT,
        ["sanae-takaichi"],
        topic_slugs=["taiwan"],
        identifiers=[("icews", "ic-99")],
        tags=[("S1", "taiwan", Polarity.UNCLEAR, 0, tagger)],
        date=datetime.date(2025, 11, 7),
        channel=Channel.SPEECH,
        text="台湾有事は存立危機事態になり得る。",
        is_direct_quote=True,
        language="ja",
    )
    statement(
        Status.RETRACTED,
        ["russia"],
        ["japan"],
        citations=[(second, "")],
        tags=[("R2", "japan", Polarity.AGAINST, 2, tagger)],
        date=datetime.date(2025, 1, 1),
        date_precision=DatePrecision.YEAR,
        channel=Channel.PRESS_CONFERENCE,
        text="Moscow denies the bomber flight breached Japanese airspace.",
    )


# --- an export re-imports to the same data ---


@pytest.mark.parametrize("shape", ["statements", "tags"])  # annotations are exported only, never imported
@pytest.mark.parametrize("format", list(exchange.FORMATS))
def test_an_export_imports_into_an_empty_database_and_exports_again_identically(featured, format, shape):
    exported = export_text(format, shape)
    count = Statement.objects.count()
    Statement.objects.all().delete()
    Source.objects.all().delete()

    report = run(exported, format, status="file")

    assert (report.read, report.inserted, report.rejected, report.written) == (count, count, 0, True)
    assert sorted(export_text(format, shape).splitlines()) == sorted(exported.splitlines())


def test_imported_statements_equal_saved_ones(featured):
    """What the writers store is what save() would: dates at the start of their precision, version 1."""
    exported = export_text()
    Statement.objects.all().delete()

    run(exported, status="file")

    month = Statement.objects.get(date_precision=DatePrecision.MONTH, language="zh-Hans")
    assert month.date == datetime.date(2025, 12, 1)
    assert set(Statement.objects.values_list("version", flat=True)) == {1}
    assert set(Statement.objects.values_list("created_by__username", flat=True)) == {"importer"}


# --- every problem, by line, field and reason ---


def test_one_bad_line_writes_nothing_and_names_the_line_and_its_reason(demo):
    before = Statement.objects.count()
    text = ndjson(row(), row(), row(speakers=["nobody"]), row())

    report = run(text)

    assert not report.written
    assert Statement.objects.count() == before
    assert report.problems == [
        (3, "speakers", "unknown actor 'nobody' (give a slug, scheme:value or an exact name)"),
    ]
    assert (report.read, report.inserted, report.rejected) == (4, 3, 1)
    assert report.outcomes[3].outcome == "rejected"


def test_skip_invalid_writes_the_good_lines_and_lists_the_bad_one(demo):
    before = Statement.objects.count()
    good = [row(), row(), row()]
    text = ndjson(good[0], row(date="2025-13-01"), good[1], good[2])

    report = run(text, skip_invalid=True)

    assert report.written
    assert Statement.objects.count() == before + 3
    assert set(Statement.objects.values_list("uuid", flat=True)) >= {uuid.UUID(values["uuid"]) for values in good}
    assert report.problems == [(2, "date", "'2025-13-01' is not a date (YYYY-MM-DD)")]
    assert (report.inserted, report.rejected) == (3, 1)


def test_ten_different_faults_are_each_reported_with_line_field_and_reason(demo):
    lines = [
        row(speakers=["nobody"]),
        row(stance_tags=[tag("K9", target_actor="china")]),
        row(date="2025-13-01"),
        row(stance_tags=[tag("K1", target_actor="china", target_topic="taiwan")]),
        row(speakers=[]),
        row(channel="carrier pigeon"),
        row(uuid="not-a-uuid"),
        row(uuid="", identifiers=[]),
        row(stance_tags=[tag("K1", target_actor="china", intensity=7)]),
        row(sources=[]),
        row(topics=["atlantis"]),
        row(sources=[source("example.org/no-scheme")]),
        row(language="English (UK)"),
        row(date="2999-01-01"),
    ]

    report = run(ndjson(row(), *lines), status="file")

    assert report.problems == [
        (2, "speakers", "unknown actor 'nobody' (give a slug, scheme:value or an exact name)"),
        (3, "stance_tags[1].category", "unknown stance category 'K9'"),
        (4, "date", "'2025-13-01' is not a date (YYYY-MM-DD)"),
        (5, "stance_tags[1].target_topic", "a tag has one target: an actor or a topic, not both"),
        (6, "speakers", "a statement needs at least one speaker"),
        (
            7,
            "channel",
            "'carrier pigeon' is not a channel (demarche, in_person_meeting, interview, joint_statement, "
            "phone_call, press_conference, social_media_post, speech, unspecified, video_call or written_statement)",
        ),
        (8, "uuid", "'not-a-uuid' is not a UUID"),
        (9, "uuid", "nothing to key it by: give a uuid or an identifier (scheme:value)"),
        (10, "stance_tags[1].intensity", "7 is not an intensity (a whole number from 0 to 4)"),
        (11, "sources", "a published statement needs at least one citation"),
        (12, "topics", "unknown topic 'atlantis' (give a slug or an exact name or alias)"),
        (13, "sources[1].url", "'example.org/no-scheme' is not a URL"),
        (14, "language", "'English (UK)' is not a BCP 47 language tag (en, en-GB, ja, zh-Hans)"),
        (15, "date", "'2999-01-01' is after today"),
    ]
    assert (report.read, report.inserted, report.rejected, report.written) == (15, 1, 14, False)


def test_a_csv_cell_that_cannot_be_read_is_reported_with_its_column(demo):
    exported = export_text("csv")
    header, first, *rest = exported.splitlines(keepends=True)
    broken = first.replace(",false,", ",perhaps,", 1)

    report = run(header + broken, "csv", status="file")

    assert report.problems == [(2, "is_direct_quote", "'perhaps' is not true or false")]


def test_a_dry_run_classifies_every_statement_and_writes_nothing(demo):
    unchanged, changed = Statement.objects.order_by("pk")[:2]
    exported = [json.loads(line) for line in export_text(queryset=Statement.objects.order_by("pk")[:2]).splitlines()]
    new = row()
    before, history = stored_state(), history_counts()

    report = run(ndjson(exported[0], {**exported[1], "text": "Other words."}, new), dry_run=True, user=None)

    assert (report.inserted, report.updated, report.unchanged, report.written) == (1, 1, 1, False)
    assert dict(report.outcomes) == {
        1: ("unchanged", unchanged.uuid),
        2: ("changed", changed.uuid),
        3: ("new", uuid.UUID(new["uuid"])),
    }
    assert stored_state() == before
    assert history_counts() == history


# --- keyed by uuid or identifier: new, changed, unchanged ---


@pytest.mark.parametrize("format", list(exchange.FORMATS))
def test_importing_the_same_file_twice_changes_nothing_the_second_time(featured, format):
    text = export_text(format)
    Statement.objects.all().delete()
    first = run(text, format, status="file")
    before, history = stored_state(), history_counts()

    again = run(text, format, status="file")

    count = Statement.objects.count()
    assert (first.inserted, again.read, again.unchanged, again.inserted, again.updated) == (count,) * 3 + (0, 0)
    assert stored_state() == before
    assert history_counts() == history


def test_a_changed_statement_is_updated_set_wise_with_its_version_raised_and_history_kept(demo):
    values = row(
        identifiers=["gdelt:1"],
        recipients=["china", "russia"],
        sources=[source("https://example.org/a", "per A"), source("https://example.org/b")],
        stance_tags=[tag("K1", target_actor="china"), tag("W1", target_actor="russia")],
    )
    run(ndjson(values))
    statement = Statement.objects.get(uuid=values["uuid"])
    kept_tag = statement.stance_tags.get(category__code="K1")
    history = history_counts()
    changed = {
        **values,
        "text": "Japan expresses grave concern.",
        "identifiers": ["gdelt:1", "icews:7"],
        "recipients": ["china", "nato"],
        "sources": [source("https://example.org/a", "per A"), source("https://example.org/c")],
        "stance_tags": [tag("K1", target_actor="china"), tag("W1", target_actor="russia", intensity=3)],
    }

    report = run(ndjson(changed), source_name="changes.ndjson")

    statement.refresh_from_db()
    assert (report.updated, report.outcomes[1].outcome) == (1, "changed")
    assert (statement.version, statement.text) == (2, "Japan expresses grave concern.")
    assert set(statement.recipients.values_list("slug", flat=True)) == {"china", "nato"}
    assert set(statement.citations.values_list("source__url", flat=True)) == {
        "https://example.org/a",
        "https://example.org/c",
    }
    assert statement.stance_tags.get(category__code="K1").pk == kept_tag.pk
    assert statement.stance_tags.get(category__code="W1").intensity == 3
    after = history_counts()
    assert after["HistoricalStatement"] == history["HistoricalStatement"] + 1
    assert after["HistoricalStanceTag"] == history["HistoricalStanceTag"] + 2  # the old W1 out, the new in
    assert after["HistoricalCitation"] == history["HistoricalCitation"] + 2
    assert after["HistoricalStatementIdentifier"] == history["HistoricalStatementIdentifier"] + 1
    record = statement.history.latest()
    assert (record.history_type, record.history_user.username, record.history_change_reason) == (
        "~",
        "importer",
        "import changes.ndjson",
    )
    assert set(record.recipients.values_list("actor__slug", flat=True)) == {"china", "nato"}
    removed = StanceTag.history.filter(statement_id=statement.pk, history_type="-").get()
    assert (removed.category.code, removed.intensity) == ("W1", 1)


def test_new_statements_get_a_plus_history_with_their_links(demo):
    values = row(speakers=["japan", "japan-ministry-of-defense"])

    run(ndjson(values), source_name="new.ndjson")

    record = Statement.history.get(uuid=values["uuid"])
    assert (record.history_type, record.history_change_reason) == ("+", "import new.ndjson")
    assert set(record.speakers.values_list("actor__slug", flat=True)) == {"japan", "japan-ministry-of-defense"}
    assert StanceTag.history.filter(statement_id=record.id, history_type="+").count() == 1


def test_columns_the_file_lacks_are_kept(demo):
    values = row(summary="Kept summary.")
    run(ndjson(values))
    partial = {"uuid": values["uuid"], "text": "New words only."}

    report = run(ndjson(partial))

    statement = Statement.objects.get(uuid=values["uuid"])
    assert report.updated == 1
    assert (statement.text, statement.summary, statement.citations.count(), statement.stance_tags.count()) == (
        "New words only.",
        "Kept summary.",
        1,
        1,
    )


def test_created_at_comes_from_the_file_for_new_statements_and_is_kept_for_stored_ones(demo):
    values = row(created_at="2024-01-02T03:04:05.678901Z")
    run(ndjson(values))
    run(ndjson({**values, "created_at": "2025-06-01T00:00:00Z", "text": "Changed."}))

    statement = Statement.objects.get(uuid=values["uuid"])
    assert statement.created_at == datetime.datetime(2024, 1, 2, 3, 4, 5, 678901, tzinfo=datetime.UTC)
    assert statement.version == 2


def test_a_record_keyed_by_an_identifier_matches_the_stored_statement_or_gets_a_new_uuid(demo):
    values = row(identifiers=["gdelt:42"])
    run(ndjson(values))

    report = run(ndjson({**values, "uuid": "", "text": "Matched by gdelt:42."}, row(uuid="", identifiers=["gdelt:43"])))

    assert (report.updated, report.inserted) == (1, 1)
    assert Statement.objects.get(uuid=values["uuid"]).text == "Matched by gdelt:42."
    new = Statement.objects.get(identifiers__value="43")
    assert report.outcomes[2] == ("new", new.uuid)


def test_keys_that_name_two_stored_statements_or_disagree_are_refused(demo):
    first, second, third = row(identifiers=["gdelt:1"]), row(identifiers=["gdelt:2"]), row(identifiers=["gdelt:3"])
    run(ndjson(first, second, third))
    other = row(identifiers=["gdelt:3"])

    report = run(ndjson({**first, "identifiers": ["gdelt:1", "gdelt:2"]}, other))

    assert report.problems == [
        (
            1,
            "identifiers",
            f"its keys name different stored statements (its uuid names {first['uuid']}; "
            f"gdelt:2 names {second['uuid']})",
        ),
        (2, "identifiers", f"gdelt:3 identifies the stored statement {third['uuid']}, not {other['uuid']}"),
    ]


def test_a_statement_given_twice_in_one_file_is_refused(demo):
    values = row(identifiers=["gdelt:5"])

    report = run(ndjson(values, row(uuid=values["uuid"]), row(identifiers=["gdelt:5"])))

    assert report.problems == [
        (2, "uuid", f"{values['uuid']} is also the uuid of line 1: a statement appears once"),
        (3, "identifiers", "gdelt:5 is also an identifier of line 1: a statement appears once"),
    ]


def test_the_rows_of_a_statement_in_the_tags_shape_must_agree(featured):
    statement = Statement.objects.get(language="zh-Hans")
    exported = export_text("csv", "tags", Statement.objects.filter(pk=statement.pk))
    header, first, second, *rest = exported.splitlines(keepends=True)
    second = second.replace("joint_statement", "speech", 1)

    report = run(header + first + second + "".join(rest), "csv", status="file")

    assert report.problems == [(3, "channel", "differs from line 2, the first row of this statement")]
    assert report.read == 1


def test_a_tag_repeated_on_two_rows_of_the_tags_shape_is_refused(featured):
    statement = Statement.objects.get(language="zh-Hans")
    header, first, *rest = export_text("csv", "tags", Statement.objects.filter(pk=statement.pk)).splitlines(True)

    report = run(header + first + first, "csv", status="file")

    assert report.problems == [
        (3, "tag_category", "repeats the tag of line 2: one tag per category and target"),
    ]


# --- names: actors, topics, categories, curators ---


def test_actors_are_found_by_slug_identifier_or_exact_name_in_any_script(demo):
    values = row(
        speakers=["japan-ministry-of-defense", "iso3166_alpha3:CHN", "wikidata:Q7184", "小泉進次郎", "Italia"],
        recipients=["cameo:RUS", "Mark Rutte"],
    )

    report = run(ndjson(values))

    statement = Statement.objects.get(uuid=values["uuid"])
    assert report.inserted == 1
    assert set(statement.speakers.values_list("slug", flat=True)) == {
        "japan-ministry-of-defense",
        "china",
        "nato",
        "shinjiro-koizumi",
        "italy",
    }
    assert set(statement.recipients.values_list("slug", flat=True)) == {"russia", "mark-rutte"}


def test_a_name_two_actors_share_is_an_error_naming_both(demo):
    other = Actor.objects.create(slug="another-japan", name="Another", kind=ActorKind.STATE)
    ActorName.objects.create(actor=other, name="日本", language="ja")

    report = run(ndjson(row(speakers=["日本"]), row(speakers=["wikidata:Q0"])))

    assert report.problems == [
        (1, "speakers", "'日本' names 2 actors: another-japan and japan (give a slug)"),
        (2, "speakers", "unknown actor 'wikidata:Q0' (give a slug, scheme:value or an exact name)"),
    ]


def test_a_slug_wins_over_a_name_and_an_identifier_over_a_name(demo):
    named = Actor.objects.create(slug="someone", name="japan", kind=ActorKind.PERSON)
    ActorIdentifier.objects.create(actor=named, scheme="wikidata", value="Q999")

    run(ndjson(values := row(speakers=["japan"], recipients=["wikidata:Q999"])))

    statement = Statement.objects.get(uuid=values["uuid"])
    assert list(statement.speakers.values_list("slug", flat=True)) == ["japan"]
    assert list(statement.recipients.values_list("slug", flat=True)) == ["someone"]


def test_categories_by_code_in_any_case_and_topics_by_slug_name_or_alias(demo):
    values = row(
        topics=["taiwan", "Diaoyu Islands", "一个中国原则"],
        stance_tags=[tag("k1", target_actor="china"), tag("p1", target_topic="尖閣諸島")],
    )

    run(ndjson(values))

    statement = Statement.objects.get(uuid=values["uuid"])
    assert set(statement.topics.values_list("slug", flat=True)) == {
        "taiwan",
        "senkaku-diaoyu-islands",
        "one-china-principle",
    }
    assert set(statement.stance_tags.values_list("category__code", "target_topic__slug")) == {
        ("K1", None),
        ("P1", "senkaku-diaoyu-islands"),
    }


def test_an_unknown_curator_is_an_error_unless_a_fallback_curator_is_given(demo):
    values = row(stance_tags=[tag("K1", target_actor="china", curator="nobody")])
    fallback = get_user_model().objects.create_user("fallback", password="fallback-password-1")

    refused = run(ndjson(values))
    accepted = run(ndjson(values), curator=fallback)

    assert refused.problems == [(1, "stance_tags[1].curator", "unknown curator 'nobody' (a username)")]
    assert accepted.inserted == 1
    assert StanceTag.objects.get(statement__uuid=values["uuid"]).curator == fallback


# --- status ---


def test_new_statements_arrive_as_drafts_and_stored_ones_keep_their_status(demo):
    published = Statement.objects.filter(status=Status.PUBLISHED).first()
    exported = json.loads(export_text(queryset=Statement.objects.filter(pk=published.pk)))
    values = row(status="published")

    report = run(ndjson(values, {**exported, "text": "Edited.", "status": "draft"}))

    published.refresh_from_db()
    assert (report.inserted, report.updated) == (1, 1)
    assert Statement.objects.get(uuid=values["uuid"]).status == Status.DRAFT
    assert (published.status, published.text) == (Status.PUBLISHED, "Edited.")


def test_publishing_needs_the_permission_and_a_citation(demo):
    curator = curator_without_publishing()

    with pytest.raises(ImportNotAllowed):
        run(ndjson(row()), user=curator, status="published")
    report = run(ndjson(row(), row(sources=[])), status="published")

    assert report.problems == [(2, "sources", "a published statement needs at least one citation")]
    assert run(ndjson(row(sources=[])), status="in_review", user=curator).inserted == 1


def test_status_file_takes_each_lines_status_and_changing_public_statements_needs_the_permission(demo):
    curator = curator_without_publishing()
    published = Statement.objects.filter(status=Status.PUBLISHED).first()
    exported = json.loads(export_text(queryset=Statement.objects.filter(pk=published.pk)))
    draft, review, public = row(status="draft"), row(status="in_review"), row(status="published")

    refused = run(ndjson(draft, review, public, {**exported, "text": "Edited."}), status="file", user=curator)
    accepted = run(ndjson(draft, review, {**exported, "status": "retracted"}), status="file")

    assert refused.problems == [
        (3, "status", "a published statement needs the permission to publish statements, which curator lacks"),
        (
            4,
            "status",
            "the stored statement is published: changing it needs the permission to publish statements, "
            "which curator lacks",
        ),
    ]
    assert (accepted.inserted, accepted.updated) == (2, 1)
    assert Statement.objects.get(uuid=review["uuid"]).status == Status.IN_REVIEW
    published.refresh_from_db()
    assert published.status == Status.RETRACTED


def test_a_user_who_may_not_change_statements_cannot_import(demo):
    reader = get_user_model().objects.create_user("reader", password="reader-password-1")

    with pytest.raises(ImportNotAllowed):
        run(ndjson(row()), user=reader)
    assert run(ndjson(row()), user=reader, dry_run=True).inserted == 1


# --- the command ---


def command(*arguments):
    out = io.StringIO()
    call_command("import_statements", *arguments, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_the_command_prints_every_problem_and_a_last_line_that_adds_up(demo, tmp_path):
    importer_user()
    path = tmp_path / "statements.ndjson"
    path.write_text(ndjson(row(), row(speakers=["nobody"], date="someday"), row()), encoding="utf-8")

    with pytest.raises(CommandError, match="1 statement with problems: nothing written"):
        command(str(path), "--user", "importer")
    out = command(str(path), "--user", "importer", "--skip-invalid", "-v0")

    lines = out.splitlines()
    assert lines[:2] == [
        "line 2, date: 'someday' is not a date (YYYY-MM-DD)",
        "line 2, speakers: unknown actor 'nobody' (give a slug, scheme:value or an exact name)",
    ]
    assert lines[-1] == "read 3, inserted 2, updated 0, unchanged 0, rejected 1"


def test_the_command_reads_csv_by_extension_and_checks_without_a_user_in_a_dry_run(featured, tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(export_text("csv"), encoding="utf-8")
    count = Statement.objects.count()

    out = command(str(path), "--dry-run", "--status", "file", "-v0")

    assert out.splitlines()[-1] == f"read {count}, inserted 0, updated 0, unchanged {count}, rejected 0"
    with pytest.raises(CommandError, match="--user is required"):
        command(str(path))
    with pytest.raises(CommandError, match="--format"):
        command(str(tmp_path / "export.txt"), "--dry-run")


def test_the_command_reads_standard_input(demo, monkeypatch):
    importer_user()
    stdin = io.TextIOWrapper(io.BytesIO(ndjson(row()).encode()), encoding="utf-8")
    monkeypatch.setattr("sys.stdin", stdin)

    out = command("-", "--format", "ndjson", "--user", "importer", "-v0")

    assert out.splitlines()[-1] == "read 1, inserted 1, updated 0, unchanged 0, rejected 0"


def test_a_file_that_breaks_off_midway_writes_nothing_and_leaves_the_connection_usable(demo, tmp_path):
    importer_user()
    path = tmp_path / "statements.ndjson"
    # Far enough in that the text decoder (8 KB at a time) reaches it after chunks were written.
    path.write_bytes(ndjson(*(row() for _ in range(60))).encode() + b'{"uuid": "\xff\xfe"}\n')
    before = stored_state()

    with pytest.raises(CommandError, match="not UTF-8"):
        command(str(path), "--user", "importer", "--batch-size", "5", "-v0")

    assert stored_state() == before


def test_the_command_refuses_a_user_who_may_not_publish(demo, tmp_path):
    curator_without_publishing()
    path = tmp_path / "statements.ndjson"
    path.write_text(ndjson(row()), encoding="utf-8")

    with pytest.raises(CommandError, match="curator may not publish or retract statements"):
        command(str(path), "--user", "curator", "--status", "published")


# --- the two writers ---


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the COPY writer is PostgreSQL's")
def test_the_copy_and_bulk_writers_leave_the_same_rows(demo, monkeypatch):
    from statements.imports import writer

    base = row(identifiers=["gdelt:9"], sources=[source("https://example.org/a"), source("https://example.org/b")])
    changed = {
        **base,
        "recipients": ["nato"],
        "identifiers": ["polecat:9"],
        "sources": [source("https://example.org/b", "per B"), source("https://example.org/c")],
        "stance_tags": [tag("W1", target_actor="russia"), tag("S1")],
    }

    def import_with(writer_class):
        monkeypatch.setattr(
            "statements.imports.make_writer", lambda **options: writer_class(**writer_options(**options))
        )
        values = {**base, "uuid": str(uuid.uuid4()), "identifiers": [f"gdelt:{writer_class.__name__}"]}
        run(ndjson(values))
        run(ndjson({**changed, "uuid": values["uuid"], "identifiers": [f"polecat:{writer_class.__name__}"]}))
        return snapshot(Statement.objects.get(uuid=values["uuid"]))

    from statements.imports.copying import CopyWriter

    assert import_with(CopyWriter) == import_with(writer.BulkWriter)


def writer_options(*, user, now, source_name):
    return {"user_id": user.pk, "now": now, "reason": f"import {source_name}"}


def snapshot(statement):
    """A statement's parts and history, without ids, uuids or the identifiers' values (which differ by test run)."""
    history = []
    for model in HISTORY_MODELS[:4]:
        column = "id" if model is Statement.history.model else "statement_id"
        history += [
            (model.__name__, kind)
            for kind in model.objects.filter(**{column: statement.pk}).values_list("history_type", flat=True)
        ]
    return {
        "version": statement.version,
        "recipients": sorted(statement.recipients.values_list("slug", flat=True)),
        "citations": list(statement.citations.order_by("id").values_list("source__url", "attribution")),
        "tags": sorted(statement.stance_tags.values_list("category__code", "target_actor__slug", "polarity")),
        "identifiers": sorted(statement.identifiers.values_list("scheme", flat=True)),
        "history": sorted(history),
        "snapshots": sorted(
            (record.history_type, tuple(sorted(record.recipients.values_list("actor__slug", flat=True))))
            for record in statement.history.all()
        ),
    }
