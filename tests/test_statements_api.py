"""The statements read API: shapes, time-aware filters, stance filters, visibility, paging, query counts."""

import datetime
from types import SimpleNamespace

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection
from django.urls import reverse
from django.utils import timezone

import pytest
from rest_framework.test import APIClient

from actors.models import ActorKind
from config.handles import curator_handle
from statements import codebook
from statements.models import (
    Channel,
    Citation,
    Polarity,
    Source,
    StanceCategory,
    Statement,
    Status,
    Taxonomy,
    TopicAlias,
)
from tests.answers import errors_of
from tests.factories import make_actor, make_role, make_statement, make_tag, make_topic

STATEMENTS = reverse("statement-list")


def detail(statement):
    return reverse("statement-detail", kwargs={"pk": statement.pk})


def ids(response, key="id"):
    assert response.status_code == 200, response.content
    return [row[key] for row in response.data["results"]]


@pytest.fixture
def curator(db):
    return get_user_model().objects.create_user("api-curator", password="api-curator-password-1")


@pytest.fixture
def reader_with_drafts(db):
    """A user holding statements.view_statement, as curators do: they see every status."""
    user = get_user_model().objects.create_user("draft-reader", password="draft-reader-password-1")
    user.user_permissions.add(Permission.objects.get(codename="view_statement", content_type__app_label="statements"))
    client = APIClient()
    client.force_authenticate(get_user_model().objects.get(pk=user.pk))
    return client


@pytest.fixture
def japan_tree(db):
    """Japan, its government (parent: Japan), and Koizumi with his two dated roles in that government."""
    japan = make_actor("Japan", kind=ActorKind.STATE, slug="japan")
    government = make_actor("Government of Japan", kind=ActorKind.GOVERNMENT_BODY, slug="government-of-japan")
    government.parent = japan
    government.save()
    ministry = make_actor("Ministry of Defense", kind=ActorKind.GOVERNMENT_BODY, slug="japan-mod", parent=government)
    koizumi = make_actor("Shinjiro Koizumi", slug="shinjiro-koizumi")
    make_role(koizumi, government, "Minister of the Environment", "2019-09-11", "2021-10-04")
    make_role(koizumi, government, "Minister of Defense", "2025-10-21")
    return SimpleNamespace(japan=japan, government=government, ministry=ministry, koizumi=koizumi)


@pytest.fixture
def seed_statement(japan_tree, curator):
    """The seed article's first statement: Koizumi briefs Rutte and Crosetto, cited, tagged, on a topic."""
    rutte = make_actor("Mark Rutte", slug="mark-rutte")
    crosetto = make_actor("Guido Crosetto", slug="guido-crosetto")
    china = make_actor("China", kind=ActorKind.STATE, slug="china")
    radar = make_topic("Fire-control radar incident", slug="radar-incident")
    statement = make_statement(
        [japan_tree.koizumi],
        [rutte, crosetto],
        date="2025-12-10",
        text="Koizumi conveyed grave concerns over China's use of fire-control radar.",
        summary="Koizumi briefs NATO and Italy",
        is_direct_quote=False,
    )
    statement.topics.set([radar])
    source = Source.objects.create(
        url="https://example.org/koizumi-rutte",
        publisher="Kyodo",
        title="Koizumi briefs Rutte",
        published_on="2025-12-11",
    )
    Citation.objects.create(statement=statement, source=source, attribution="according to Japan's Defense Ministry")
    make_tag(statement, "K1", curator, target_actor=china, polarity=Polarity.AGAINST, intensity=3)
    return statement


