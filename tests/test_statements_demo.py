"""`load_demo`: the seed report as data, loaded once and unchanged by every later run."""

import datetime
import io

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

import pytest

from actors.models import Actor, ActorIdentifier, ActorKind, IdentifierScheme, Role
from statements.demo import DEMO_CURATOR_USERNAME, SOURCE_URL
from statements.models import Channel, DatePrecision, Polarity, StanceTag, Statement, Status, Topic
from tests.factories import make_actor, make_tag

KOIZUMI_SUMMARY = "Koizumi conveys grave concerns over China and Russia to NATO's Rutte and Italy's Crosetto"


def load_demo():
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def snapshot():
    """Every row of every table the demo could touch, history and M2M tables included, ids and all."""
    models = [get_user_model()]
    for app_label in ("actors", "statements"):
        models += apps.get_app_config(app_label).get_models(include_auto_created=True)
    return {model._meta.db_table: list(model.objects.order_by("pk").values()) for model in models}


def actor(slug):
    return Actor.objects.get(slug=slug)


def demo_statement(summary):
    return Statement.objects.get(citations__source__url=SOURCE_URL, summary=summary)


def tags_of(statement):
    return {
        (
            tag.category.code,
            tag.target_actor.slug if tag.target_actor else None,
            tag.target_topic.slug if tag.target_topic else None,
            tag.polarity,
            tag.intensity,
        )
        for tag in statement.stance_tags.select_related("category", "target_actor", "target_topic")
    }


@pytest.fixture
def demo(db):
    return load_demo()


@pytest.mark.django_db
def test_the_demo_records_the_eight_statements_of_the_seed_report_all_published_cited_and_tagged(demo):
    statements = Statement.objects.all()

    assert statements.count() == 8
    assert set(statements.values_list("status", flat=True)) == {Status.PUBLISHED}
    for statement in statements:
        assert statement.stance_tags.exists(), statement.summary
        assert list(statement.citations.values_list("source__url", flat=True)) == [SOURCE_URL]
        assert statement.speakers.exists(), statement.summary
        assert statement.language == "en"
    assert StanceTag.objects.count() == 14
    assert Actor.objects.count() == 23


@pytest.mark.django_db
def test_koizumi_briefed_rutte_and_crosetto_with_grave_concern_toward_china_and_russia(demo):
    statement = demo_statement(KOIZUMI_SUMMARY)

    assert set(statement.speakers.values_list("slug", flat=True)) == {"shinjiro-koizumi"}
    assert set(statement.recipients.values_list("slug", flat=True)) == {"mark-rutte", "guido-crosetto"}
    assert (statement.date, statement.date_precision, statement.channel) == (
        datetime.date(2025, 12, 10),
        DatePrecision.DAY,
        Channel.VIDEO_CALL,
    )
    assert statement.citations.get().attribution == "according to Japan's Defense Ministry"
    assert tags_of(statement) == {
        ("E2", None, None, Polarity.NEUTRAL, 0),
        ("K1", "china", None, Polarity.AGAINST, 3),
        ("K1", "russia", None, Polarity.AGAINST, 3),
        ("C2", "nato", None, Polarity.FAVOR, 1),
        ("C2", "italy", None, Polarity.FAVOR, 1),
        ("S1", None, None, Polarity.NEUTRAL, 0),
    }
    assert "“grave concerns”" in statement.text and not statement.is_direct_quote


@pytest.mark.django_db
def test_koizumi_speaks_as_minister_of_defense_on_the_statements_date(demo):
    statement = demo_statement(KOIZUMI_SUMMARY)

    role = actor("shinjiro-koizumi").role_on(statement.date)

    assert (role.title, role.organization.slug) == ("Minister of Defense", "government-of-japan")


@pytest.mark.django_db
def test_the_demo_dates_follow_the_report(demo):
    by_speaker = {statement.speakers.get().slug: set() for statement in Statement.objects.prefetch_related("speakers")}
    for statement in Statement.objects.all():
        by_speaker[statement.speakers.get().slug].add((statement.date, statement.date_precision))

    assert by_speaker == {
        # Wednesday and Thursday of the report's week.
        "shinjiro-koizumi": {(datetime.date(2025, 12, 10), DatePrecision.DAY)},
        "japan-coast-guard": {(datetime.date(2025, 12, 10), DatePrecision.DAY)},
        "japan-joint-staff": {(datetime.date(2025, 12, 11), DatePrecision.DAY)},
        "sanae-takaichi": {(datetime.date(2025, 11, 7), DatePrecision.DAY)},
        # "Earlier this month": December 2025, kept as its first day.
        "china": {(datetime.date(2025, 12, 1), DatePrecision.MONTH)},
        "japan": {(datetime.date(2025, 12, 1), DatePrecision.MONTH)},
        # The report gives no date for the ambassador's remark: only the year is certain.
        "us-ambassador-to-japan": {(datetime.date(2025, 1, 1), DatePrecision.YEAR)},
    }


