"""Statements: the queryset verbs researchers filter by, and the rules the database keeps."""

import datetime

from django.contrib.auth.models import AnonymousUser, Group
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

import pytest

from actors.models import Actor, ActorKind
from statements.models import (
    Citation,
    DatePrecision,
    Polarity,
    Source,
    StanceCategory,
    StanceTag,
    Statement,
    Status,
    Topic,
)
from tests.factories import make_actor, make_role, make_statement, make_tag, make_topic


def categories(*codes):
    return StanceCategory.objects.default_taxonomy().filter(code__in=codes)


@pytest.fixture
def china(db):
    return make_actor("China", kind=ActorKind.STATE, slug="china")


@pytest.fixture
def statement(japan, china):
    return make_statement([japan.koizumi], [china], date="2025-12-10")


# --- spoken_by_members_of: affiliation on the statement's date ---


@pytest.mark.django_db
def test_a_person_speaks_for_japan_through_the_role_held_on_the_statements_date(japan):
    as_environment_minister = make_statement([japan.koizumi], date="2020-06-01")
    as_defense_minister = make_statement([japan.koizumi], date="2025-12-10")
    between_roles = make_statement([japan.koizumi], date="2023-01-01")

    by_japan = set(Statement.objects.spoken_by_members_of(japan.state))

    assert as_environment_minister in by_japan
    assert as_defense_minister in by_japan
    assert between_roles not in by_japan


@pytest.mark.django_db
def test_nationality_alone_does_not_make_a_statement_japans(japan):
    citizen = make_actor("Japanese commentator", country=japan.state)
    statement = make_statement([citizen], date="2025-12-10")

    assert statement not in Statement.objects.spoken_by_members_of(japan.state)


@pytest.mark.django_db
def test_a_role_that_ended_before_the_statement_does_not_count(japan):
    after_handover = make_statement([japan.nakatani], date="2025-10-22")
    on_handover = make_statement([japan.nakatani], date="2025-10-21")

    by_japan = set(Statement.objects.spoken_by_members_of(japan.state))

    assert on_handover in by_japan
    assert after_handover not in by_japan


@pytest.mark.django_db
def test_statements_by_sub_organizations_count_for_the_state(japan, china):
    joint_staff_statement = make_statement([japan.joint_staff], date="2025-12-11")
    chinese_statement = make_statement([china], date="2025-12-11")

    by_japan = set(Statement.objects.spoken_by_members_of(japan.state))

    assert joint_staff_statement in by_japan
    assert chinese_statement not in by_japan
    assert joint_staff_statement in Statement.objects.spoken_by_members_of(japan.ministry)
    assert joint_staff_statement not in Statement.objects.spoken_by_members_of(china)


@pytest.mark.django_db
def test_several_organizations_mean_any_of_them(japan, china):
    nato = make_actor("NATO", kind=ActorKind.INTERNATIONAL_ORGANIZATION)
    rutte = make_actor("Mark Rutte")
    make_role(rutte, nato, "Secretary General", "2024-10-01")
    by_rutte = make_statement([rutte], date="2025-12-10")
    by_koizumi = make_statement([japan.koizumi], date="2025-12-10")
    by_china = make_statement([china], date="2025-12-10")

    found = set(Statement.objects.spoken_by_members_of(japan.state, nato))

    assert found == {by_rutte, by_koizumi}
    assert by_china not in found


@pytest.mark.django_db
def test_a_joint_statement_matches_when_any_speaker_belongs(japan, china):
    joint = make_statement([china, japan.koizumi], date="2025-12-10")

    assert list(Statement.objects.spoken_by_members_of(japan.state)) == [joint]


# --- tagged: a family matches its acts ---


@pytest.mark.django_db
def test_a_family_matches_statements_tagged_with_its_acts(statement, china, curator_user):
    make_tag(statement, "K1", curator_user, target_actor=china, intensity=3)

    assert list(Statement.objects.tagged(categories("K"))) == [statement]
    assert list(Statement.objects.tagged(categories("K1"))) == [statement]