def test_statement_detail_has_every_field_of_the_contract(api, seed_statement):
    response = api.get(detail(seed_statement))

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "id",
        "speakers",
        "recipients",
        "date",
        "date_precision",
        "channel",
        "text",
        "is_direct_quote",
        "language",
        "summary",
        "topics",
        "identifiers",
        "sources",
        "stance_tags",
        "status",
        "created_at",
        "updated_at",
        "version",
    }
    assert body["speakers"] == [
        {
            "slug": "shinjiro-koizumi",
            "name": "Shinjiro Koizumi",
            "kind": "person",
            "role": {
                "title": "Minister of Defense",
                "organization": "government-of-japan",
                "organization_name": "Government of Japan",
            },
        }
    ]
    assert body["recipients"] == [
        {"slug": "guido-crosetto", "name": "Guido Crosetto", "kind": "person"},
        {"slug": "mark-rutte", "name": "Mark Rutte", "kind": "person"},
    ]
    assert body["date"] == "2025-12-10"
    assert body["date_precision"] == "day"
    assert body["channel"] == "video_call"
    assert body["topics"] == ["radar-incident"]
    assert body["sources"] == [
        {
            "url": "https://example.org/koizumi-rutte",
            "publisher": "Kyodo",
            "title": "Koizumi briefs Rutte",
            "published_on": "2025-12-11",
            "attribution": "according to Japan's Defense Ministry",
        }
    ]
    assert body["stance_tags"] == [
        {
            "category": "K1",
            "target_actor": "china",
            "target_topic": None,
            "polarity": "against",
            "intensity": 3,
            # Anonymous clients see an opaque handle, never the login name.
            "curator": curator_handle(seed_statement.stance_tags.get().curator_id, settings.SECRET_KEY),
        }
    ]
    assert body["status"] == "published"
    assert body["version"] == 1


# Time-aware: roles on the statement's date, never today's.


def test_speaker_shows_the_role_held_on_the_statement_date(api, japan_tree):
    in_2020 = make_statement([japan_tree.koizumi], date="2020-05-01")
    between_roles = make_statement([japan_tree.koizumi], date="2023-01-01")
    in_2025 = make_statement([japan_tree.koizumi], date="2025-12-10")

    def role(statement):
        return api.get(detail(statement)).json()["speakers"][0]["role"]

    assert role(in_2020)["title"] == "Minister of the Environment"
    assert role(in_2025)["title"] == "Minister of Defense"
    assert role(in_2025)["organization"] == "government-of-japan"
    assert role(between_roles) is None


def test_country_filter_follows_roles_on_the_statement_date(api, japan_tree):
    in_2020 = make_statement([japan_tree.koizumi], date="2020-05-01")
    in_2025 = make_statement([japan_tree.koizumi], date="2025-12-10")
    make_statement([japan_tree.koizumi], date="2023-01-01")  # between his two roles
    # Nationality is not membership: a Japanese citizen without a role does not speak for Japan.
    citizen = make_actor("Japanese citizen", country=japan_tree.japan)
    make_statement([citizen], date="2025-12-10")

    response = api.get(STATEMENTS, {"country": "japan"})

    assert sorted(ids(response)) == sorted([in_2020.pk, in_2025.pk])
    titles = {row["id"]: row["speakers"][0]["role"]["title"] for row in response.data["results"]}
    assert titles == {in_2020.pk: "Minister of the Environment", in_2025.pk: "Minister of Defense"}


@pytest.mark.parametrize(
    ("date", "matches"),
    [("2021-10-04", True), ("2021-10-05", False), ("2025-10-20", False), ("2025-10-21", True)],
)
def test_country_filter_treats_role_start_and_end_dates_as_inclusive(api, japan_tree, date, matches):
    statement = make_statement([japan_tree.koizumi], date=date)

    assert ids(api.get(STATEMENTS, {"country": "japan"})) == ([statement.pk] if matches else [])


def test_country_filter_takes_the_state_itself_and_bodies_beneath_it(api, japan_tree):
    by_state = make_statement([japan_tree.japan], date="2025-12-01")
    by_ministry = make_statement([japan_tree.ministry], date="2025-12-02")
    china = make_actor("China", kind=ActorKind.STATE, slug="china")
    make_statement([china], date="2025-12-03")

    assert sorted(ids(api.get(STATEMENTS, {"country": "japan"}))) == sorted([by_state.pk, by_ministry.pk])