@pytest.mark.django_db
def test_japan_and_china_warn_each_other_over_the_senkaku_diaoyu_islands(demo):
    warnings = Statement.objects.filter(topics__slug="senkaku-diaoyu-islands", stance_tags__category__code="W1")

    assert {
        (statement.speakers.get().slug, statement.recipients.get().slug, *tags_of(statement)) for statement in warnings
    } == {
        ("japan", "china", ("W1", "china", None, Polarity.AGAINST, 1)),
        ("china", "japan", ("W1", "japan", None, Polarity.AGAINST, 1)),
    }


@pytest.mark.django_db
def test_china_sought_support_for_one_china_from_three_european_states(demo):
    statement = Statement.objects.get(stance_tags__category__code="P1")

    assert set(statement.recipients.values_list("slug", flat=True)) == {"united-kingdom", "germany", "france"}
    assert tags_of(statement) == {("P1", None, "one-china-principle", Polarity.FAVOR, 1)}


@pytest.mark.django_db
def test_the_persons_hold_the_roles_of_the_public_record(demo):
    roles = {
        (role.person.slug, role.title, role.organization.slug, role.start_date.isoformat(), role.end_date)
        for role in Role.objects.select_related("person", "organization")
    }

    assert roles == {
        (
            "shinjiro-koizumi",
            "Minister of the Environment",
            "government-of-japan",
            "2019-09-11",
            datetime.date(2021, 10, 4),
        ),
        ("shinjiro-koizumi", "Minister of Defense", "government-of-japan", "2025-10-21", None),
        ("gen-nakatani", "Minister of Defense", "government-of-japan", "2024-10-01", datetime.date(2025, 10, 21)),
        ("sanae-takaichi", "Prime Minister", "government-of-japan", "2025-10-21", None),
        ("guido-crosetto", "Minister of Defence", "government-of-italy", "2022-10-22", None),
        ("mark-rutte", "Secretary General", "nato", "2024-10-01", None),
    }


@pytest.mark.django_db
def test_the_organisation_tree_puts_the_joint_staff_under_japan(demo):
    joint_staff = actor("japan-joint-staff")

    chain = []
    node = joint_staff
    while node is not None:
        chain.append((node.slug, node.kind))
        node = node.parent
    assert chain == [
        ("japan-joint-staff", ActorKind.MILITARY),
        ("japan-ministry-of-defense", ActorKind.GOVERNMENT_BODY),
        ("government-of-japan", ActorKind.GOVERNMENT_BODY),
        ("japan", ActorKind.STATE),
    ]
    assert actor("us-ambassador-to-japan").parent.parent == actor("united-states")
    assert actor("mark-rutte").country == actor("netherlands")


@pytest.mark.django_db
def test_statements_by_japan_follow_roles_and_sub_organizations(demo):
    by_japan = Statement.objects.spoken_by_members_of(actor("japan"))

    assert set(by_japan.values_list("speakers__slug", flat=True)) == {
        "shinjiro-koizumi",
        "japan-joint-staff",
        "sanae-takaichi",
        "japan",
        "japan-coast-guard",
    }


@pytest.mark.django_db
def test_names_and_aliases_are_found_in_their_own_scripts(demo):
    assert list(Actor.objects.search("小泉進次郎")) == [actor("shinjiro-koizumi")]
    assert list(Actor.objects.search("Россия")) == [actor("russia")]
    assert list(Actor.objects.search("統合幕僚監部")) == [actor("japan-joint-staff")]
    assert list(Topic.objects.search("钓鱼岛")) == list(Topic.objects.search("尖閣諸島"))
    assert [topic.slug for topic in Topic.objects.search("Diaoyu")] == ["senkaku-diaoyu-islands"]


@pytest.mark.django_db
def test_states_carry_iso_cameo_and_wikidata_identifiers(demo):
    def holder(scheme, value):
        return ActorIdentifier.objects.get(scheme=scheme, value=value).actor.slug

    assert holder(IdentifierScheme.WIKIDATA, "Q17") == "japan"
    assert holder(IdentifierScheme.WIKIDATA, "Q148") == "china"
    assert holder(IdentifierScheme.WIKIDATA, "Q7184") == "nato"
    assert holder(IdentifierScheme.ISO3166_ALPHA3, "GBR") == holder(IdentifierScheme.CAMEO, "GBR") == "united-kingdom"
    # No identifiers are invented for persons.
    assert not ActorIdentifier.objects.filter(actor__kind=ActorKind.PERSON).exists()