@pytest.mark.django_db
def test_an_act_does_not_match_a_sibling_act(japan, statement, china, curator_user):
    make_tag(statement, "K1", curator_user, target_actor=china)
    regretful = make_statement([japan.koizumi], date="2025-12-09")
    make_tag(regretful, "K2", curator_user, target_actor=china)

    assert list(Statement.objects.tagged(categories("K1"))) == [statement]
    assert list(Statement.objects.tagged(categories("K2"))) == [regretful]
    assert set(Statement.objects.tagged(categories("K"))) == {statement, regretful}
    assert not Statement.objects.tagged(categories("W")).exists()


# --- visibility, dates and versions ---


@pytest.mark.django_db
def test_anonymous_users_see_only_published_statements(japan, django_user_model):
    published = make_statement([japan.koizumi], status=Status.PUBLISHED)
    make_statement([japan.koizumi], status=Status.DRAFT)
    make_statement([japan.koizumi], status=Status.IN_REVIEW)
    make_statement([japan.koizumi], status=Status.RETRACTED)

    assert list(Statement.objects.visible_to(AnonymousUser())) == [published]
    assert list(Statement.objects.visible_to(None)) == [published]
    researcher = django_user_model.objects.create_user("researcher")
    assert list(Statement.objects.visible_to(researcher)) == [published]


@pytest.mark.django_db
def test_curators_see_drafts(japan, django_user_model):
    make_statement([japan.koizumi], status=Status.PUBLISHED)
    make_statement([japan.koizumi], status=Status.DRAFT)
    curator = django_user_model.objects.create_user("curator")
    curator.groups.add(Group.objects.get(name="curators"))

    assert Statement.objects.visible_to(curator).count() == 2


@pytest.mark.django_db
def test_month_and_year_precision_keep_the_first_day(japan):
    in_december = make_statement([japan.koizumi], date="2025-12-17", date_precision=DatePrecision.MONTH)
    in_2025 = make_statement([japan.koizumi], date="2025-12-17", date_precision=DatePrecision.YEAR)

    in_december.refresh_from_db()
    in_2025.refresh_from_db()
    assert in_december.date == datetime.date(2025, 12, 1)
    assert in_2025.date == datetime.date(2025, 1, 1)


@pytest.mark.django_db
def test_every_save_raises_the_version_by_one(statement):
    assert statement.version == 1

    statement.summary = "Grave concerns over the radar incident"
    statement.save()
    statement.save()

    statement.refresh_from_db()
    assert statement.version == 3


# --- rules the database keeps, whatever writes ---


@pytest.mark.django_db
@pytest.mark.parametrize("field, value", [("channel", "carrier_pigeon"), ("status", "hidden"), ("language", "")])
def test_the_database_rejects_an_invalid_statement_value(statement, field, value):
    with pytest.raises(IntegrityError), transaction.atomic():
        Statement.objects.filter(pk=statement.pk).update(**{field: value})


@pytest.mark.django_db
def test_the_database_rejects_an_invalid_date_precision(statement):
    with pytest.raises(IntegrityError), transaction.atomic():
        Statement.objects.filter(pk=statement.pk).update(date_precision="week")


@pytest.mark.django_db
@pytest.mark.parametrize("field, value", [("polarity", "hostile"), ("intensity", 5)])
def test_the_database_rejects_an_invalid_tag_value(statement, china, curator_user, field, value):
    tag = make_tag(statement, "K1", curator_user, target_actor=china)

    with pytest.raises(IntegrityError), transaction.atomic():
        StanceTag.objects.filter(pk=tag.pk).update(**{field: value})


@pytest.mark.django_db
def test_the_database_rejects_a_tag_with_both_an_actor_and_a_topic_target(statement, china, curator_user):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_tag(statement, "K1", curator_user, target_actor=china, target_topic=make_topic("Taiwan"))