def test_affiliation_filter_follows_roles_and_sub_organizations(api, japan_tree):
    by_koizumi = make_statement([japan_tree.koizumi], date="2020-05-01")
    by_ministry = make_statement([japan_tree.ministry], date="2025-12-02")
    make_statement([japan_tree.koizumi], date="2023-01-01")
    make_statement([japan_tree.japan], date="2025-12-03")  # the state is above the government, not in it

    response = api.get(STATEMENTS, {"affiliation": japan_tree.government.slug})

    assert sorted(ids(response)) == sorted([by_koizumi.pk, by_ministry.pk])


def test_repeated_country_means_either_state(api, japan_tree):
    china = make_actor("China", kind=ActorKind.STATE, slug="china")
    by_japan = make_statement([japan_tree.japan], date="2025-12-01")
    by_china = make_statement([china], date="2025-12-02")
    make_statement([make_actor("Italy", kind=ActorKind.STATE)], date="2025-12-03")

    assert sorted(ids(api.get(STATEMENTS, {"country": ["japan", "china"]}))) == sorted([by_japan.pk, by_china.pk])


def test_country_that_is_not_a_state_is_refused(api, japan_tree):
    response = api.get(STATEMENTS, {"country": japan_tree.government.slug})

    assert response.status_code == 400
    assert "government-of-japan" in errors_of(response)["country"][0]
    assert "state" in errors_of(response)["country"][0]


# Stance tags: the taxonomy tree, and tag-level filters on one and the same tag.


@pytest.fixture
def tagged(curator):
    speaker = make_actor("Speaker")
    concern, regret, criticism = (
        make_statement([speaker], date="2025-12-01"),
        make_statement([speaker], date="2025-12-02"),
        make_statement([speaker], date="2025-12-03"),
    )
    make_tag(concern, "K1", curator)
    make_tag(regret, "K2", curator)
    make_tag(criticism, "O1", curator)
    return SimpleNamespace(concern=concern, regret=regret, criticism=criticism)


def test_stance_family_matches_every_act_beneath_it(api, tagged):
    assert sorted(ids(api.get(STATEMENTS, {"stance": "K"}))) == sorted([tagged.concern.pk, tagged.regret.pk])


def test_stance_act_does_not_match_a_sibling_act(api, tagged):
    assert ids(api.get(STATEMENTS, {"stance": "K1"})) == [tagged.concern.pk]


def test_repeated_stance_means_either_category(api, tagged):
    response = api.get(STATEMENTS, {"stance": ["K1", "O"]})

    assert sorted(ids(response)) == sorted([tagged.concern.pk, tagged.criticism.pk])


@pytest.fixture
def two_targets(curator):
    """One statement against Russia and favourable to China; another against China."""
    china = make_actor("China", kind=ActorKind.STATE, slug="china")
    russia = make_actor("Russia", kind=ActorKind.STATE, slug="russia")
    speaker = make_actor("Speaker")
    mixed = make_statement([speaker], date="2025-12-01")
    make_tag(mixed, "K1", curator, target_actor=russia, polarity=Polarity.AGAINST)
    make_tag(mixed, "C2", curator, target_actor=china, polarity=Polarity.FAVOR)
    against_china = make_statement([speaker], date="2025-12-02")
    make_tag(against_china, "K1", curator, target_actor=china, polarity=Polarity.AGAINST)
    return SimpleNamespace(china=china, russia=russia, mixed=mixed, against_china=against_china)


def test_polarity_and_target_must_hold_on_the_same_tag(api, two_targets):
    response = api.get(STATEMENTS, {"polarity": "against", "target": "china"})

    assert ids(response) == [two_targets.against_china.pk]


def test_stance_and_polarity_must_hold_on_the_same_tag(api, two_targets):
    assert ids(api.get(STATEMENTS, {"stance": "C", "polarity": "against"})) == []
    assert ids(api.get(STATEMENTS, {"stance": "C", "polarity": "favor"})) == [two_targets.mixed.pk]
    assert ids(api.get(STATEMENTS, {"stance": "K", "target": "russia"})) == [two_targets.mixed.pk]