@pytest.mark.django_db
def test_the_reported_events_are_topics_with_their_dates(demo):
    assert Topic.objects.get(slug="fire-control-radar-incident-2025-12-06").occurred_on == datetime.date(2025, 12, 6)
    assert Topic.objects.get(slug="china-russia-joint-bomber-flight-2025-12-09").occurred_on == datetime.date(
        2025, 12, 9
    )


@pytest.mark.django_db
def test_the_demo_curator_cannot_log_in_and_made_every_tag(demo):
    curator = get_user_model().objects.get(username=DEMO_CURATOR_USERNAME)

    assert not curator.is_active
    assert not curator.has_usable_password()
    assert set(StanceTag.objects.values_list("curator", flat=True)) == {curator.pk}


@pytest.mark.django_db
def test_the_first_run_reports_what_it_created_and_history_credits_the_demo_curator(db):
    output = load_demo()

    assert "statements: 8 created, 0 left as they were" in output
    assert "stance tags: 14 created" in output
    assert "actors: 23 created" in output
    curator = get_user_model().objects.get(username=DEMO_CURATOR_USERNAME)
    assert set(Statement.history.values_list("history_user", flat=True)) == {curator.pk}
    assert set(Actor.history.values_list("history_user", flat=True)) == {curator.pk}


@pytest.mark.django_db
def test_a_second_run_changes_no_row_at_all(demo):
    before = snapshot()

    output = load_demo()

    assert snapshot() == before
    assert "statements: 0 created, 8 left as they were" in output
    assert "Total: 0 created," in output


@pytest.mark.django_db
def test_a_rerun_after_curators_edits_changes_nothing(demo, curator_user):
    """Changed, removed and added rows all stay as the curator left them: the demo only creates what is missing."""
    statement = demo_statement(KOIZUMI_SUMMARY)
    statement.summary = "Koizumi briefs NATO and Italy on China and Russia"  # reworded
    statement.channel = Channel.PHONE_CALL
    statement.save()
    statement.recipients.remove(actor("guido-crosetto"))
    StanceTag.objects.filter(statement=statement, category__code="K1", target_actor__slug="china").update(intensity=4)
    make_tag(statement, "W1", curator_user, target_actor=actor("china"))  # a curator's own tag
    Role.objects.filter(person=actor("shinjiro-koizumi")).delete()
    actor("japan").names.filter(name="日本国").delete()
    china = actor("china")
    china.description = "Edited by a curator."
    china.save()
    Topic.objects.get(slug="taiwan").aliases.all().delete()
    before = snapshot()

    output = load_demo()

    assert snapshot() == before
    assert "Total: 0 created," in output
    assert Statement.objects.count() == 8


@pytest.mark.django_db
def test_a_demo_statement_a_curator_deleted_comes_back_and_nothing_else_moves(demo):
    statement = demo_statement("Japan warns China over the Senkaku Islands")
    statement_uuid = statement.uuid
    statement.delete()
    before = snapshot()

    output = load_demo()

    assert "statements: 1 created, 7 left as they were" in output
    restored = Statement.objects.get(uuid=statement_uuid)
    assert set(restored.recipients.values_list("slug", flat=True)) == {"china"}
    after = snapshot()
    for table, rows in before.items():
        if not table.startswith(("statements_statement", "statements_citation", "statements_stancetag")) and (
            not table.startswith("statements_historical")
        ):
            assert after[table] == rows, table


@pytest.mark.django_db
def test_an_identifier_held_by_another_actor_stops_the_load_and_writes_nothing(db):
    nippon = make_actor("Nippon", kind=ActorKind.STATE, slug="nippon")
    ActorIdentifier.objects.create(actor=nippon, scheme=IdentifierScheme.WIKIDATA, value="Q17")

    with pytest.raises(CommandError, match="Q17"):
        load_demo()

    assert list(Actor.objects.all()) == [nippon]
    assert not get_user_model().objects.filter(username=DEMO_CURATOR_USERNAME).exists()


@pytest.mark.django_db
def test_each_demo_statement_has_one_history_entry_holding_its_links(demo):
    statement = demo_statement(KOIZUMI_SUMMARY)

    (entry,) = statement.history.all()

    assert entry.history_change_reason == "demo data"
    assert {link.actor_id for link in entry.recipients.all()} == set(statement.recipients.values_list("pk", flat=True))