@pytest.mark.django_db
def test_the_database_rejects_a_duplicate_tag_toward_the_same_actor(statement, china, curator_user):
    make_tag(statement, "K1", curator_user, target_actor=china)

    with pytest.raises(IntegrityError), transaction.atomic():
        make_tag(statement, "K1", curator_user, target_actor=china, polarity=Polarity.NEUTRAL)


@pytest.mark.django_db
def test_the_database_rejects_a_duplicate_tag_toward_the_same_topic(statement, curator_user):
    taiwan = make_topic("Taiwan")
    make_tag(statement, "S1", curator_user, target_topic=taiwan)

    with pytest.raises(IntegrityError), transaction.atomic():
        make_tag(statement, "S1", curator_user, target_topic=taiwan)


@pytest.mark.django_db
def test_the_database_rejects_a_duplicate_untargeted_tag(statement, curator_user):
    make_tag(statement, "E2", curator_user, polarity=Polarity.NEUTRAL, intensity=0)

    with pytest.raises(IntegrityError), transaction.atomic():
        make_tag(statement, "E2", curator_user, polarity=Polarity.NEUTRAL, intensity=0)


@pytest.mark.django_db
def test_one_act_toward_two_targets_is_two_tags(statement, china, curator_user):
    russia = make_actor("Russia", kind=ActorKind.STATE)

    make_tag(statement, "K1", curator_user, target_actor=china, intensity=3)
    make_tag(statement, "K1", curator_user, target_actor=russia, intensity=3)
    make_tag(statement, "K1", curator_user)

    assert statement.stance_tags.count() == 3


# --- what deletion may and may not take with it ---


@pytest.mark.django_db
def test_an_actor_that_is_a_tag_target_cannot_be_deleted(statement, china, curator_user):
    make_tag(statement, "K1", curator_user, target_actor=china)
    statement.recipients.clear()

    with pytest.raises(ProtectedError):
        china.delete()


@pytest.mark.django_db
def test_an_actor_that_spoke_a_statement_cannot_be_deleted(japan, statement):
    with pytest.raises(ProtectedError):
        japan.koizumi.delete()
    assert list(statement.speakers.all()) == [japan.koizumi]


@pytest.mark.django_db
def test_an_addressed_actor_and_a_topic_in_use_cannot_be_deleted(japan, statement):
    rutte = make_actor("Mark Rutte")
    taiwan = make_topic("Taiwan")
    statement.recipients.add(rutte)
    statement.topics.add(taiwan)
    with pytest.raises(ProtectedError):
        rutte.delete()
    with pytest.raises(ProtectedError):
        taiwan.delete()
    assert rutte in statement.recipients.all()
    assert list(statement.topics.all()) == [taiwan]


@pytest.mark.django_db
def test_deleting_a_statement_deletes_its_citations_and_tags_but_not_the_source(statement, china, curator_user):
    source = Source.objects.create(url="https://example.org/readout", publisher="Ministry of Defense")
    Citation.objects.create(statement=statement, source=source, attribution="according to Japan's Defense Ministry")
    make_tag(statement, "K1", curator_user, target_actor=china)

    statement.delete()

    assert not Citation.objects.exists()
    assert not StanceTag.objects.exists()
    assert Source.objects.filter(pk=source.pk).exists()
    assert Actor.objects.filter(pk=china.pk).exists()


@pytest.mark.django_db
def test_a_cited_source_cannot_be_deleted(statement):
    source = Source.objects.create(url="https://example.org/readout", publisher="Ministry of Defense")
    Citation.objects.create(statement=statement, source=source)

    with pytest.raises(ProtectedError):
        source.delete()


@pytest.mark.django_db
def test_topic_search_of_only_spaces_leaves_the_topics_unfiltered():
    taiwan = make_topic("Taiwan")

    assert list(Topic.objects.search("   ")) == [taiwan]
    assert list(Topic.objects.search("TAIW")) == [taiwan]