def test_target_accepts_an_actor_id_or_a_topic_slug(api, two_targets, curator):
    one_china = make_topic("One China principle", slug="one-china-principle")
    appeal = make_statement([two_targets.china], date="2025-12-05")
    make_tag(appeal, "P1", curator, target_topic=one_china, polarity=Polarity.FAVOR)

    assert ids(api.get(STATEMENTS, {"target": "one-china-principle"})) == [appeal.pk]
    assert ids(api.get(STATEMENTS, {"target": str(two_targets.russia.pk)})) == [two_targets.mixed.pk]
    both = api.get(STATEMENTS, {"target": ["russia", "one-china-principle"]})
    assert sorted(ids(both)) == sorted([two_targets.mixed.pk, appeal.pk])


# Visibility: the published record for everyone, drafts for those who may curate.


@pytest.fixture
def draft_and_published(db):
    speaker = make_actor("Speaker")
    return SimpleNamespace(
        draft=make_statement([speaker], date="2025-12-01", status=Status.DRAFT),
        in_review=make_statement([speaker], date="2025-12-02", status=Status.IN_REVIEW),
        published=make_statement([speaker], date="2025-12-03"),
    )


def test_anonymous_list_shows_published_statements_only(api, draft_and_published):
    assert ids(api.get(STATEMENTS)) == [draft_and_published.published.pk]


def test_anonymous_detail_of_a_draft_is_not_found(api, draft_and_published):
    assert api.get(detail(draft_and_published.draft)).status_code == 404
    assert api.get(detail(draft_and_published.published)).status_code == 200


def test_anonymous_status_draft_filter_finds_nothing(api, draft_and_published):
    assert ids(api.get(STATEMENTS, {"status": "draft"})) == []
    assert ids(api.get(STATEMENTS, {"status": ["draft", "in_review"]})) == []


def test_user_with_view_permission_sees_drafts(reader_with_drafts, draft_and_published):
    everything = ids(reader_with_drafts.get(STATEMENTS))
    drafts = ids(reader_with_drafts.get(STATEMENTS, {"status": "draft"}))

    assert everything == [
        draft_and_published.published.pk,
        draft_and_published.in_review.pk,
        draft_and_published.draft.pk,
    ]
    assert drafts == [draft_and_published.draft.pk]
    assert reader_with_drafts.get(detail(draft_and_published.draft)).status_code == 200


def test_logged_in_user_without_the_permission_sees_published_only(draft_and_published):
    client = APIClient()
    client.force_authenticate(get_user_model().objects.create_user("researcher", password="researcher-password-1"))

    assert ids(client.get(STATEMENTS)) == [draft_and_published.published.pk]
    assert client.get(detail(draft_and_published.draft)).status_code == 404


# Who spoke and who was addressed.


@pytest.fixture
def conversation(db):
    koizumi = make_actor("Shinjiro Koizumi", slug="koizumi")
    rutte = make_actor("Mark Rutte", slug="rutte")
    crosetto = make_actor("Guido Crosetto", slug="crosetto")
    return SimpleNamespace(
        koizumi=koizumi,
        rutte=rutte,
        crosetto=crosetto,
        to_rutte=make_statement([koizumi], [rutte], date="2025-12-01"),
        by_rutte=make_statement([rutte], [koizumi], date="2025-12-02"),
        by_crosetto=make_statement([crosetto], date="2025-12-03"),
    )


def test_speaker_filter_takes_a_slug_or_an_id(api, conversation):
    assert ids(api.get(STATEMENTS, {"speaker": "koizumi"})) == [conversation.to_rutte.pk]
    assert ids(api.get(STATEMENTS, {"speaker": str(conversation.koizumi.pk)})) == [conversation.to_rutte.pk]


def test_repeated_speaker_means_either_actor(api, conversation):
    response = api.get(STATEMENTS, {"speaker": ["koizumi", str(conversation.crosetto.pk)]})

    assert ids(response) == [conversation.by_crosetto.pk, conversation.to_rutte.pk]


def test_recipient_filter_finds_whom_a_statement_addressed(api, conversation):
    assert ids(api.get(STATEMENTS, {"recipient": "rutte"})) == [conversation.to_rutte.pk]


def test_actor_filter_finds_statements_spoken_or_received(api, conversation):
    assert ids(api.get(STATEMENTS, {"actor": "rutte"})) == [conversation.by_rutte.pk, conversation.to_rutte.pk]


def test_different_parameters_combine_with_and(api, conversation):
    assert ids(api.get(STATEMENTS, {"actor": "rutte", "speaker": "koizumi"})) == [conversation.to_rutte.pk]


# Plain statement fields.


def test_topic_channel_and_language_filters(api, db):
    speaker = make_actor("Speaker")
    taiwan = make_topic("Taiwan", slug="taiwan")
    TopicAlias.objects.create(topic=taiwan, name="台湾", language="ja")
    on_taiwan = make_statement([speaker], date="2025-12-01", channel=Channel.SPEECH, language="ja")
    on_taiwan.topics.set([taiwan])
    by_phone = make_statement([speaker], date="2025-12-02", channel=Channel.PHONE_CALL, language="zh-Hans")

    assert ids(api.get(STATEMENTS, {"topic": "taiwan"})) == [on_taiwan.pk]
    assert ids(api.get(STATEMENTS, {"channel": "phone_call"})) == [by_phone.pk]
    assert ids(api.get(STATEMENTS, {"channel": ["phone_call", "speech"]})) == [by_phone.pk, on_taiwan.pk]
    assert ids(api.get(STATEMENTS, {"language": "zh-hans"})) == [by_phone.pk]


def test_date_bounds_are_inclusive(api, db):
    speaker = make_actor("Speaker")
    first, middle, last = (make_statement([speaker], date=day) for day in ("2025-12-01", "2025-12-10", "2025-12-31"))

    response = api.get(STATEMENTS, {"date_after": "2025-12-10", "date_before": "2025-12-31"})

    assert ids(response) == [last.pk, middle.pk]
    assert ids(api.get(STATEMENTS, {"date_before": "2025-12-01"})) == [first.pk]


def test_updated_after_is_inclusive_for_incremental_sync(api, db):
    speaker = make_actor("Speaker")
    old, recent = make_statement([speaker], date="2025-12-01"), make_statement([speaker], date="2025-12-02")
    moment = timezone.make_aware(datetime.datetime(2025, 12, 5, 9, 30), datetime.UTC)
    Statement.objects.filter(pk=old.pk).update(updated_at=moment - datetime.timedelta(seconds=1))
    Statement.objects.filter(pk=recent.pk).update(updated_at=moment)

    assert ids(api.get(STATEMENTS, {"updated_after": "2025-12-05T09:30:00Z"})) == [recent.pk]
    assert ids(api.get(STATEMENTS, {"updated_after": "2025-12-05T18:30:00+09:00"})) == [recent.pk]
    assert ids(api.get(STATEMENTS, {"updated_after": "2025-12-05T09:29:00"})) == [recent.pk, old.pk]


def test_q_searches_text_and_summary_ignoring_case(api, db):
    speaker = make_actor("Speaker")
    in_text = make_statement([speaker], date="2025-12-01", text="Grave concerns over the radar incident.")
    in_summary = make_statement([speaker], date="2025-12-02", text="", summary="Japan voices GRAVE concern")
    make_statement([speaker], date="2025-12-03", text="Strengthen cooperation.")

    assert ids(api.get(STATEMENTS, {"q": "grave"})) == [in_summary.pk, in_text.pk]
    assert ids(api.get(STATEMENTS, {"q": ["radar", "nothing-like-this"]})) == [in_text.pk]


def test_q_finds_a_cjk_substring(api, db):
    speaker = make_actor("Speaker")
    japanese = make_statement([speaker], date="2025-12-01", text="重大な懸念を伝えた", language="ja")
    make_statement([speaker], date="2025-12-02", text="協力を強化する", language="ja")

    assert ids(api.get(STATEMENTS, {"q": "懸念"})) == [japanese.pk]


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="full-text search needs PostgreSQL")
def test_q_uses_web_search_syntax_on_postgresql(api, db):
    speaker = make_actor("Speaker")
    radar = make_statement([speaker], date="2025-12-01", text="Grave concern over the fire-control radar.")
    make_statement([speaker], date="2025-12-02", text="Grave concern over the joint flight with Russia.")

    # Words in any order (no substring holds "radar grave"), and web-search negation.
    assert ids(api.get(STATEMENTS, {"q": "radar grave"})) == [radar.pk]
    assert ids(api.get(STATEMENTS, {"q": "grave -russia"})) == [radar.pk]


# Order and paging.


def walk(client, url, params=None, direction="next", key="id"):
    """Follow `direction` links from the first response to the end; the ids (or `key`) of each page."""
    pages, response = [], client.get(url, params or {})
    while True:
        pages.append(ids(response, key))
        link = response.data[direction]
        if not link:
            return pages, response
        response = client.get(link)


@pytest.fixture
def dated_statements(db):
    """Nine statements on four dates, three of them sharing 2025-12-10 and two 2025-12-01."""
    speaker = make_actor("Speaker")
    days = ["2025-12-10", "2025-11-07", "2025-12-10", "2025-12-01", "2025-12-10", "2025-12-01", "2025-01-01"]
    days += ["2025-12-11", "2025-11-07"]
    return [make_statement([speaker], date=day) for day in days]


def test_default_order_is_newest_first_with_id_breaking_ties(api, dated_statements):
    expected = [s.pk for s in sorted(dated_statements, key=lambda s: (s.date, s.pk), reverse=True)]

    assert ids(api.get(STATEMENTS, {"page_size": 50})) == expected


@pytest.mark.parametrize(
    ("ordering", "key", "descending"),
    [
        (None, "date", True),
        ("-date", "date", True),
        ("date", "date", False),
        ("updated_at", "updated_at", False),
        ("-updated_at", "updated_at", True),
    ],
)
def test_next_and_previous_links_walk_every_page_across_ties(api, dated_statements, ordering, key, descending):
    # Three statements share one updated_at as well, as after a bulk update.
    same_moment = timezone.make_aware(datetime.datetime(2025, 12, 12, 8, 0), datetime.UTC)
    Statement.objects.filter(pk__in=[s.pk for s in dated_statements[2:5]]).update(updated_at=same_moment)
    rows = Statement.objects.all()
    expected = [s.pk for s in sorted(rows, key=lambda s: (getattr(s, key), s.pk), reverse=descending)]
    params = {"page_size": 2, **({"ordering": ordering} if ordering else {})}

    forward, last_page = walk(api, STATEMENTS, params)
    assert [pk for page in forward for pk in page] == expected
    assert [len(page) for page in forward] == [2, 2, 2, 2, 1]

    backward, first_page = walk(api, last_page.data["previous"], direction="previous")
    assert backward == forward[-2::-1]
    assert first_page.data["previous"] is None


def test_ordering_is_part_of_the_next_link(api, dated_statements):
    response = api.get(STATEMENTS, {"ordering": "date", "page_size": 3})
    following = api.get(response.data["next"])

    assert "ordering=date" in response.data["next"]
    dates = [row["date"] for row in response.data["results"] + following.data["results"]]
    assert dates == sorted(dates)


# Query counts: fixed, whatever the page size.


@pytest.fixture
def many_statements(curator):
    """Sixty published statements, each with a speaker holding a role, a recipient, a topic, a source and a tag."""
    government = make_actor("Government of Japan", kind=ActorKind.GOVERNMENT_BODY)
    china = make_actor("China", kind=ActorKind.STATE, slug="china")
    topic = make_topic("Taiwan", slug="taiwan")
    for number in range(60):
        speaker = make_actor(f"Minister {number}")
        make_role(speaker, government, "Minister", "2020-01-01")
        statement = make_statement([speaker], [china], date=f"2025-{number % 12 + 1:02d}-{number % 28 + 1:02d}")
        statement.topics.set([topic])
        source = Source.objects.create(url=f"https://example.org/{number}", publisher="Kyodo")
        Citation.objects.create(statement=statement, source=source)
        make_tag(statement, "K1", curator, target_actor=china)


# The statement list, anonymous (statement_documents): 1 the page of statements; then 2 speakers and
# recipients, 3 the speakers' roles, 4 topics, 5 identifiers, 6 citations with their sources, 7 stance
# tags with category, topic target and curator, 8 the actors all of these name.
STATEMENT_LIST_QUERIES = 8


@pytest.mark.parametrize("page_size", [1, 50])
def test_statement_list_query_count_does_not_grow_with_page_size(
    api, many_statements, django_assert_num_queries, page_size
):
    with django_assert_num_queries(STATEMENT_LIST_QUERIES):
        response = api.get(STATEMENTS, {"page_size": page_size})

    assert len(response.data["results"]) == page_size
    assert all(row["speakers"][0]["role"]["title"] == "Minister" for row in response.data["results"])


@pytest.mark.parametrize("page_size", [1, 50])
def test_statement_list_for_a_curator_adds_only_the_permission_lookup(
    reader_with_drafts, many_statements, django_assert_num_queries, page_size
):
    # has_perm("statements.view_statement") reads 1 the user's and 2 their groups' permissions,
    # once per request (Django caches them on the user); then the page and its prefetches.
    with django_assert_num_queries(2 + STATEMENT_LIST_QUERIES):
        response = reader_with_drafts.get(STATEMENTS, {"page_size": page_size})

    assert len(response.data["results"]) == page_size


def test_statement_detail_runs_the_same_queries_as_one_page(api, many_statements, django_assert_num_queries):
    statement = Statement.objects.first()

    with django_assert_num_queries(STATEMENT_LIST_QUERIES):
        assert api.get(detail(statement)).status_code == 200


@pytest.mark.parametrize(
    ("params", "extra", "why"),
    [
        ({"recipient": "china"}, 1, "the actor named"),
        ({"recipient": "china", "actor": "china"}, 2, "one per actor parameter"),
        ({"topic": "taiwan"}, 1, "the topic named"),
        ({"stance": "K1"}, 1, "the category and its subtree, in one recursive query"),
        ({"stance": "K"}, 1, "the family and its subtree (the acts), in one recursive query"),
        ({"target": "china"}, 2, "actors named, topics named"),
        ({"stance": "K", "polarity": "against", "target": "china"}, 3, "the three above; one EXISTS"),
        ({"ordering": "-updated_at", "channel": "video_call", "date_after": "2025-01-01"}, 0, "no names to look up"),
        ({"q": "grave", "updated_after": "2025-01-01T00:00:00Z", "language": "en"}, 0, "no names to look up"),
    ],
)
def test_filters_that_look_up_names_add_a_fixed_number_of_queries(
    api, many_statements, django_assert_num_queries, params, extra, why
):
    for page_size in (1, 50):
        with django_assert_num_queries(STATEMENT_LIST_QUERIES + extra):
            response = api.get(STATEMENTS, {**params, "page_size": page_size})
        assert len(response.data["results"]) == page_size, why


def test_country_filter_queries(api, japan_tree, django_assert_num_queries):
    for number in range(3):
        make_statement([japan_tree.koizumi], date=f"2025-12-{number + 1:02d}")
    make_statement([japan_tree.ministry], date="2025-12-20")

    # 1 the state named; 2 Actor.objects.organization_ids(japan): Japan, the actors of its country
    # and everything beneath them, persons left out, in one recursive query; then the page and its prefetches.
    with django_assert_num_queries(2 + STATEMENT_LIST_QUERIES):
        response = api.get(STATEMENTS, {"country": "japan"})

    assert len(response.data["results"]) == 4


# Topics and the stance taxonomy.


def test_stance_categories_list_the_default_taxonomy_by_code(api, db, django_assert_num_queries):
    # 1 the taxonomy's categories with parent and taxonomy joined; nothing per row.
    with django_assert_num_queries(1):
        response = api.get(reverse("stance-category-list"), {"page_size": 100})

    codes = [row["code"] for row in response.data["results"]]
    assert len(codes) == 50
    assert codes == sorted(codes)
    concern = next(row for row in response.data["results"] if row["code"] == "K1")
    assert concern == {
        "code": "K1",
        "label": "Express concern",
        "parent": "K",
        "cameo": "012",
        "plover": "ACCUSE",
        "plover_mode": "",
        "quad": 3,
        "description": codebook.descriptions()["K1"],
        "taxonomy": "dst-v1",
    }


def test_stance_category_detail_and_parent_filter(api, db):
    family = api.get(reverse("stance-category-detail", kwargs={"code": "K"})).json()
    acts = api.get(reverse("stance-category-list"), {"parent": "K"}).json()

    assert family["parent"] is None
    assert family["cameo"] == "012"
    assert [row["code"] for row in acts["results"]] == ["K1", "K2"]


def test_stance_categories_of_another_taxonomy_only_when_asked_for(api, db):
    cameo = Taxonomy.objects.create(slug="cameo-1-1b3", name="CAMEO", version="1.1b3")
    StanceCategory.objects.create(taxonomy=cameo, code="K1", label="Make pessimistic comment", cameo="012", quad=3)

    default = api.get(reverse("stance-category-list"), {"page_size": 100})
    other = api.get(reverse("stance-category-list"), {"taxonomy": "cameo-1-1b3"})
    both = api.get(reverse("stance-category-list"), {"taxonomy": ["cameo-1-1b3", "dst-v1"], "page_size": 100})
    concern = api.get(reverse("stance-category-detail", kwargs={"code": "K1"}))

    assert {row["taxonomy"] for row in default.data["results"]} == {"dst-v1"}
    assert [(row["code"], row["label"]) for row in other.data["results"]] == [("K1", "Make pessimistic comment")]
    assert len(both.data["results"]) == 51
    assert concern.json()["label"] == "Express concern"


def test_stance_categories_page_by_code_over_several_pages(api, db):
    pages, _ = walk(api, reverse("stance-category-list"), {"page_size": 7}, key="code")

    codes = [code for page in pages for code in page]
    assert [len(page) for page in pages] == [7] * 7 + [1]
    assert codes == sorted(codes) and len(set(codes)) == 50


def test_topics_are_listed_and_found_by_alias(api, db, django_assert_num_queries):
    senkaku = make_topic("Senkaku Islands", slug="senkaku-diaoyu-islands")
    TopicAlias.objects.create(topic=senkaku, name="Diaoyu Islands", language="en")
    make_topic("Taiwan", slug="taiwan")

    # 1 the page of topics, 2 their aliases.
    with django_assert_num_queries(2):
        listing = api.get(reverse("topic-list"))
    found = api.get(reverse("topic-list"), {"q": "DIAOYU"})
    one = api.get(reverse("topic-detail", kwargs={"slug": "senkaku-diaoyu-islands"}))

    assert [row["slug"] for row in listing.data["results"]] == ["senkaku-diaoyu-islands", "taiwan"]
    assert [row["slug"] for row in found.data["results"]] == ["senkaku-diaoyu-islands"]
    assert one.json() == {
        "slug": "senkaku-diaoyu-islands",
        "name": "Senkaku Islands",
        "description": "",
        "aliases": [{"name": "Diaoyu Islands", "language": "en"}],
        "occurred_on": None,
    }


def test_curators_see_login_names_and_everyone_else_the_same_opaque_handle(api, seed_statement):
    tag = seed_statement.stance_tags.get()
    anonymous = [api.get(detail(seed_statement)).json()["stance_tags"][0]["curator"] for _ in range(2)]
    tag.curator.user_permissions.add(
        Permission.objects.get(codename="view_statement", content_type__app_label="statements")
    )
    api.force_authenticate(get_user_model().objects.get(pk=tag.curator_id))
    curator = api.get(detail(seed_statement)).json()["stance_tags"][0]["curator"]

    assert anonymous[0] == anonymous[1] and anonymous[0].startswith("curator-")
    assert "api-curator" not in anonymous[0]
    assert curator == "api-curator"
