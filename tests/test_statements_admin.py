"""The statement admin as the curators' workbench: search, filters, the change page and its workflow rules."""

import datetime

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import pytest

from actors.models import ActorKind
from statements.models import (
    Channel,
    Citation,
    DatePrecision,
    Polarity,
    Revision,
    Source,
    StanceCategory,
    StanceTag,
    Statement,
    Status,
)
from tests.factories import make_actor, make_statement, make_tag, make_topic

CHANGELIST = "admin:statements_statement_changelist"

CURATOR_PERMISSIONS = [
    "add_statement",
    "change_statement",
    "view_statement",
    "add_citation",
    "change_citation",
    "delete_citation",
    "view_citation",
    "add_stancetag",
    "change_stancetag",
    "delete_stancetag",
    "view_stancetag",
    "view_actor",
    "view_topic",
    "view_source",
    "view_stancecategory",
    "view_historicalstatement",
]


def staff_user(username, codenames):
    user = get_user_model().objects.create_user(username, password=f"{username}-password-1", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return user


@pytest.fixture
def curator(db):
    """A plain staff curator: edits statements, citations and tags, but may not publish."""
    return staff_user("curator", CURATOR_PERMISSIONS)


@pytest.fixture
def reviewer(db):
    return staff_user("reviewer", [*CURATOR_PERMISSIONS, "publish_statement"])


@pytest.fixture
def world(db):
    """Koizumi (with his name in Japanese) briefing Rutte and Crosetto, and an unrelated statement by China."""

    class World:
        china = make_actor("China", kind=ActorKind.STATE, slug="china")
        koizumi = make_actor("Shinjiro Koizumi", names=[("小泉進次郎", "ja"), ("Koizumi Shinjiro", "ja-Latn")])
        rutte = make_actor("Mark Rutte", names=[("Mark Rutte", "nl")])
        crosetto = make_actor("Guido Crosetto")
        wang = make_actor("Wang Yi", names=[("王毅", "zh-Hans")])
        lammy = make_actor("David Lammy")
        radar = make_topic("Fire-control radar incident")
        koizumi_briefing = make_statement(
            [koizumi],
            [rutte, crosetto],
            date="2025-12-10",
            status=Status.DRAFT,
            summary="Briefed NATO and Italy on the fire-control radar incident.",
        )
        one_china = make_statement(
            [wang],
            [lammy],
            date="2025-11-20",
            status=Status.PUBLISHED,
            channel=Channel.PHONE_CALL,
            text="Asked the United Kingdom to support the One China principle.",
        )
        source = Source.objects.create(url="https://example.org/mod-readout", publisher="Japan Ministry of Defense")

    return World


def change_url(statement):
    return reverse("admin:statements_statement_change", args=[statement.pk])


def listed(response):
    return {statement.pk for statement in response.context["cl"].result_list}


def form_data(response):
    """The POST body of the change form as rendered: the main form and every inline formset."""
    data = {}

    def put(form, name):
        field, value, key = form.fields[name], form[name].value(), form.add_prefix(name)
        if isinstance(field, forms.BooleanField):
            if value:
                data[key] = "on"
        elif isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
            data[key] = [str(item) for item in value or []]
        elif value is None:
            data[key] = ""
        else:
            data[key] = str(value)

    form = response.context["adminform"].form
    for name in form.fields:
        put(form, name)
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        for name in management.fields:
            put(management, name)
        for inline_form in inline.formset.forms:
            for name in inline_form.fields:
                put(inline_form, name)
    return data


def add_row(data, prefix, **values):
    index = int(data[f"{prefix}-TOTAL_FORMS"])
    data.update({f"{prefix}-{index}-{name}": str(value) for name, value in values.items()})
    data[f"{prefix}-TOTAL_FORMS"] = str(index + 1)


def category(code):
    return StanceCategory.objects.default_taxonomy().get(code=code)


def errors_shown(response):
    """Every error message the admin shows on the re-rendered form: fields, form-wide and inline."""
    messages = [str(error) for error in response.context["errors"]]
    for inline in response.context["inline_admin_formsets"]:
        messages += [str(error) for error in inline.formset.non_form_errors()]
        messages += [str(error) for form_errors in inline.formset.errors for error in form_errors.values()]
    return " ".join(messages)


# Search


@pytest.mark.parametrize("term", ["Koizumi", "小泉", "Rutte", "koizumi shinjiro", "crosetto"])
def test_search_finds_a_statement_by_any_name_or_alias_of_its_speakers_and_recipients(client, superuser, world, term):
    client.force_login(superuser)
    response = client.get(reverse(CHANGELIST), {"q": term})
    assert listed(response) == {world.koizumi_briefing.pk}


def test_search_also_reads_the_text_and_summary(client, superuser, world):
    client.force_login(superuser)
    assert listed(client.get(reverse(CHANGELIST), {"q": "One China"})) == {world.one_china.pk}
    assert listed(client.get(reverse(CHANGELIST), {"q": "radar incident"})) == {world.koizumi_briefing.pk}


def test_search_lists_a_statement_once_however_many_of_its_names_match(client, superuser, world):
    client.force_login(superuser)
    # "Mark Rutte" is both the recipient's name and his Dutch alias.
    response = client.get(reverse(CHANGELIST), {"q": "Mark Rutte"})
    assert [statement.pk for statement in response.context["cl"].result_list] == [world.koizumi_briefing.pk]


# Filters


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status__exact": Status.DRAFT}, "koizumi_briefing"),
        ({"status__exact": Status.PUBLISHED}, "one_china"),
        ({"channel__exact": Channel.PHONE_CALL}, "one_china"),
        ({"channel__exact": Channel.VIDEO_CALL}, "koizumi_briefing"),
        ({"date__gte": "2025-12-01", "date__lt": "2026-01-01"}, "koizumi_briefing"),
        ({"date__year": "2025", "date__month": "11"}, "one_china"),
    ],
)
def test_changelist_filters_by_status_channel_and_date(client, superuser, world, params, expected):
    client.force_login(superuser)
    assert listed(client.get(reverse(CHANGELIST), params)) == {getattr(world, expected).pk}


def test_stance_filter_on_a_family_matches_the_acts_beneath_it(client, superuser, world):
    make_tag(world.koizumi_briefing, "K1", superuser, target_actor=world.china)
    make_tag(world.one_china, "P1", superuser)
    client.force_login(superuser)
    assert listed(client.get(reverse(CHANGELIST), {"stance": "K"})) == {world.koizumi_briefing.pk}
    assert listed(client.get(reverse(CHANGELIST), {"stance": "K1"})) == {world.koizumi_briefing.pk}
    assert listed(client.get(reverse(CHANGELIST), {"stance": "K2"})) == set()
    assert listed(client.get(reverse(CHANGELIST), {"stance": "P"})) == {world.one_china.pk}


def test_stance_filter_offers_every_family_and_act_of_the_default_taxonomy(client, superuser, world):
    client.force_login(superuser)
    response = client.get(reverse(CHANGELIST))
    stance_filter = next(
        spec for spec in response.context["cl"].filter_specs if getattr(spec, "parameter_name", None) == "stance"
    )
    codes = [code for code, _label in stance_filter.lookup_choices]
    assert len(codes) == 50
    assert codes.index("K") + 1 == codes.index("K1")
    assert "K1 Express concern" in response.text


def test_changelist_shows_speakers_recipients_tags_and_the_date_as_precise_as_known(client, superuser, world):
    russia = make_actor("Russia", kind=ActorKind.STATE)
    make_tag(world.koizumi_briefing, "K1", superuser, target_actor=world.china)
    make_tag(world.koizumi_briefing, "K1", superuser, target_actor=russia)
    make_tag(world.koizumi_briefing, "E2", superuser, polarity=Polarity.NEUTRAL)
    Statement.objects.filter(pk=world.one_china.pk).update(date_precision=DatePrecision.MONTH, date="2025-11-01")
    client.force_login(superuser)
    response = client.get(reverse(CHANGELIST))
    assert "Guido Crosetto, Mark Rutte" in response.text
    assert "Briefed NATO and Italy" in response.text
    # Each tag on its line: act, polarity sign, target; the words on hover.
    assert '<div class="tag" title="K1 against → China">K1− China</div>' in response.text
    assert '<div class="tag" title="K1 against → Russia">K1− Russia</div>' in response.text
    assert '<div class="tag" title="E2 neutral">E2</div>' in response.text
    assert "Dec. 10, 2025" in response.text
    assert "November 2025" in response.text
    assert "Nov. 1, 2025" not in response.text


# The change page


def test_change_page_shows_inlines_autocompletes_and_the_speakers_role_on_the_date(client, curator, world):
    government = make_actor("Government of Japan", kind=ActorKind.GOVERNMENT_BODY)
    world.koizumi.roles.create(organization=government, title="Minister of Defense", start_date="2025-10-21")
    Citation.objects.create(statement=world.koizumi_briefing, source=world.source, attribution="according to MoD")
    make_tag(world.koizumi_briefing, "K1", curator, target_actor=world.china)
    client.force_login(curator)
    response = client.get(change_url(world.koizumi_briefing))
    assert response.status_code == 200
    prefixes = {inline.formset.prefix for inline in response.context["inline_admin_formsets"]}
    assert prefixes == {"citations", "stance_tags"}
    for field in ["speakers", "recipients", "topics", "source", "target_actor", "target_topic"]:
        assert f'data-field-name="{field}"' in response.text
    assert "K1 Express concern" in response.text
    assert "Shinjiro Koizumi: Minister of Defense, Government of Japan" in response.text
    assert "stored as the first of that month" in response.text


def test_a_tag_row_adds_a_missing_target_but_never_deletes_one_or_edits_the_taxonomy(client, superuser, world):
    make_tag(world.koizumi_briefing, "K1", superuser, target_actor=world.china)
    client.force_login(superuser)
    response = client.get(change_url(world.koizumi_briefing))
    assert 'id="add_id_stance_tags-0-target_actor"' in response.text
    assert 'id="add_id_citations-__prefix__-source"' in response.text
    assert "delete_id_stance_tags-0-target_actor" not in response.text
    assert "change_id_stance_tags-0-category" not in response.text
    assert "add_id_stance_tags-0-category" not in response.text


def test_a_new_stance_tag_is_saved_with_the_curator_and_recorded_in_history(client, curator, world):
    client.force_login(curator)
    data = form_data(client.get(change_url(world.koizumi_briefing)))
    add_row(
        data,
        "stance_tags",
        category=category("K1").pk,
        target_actor=world.china.pk,
        polarity=Polarity.AGAINST,
        intensity=3,
    )
    response = client.post(change_url(world.koizumi_briefing), data)
    assert response.status_code == 302, errors_shown(response)
    tag = StanceTag.objects.get(statement=world.koizumi_briefing)
    assert (tag.category.code, tag.target_actor, tag.intensity, tag.curator) == ("K1", world.china, 3, curator)
    assert tag.history.get().history_user == curator
    statement = Statement.objects.get(pk=world.koizumi_briefing.pk)
    assert statement.version == 2
    assert statement.history.latest().history_user == curator


def test_editing_a_tag_keeps_the_curator_who_made_it(client, curator, superuser, world):
    tag = make_tag(world.koizumi_briefing, "K1", superuser, target_actor=world.china, intensity=1)
    client.force_login(curator)
    data = form_data(client.get(change_url(world.koizumi_briefing)))
    data["stance_tags-0-intensity"] = "3"
    assert client.post(change_url(world.koizumi_briefing), data).status_code == 302
    tag.refresh_from_db()
    assert (tag.intensity, tag.curator) == (3, superuser)


def test_adding_a_statement_records_who_created_it(client, curator, world):
    client.force_login(curator)
    add_url = reverse("admin:statements_statement_add")
    data = form_data(client.get(add_url))
    data.update(
        speakers=[str(world.koizumi.pk)],
        recipients=[str(world.rutte.pk)],
        date="2025-12-17",
        date_precision=DatePrecision.MONTH,
        channel=Channel.VIDEO_CALL,
        text="",
        language="en",
        summary="Spoke again with NATO.",
        status=Status.IN_REVIEW,
    )
    add_row(data, "stance_tags", category=category("E2").pk, polarity=Polarity.NEUTRAL, intensity=0)
    response = client.post(add_url, data)
    assert response.status_code == 302, errors_shown(response)
    statement = Statement.objects.get(summary="Spoke again with NATO.")
    assert statement.created_by == curator
    assert statement.date == datetime.date(2025, 12, 1)
    assert statement.stance_tags.get().curator == curator


# Workflow rules: each a form error, nothing saved


def post_change(client, user, statement, change):
    client.force_login(user)
    data = form_data(client.get(change_url(statement)))
    change(data)
    return client.post(change_url(statement), data)


def assert_refused(response, statement, message):
    assert response.status_code == 200
    assert message in response.text
    assert message in errors_shown(response)
    fresh = Statement.objects.get(pk=statement.pk)
    assert (fresh.status, fresh.version) == (statement.status, statement.version)


def test_publishing_needs_a_citation(client, reviewer, world):
    statement = world.koizumi_briefing
    response = post_change(client, reviewer, statement, lambda data: data.update(status=Status.PUBLISHED))
    assert_refused(response, statement, "A published statement needs at least one citation")


def test_removing_the_last_citation_of_a_published_statement_is_refused(client, reviewer, world):
    statement = world.one_china
    Citation.objects.create(statement=statement, source=world.source)
    response = post_change(client, reviewer, statement, lambda data: data.update({"citations-0-DELETE": "on"}))
    assert_refused(response, statement, "A published statement needs at least one citation")
    assert statement.citations.count() == 1


def test_a_reviewer_publishes_a_cited_statement(client, reviewer, world):
    statement = world.koizumi_briefing

    def publish_with_citation(data):
        data["status"] = Status.PUBLISHED
        add_row(data, "citations", source=world.source.pk, attribution="according to Japan's Defense Ministry")

    response = post_change(client, reviewer, statement, publish_with_citation)
    assert response.status_code == 302, errors_shown(response)
    statement.refresh_from_db()
    assert statement.status == Status.PUBLISHED
    assert statement.citations.get().attribution == "according to Japan's Defense Ministry"


def test_a_curator_without_the_publish_permission_cannot_publish(client, curator, world):
    statement = world.koizumi_briefing
    Citation.objects.create(statement=statement, source=world.source)
    client.force_login(curator)
    offered = [
        value for value, _label in client.get(change_url(statement)).context["adminform"].form["status"].field.choices
    ]
    assert offered == [Status.DRAFT, Status.IN_REVIEW]
    response = post_change(client, curator, statement, lambda data: data.update(status=Status.PUBLISHED))
    assert_refused(response, statement, "publishing and retracting need the permission to publish statements")


def test_a_curators_edit_of_a_published_statement_waits_for_a_reviewer(client, curator, reviewer, world):
    """What the public sees changes only by a reviewer's hand."""
    statement = world.one_china
    Citation.objects.create(statement=statement, source=world.source)

    response = post_change(client, curator, statement, lambda data: data.update(summary="Sought support."))

    assert response.status_code == 302, errors_shown(response)
    fresh = Statement.objects.get(pk=statement.pk)
    assert (fresh.summary, fresh.version) == (statement.summary, statement.version)
    revision = Revision.objects.get(statement=statement)
    assert "wait for a reviewer" in client.get(response["Location"]).text

    client.force_login(reviewer)
    page = client.get(reverse("admin:statements_revision_change", args=[revision.pk])).text
    assert "Sought support." in page and "As published" in page
    assert listed(client.get(reverse(CHANGELIST), {"queue": "revised"})) == {statement.pk}
    decided = client.post(
        reverse("admin:statements_revision_change", args=[revision.pk]), {"decision": "approve", "comment": "Yes"}
    )
    assert decided.status_code == 302
    assert Statement.objects.get(pk=statement.pk).summary == "Sought support."


@pytest.mark.parametrize("status", [Status.RETRACTED, Status.DRAFT])
def test_a_curator_cannot_retract_or_unpublish_even_by_revision(client, curator, world, status):
    statement = world.one_china
    Citation.objects.create(statement=statement, source=world.source)
    response = post_change(client, curator, statement, lambda data: data.update(status=status))
    assert_refused(response, statement, "publishing and retracting need the permission to publish statements")
    assert not Revision.objects.exists()


def test_a_tag_cannot_target_both_an_actor_and_a_topic(client, curator, world):
    statement = world.koizumi_briefing
    response = post_change(
        client,
        curator,
        statement,
        lambda data: add_row(
            data,
            "stance_tags",
            category=category("K1").pk,
            target_actor=world.china.pk,
            target_topic=world.radar.pk,
            polarity=Polarity.AGAINST,
            intensity=3,
        ),
    )
    assert_refused(response, statement, "A tag has one target: an actor or a topic, not both.")
    assert not StanceTag.objects.exists()


def test_a_duplicate_tag_is_a_form_error(client, curator, world):
    statement = world.koizumi_briefing
    make_tag(statement, "K1", curator, target_actor=world.china)
    response = post_change(
        client,
        curator,
        statement,
        lambda data: add_row(
            data,
            "stance_tags",
            category=category("K1").pk,
            target_actor=world.china.pk,
            polarity="against",
            intensity=1,
        ),
    )
    assert_refused(response, statement, "K1 Express concern toward China is tagged twice")
    assert StanceTag.objects.count() == 1


def test_a_tag_removed_and_added_again_in_one_save_is_no_duplicate(client, curator, world):
    statement = world.koizumi_briefing
    make_tag(statement, "K1", curator, target_actor=world.china, intensity=1)

    def replace(data):
        data["stance_tags-0-DELETE"] = "on"
        add_row(
            data,
            "stance_tags",
            category=category("K1").pk,
            target_actor=world.china.pk,
            polarity="against",
            intensity=4,
        )

    response = post_change(client, curator, statement, replace)
    assert response.status_code == 302, errors_shown(response)
    assert StanceTag.objects.get().intensity == 4


def test_a_direct_quote_needs_its_words(client, curator, world):
    statement = world.koizumi_briefing
    response = post_change(client, curator, statement, lambda data: data.update(is_direct_quote="on", text=""))
    assert_refused(response, statement, "A direct quote needs its words.")


def test_a_save_over_a_newer_version_is_refused(client, curator, world):
    statement = world.koizumi_briefing
    client.force_login(curator)
    data = form_data(client.get(change_url(statement)))
    Statement.objects.get(pk=statement.pk).save()  # another curator saves meanwhile: version 2
    data["summary"] = "My edit."
    response = client.post(change_url(statement), data)
    assert response.status_code == 200
    assert "Someone else saved this statement (now version 2)" in response.text
    assert Statement.objects.get(pk=statement.pk).summary != "My edit."


# Actions and history


def test_publish_action_skips_statements_without_a_citation(client, reviewer, world):
    cited = make_statement([world.koizumi], status=Status.IN_REVIEW)
    Citation.objects.create(statement=cited, source=world.source)
    client.force_login(reviewer)
    response = client.post(
        reverse(CHANGELIST),
        {"action": "publish", "_selected_action": [cited.pk, world.koizumi_briefing.pk]},
        follow=True,
    )
    assert "1 statement(s) left unpublished" in response.text
    assert Statement.objects.get(pk=cited.pk).status == Status.PUBLISHED
    assert Statement.objects.get(pk=world.koizumi_briefing.pk).status == Status.DRAFT


def test_curators_are_not_offered_publishing_or_bulk_deletion(client, curator, superuser, world):
    client.force_login(curator)
    actions = {name for name, _label in client.get(reverse(CHANGELIST)).context["action_form"].fields["action"].choices}
    assert actions == {"", "send_to_review"}
    client.force_login(superuser)
    actions = {name for name, _label in client.get(reverse(CHANGELIST)).context["action_form"].fields["action"].choices}
    assert actions == {"", "send_to_review", "publish", "assign_action"}


def test_history_is_readable_but_a_statement_is_not_reverted_from_it(client, superuser, world):
    client.force_login(superuser)
    statement = world.koizumi_briefing
    history_url = reverse("admin:statements_statement_history", args=[statement.pk])
    assert client.get(history_url).status_code == 200
    record = statement.history.earliest()
    revert_url = reverse("admin:statements_statement_simple_history", args=[statement.pk, record.history_id])
    assert client.get(revert_url).status_code == 200
    assert client.post(revert_url, {"summary": "rewound"}).status_code == 403


# The stance tag admin


def test_stance_tag_page_refuses_a_duplicate_and_a_double_target(client, superuser, world):
    make_tag(world.koizumi_briefing, "K1", superuser, target_actor=world.china)
    client.force_login(superuser)
    add_url = reverse("admin:statements_stancetag_add")
    base = {
        "statement": world.koizumi_briefing.pk,
        "category": category("K1").pk,
        "polarity": "against",
        "intensity": 1,
    }
    response = client.post(add_url, {**base, "target_actor": world.china.pk})
    assert response.status_code == 200
    assert "This statement already carries K1 Express concern toward China." in response.text
    response = client.post(add_url, {**base, "target_actor": world.china.pk, "target_topic": world.radar.pk})
    assert response.status_code == 200
    assert "A tag has one target" in response.text
    assert StanceTag.objects.count() == 1
    response = client.post(add_url, {**base, "target_topic": world.radar.pk})
    assert response.status_code == 302
    assert StanceTag.objects.get(target_topic=world.radar).curator == superuser


# Query counts: a changelist costs the same however many rows it shows


def make_rows(count, curator):
    """`count` statements, each with its own speakers, recipient, topic (with an alias), source and tags."""
    for number in range(count):
        speakers = [make_actor(names=[(f"別名{number}", "ja")]), make_actor()]
        recipient = make_actor()
        topic = make_topic(f"Topic {number}")
        topic.aliases.create(name=f"Alias {number}")
        statement = make_statement(speakers, [recipient], summary=f"Statement {number}")
        statement.topics.add(topic)
        source = Source.objects.create(url=f"https://example.org/{topic.slug}", publisher=f"Publisher {number % 4}")
        Citation.objects.create(statement=statement, source=source)
        make_tag(statement, "K1", curator, target_actor=recipient)
        make_tag(statement, "E2", curator, target_topic=topic)


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), len(response.context["cl"].result_list)


@pytest.mark.parametrize(
    ("url_name", "query"),
    [
        (CHANGELIST, ""),
        (CHANGELIST, "?q=Actor&stance=K"),
        ("admin:statements_stancetag_changelist", ""),
        ("admin:statements_topic_changelist", ""),
        ("admin:statements_source_changelist", ""),
    ],
)
def test_statement_changelists_do_not_query_per_row(client, superuser, url_name, query):
    client.force_login(superuser)
    url = reverse(url_name) + query
    make_rows(3, superuser)
    few = count_queries(client, url)
    make_rows(27, superuser)
    many = count_queries(client, url)
    assert (few[1], many[1]) == (3, 30) if url_name != "admin:statements_stancetag_changelist" else (6, 60)
    assert few[0] == many[0], f"{few[0]} queries for {few[1]} rows, {many[0]} for {many[1]}"


def test_statement_changelist_query_budget(client, superuser, django_assert_max_num_queries):
    make_rows(30, superuser)
    client.force_login(superuser)
    # Session, user, stance filter choices, count, page; one prefetch each for speakers, recipients
    # and stance tags with their categories; date hierarchy: first and last date, then the dates.
    with django_assert_max_num_queries(10):
        response = client.get(reverse(CHANGELIST))
    assert len(response.context["cl"].result_list) == 30


def test_a_category_made_its_own_parent_is_a_form_error_not_a_500(client, superuser):
    family = category("K")
    client.force_login(superuser)
    data = {
        "taxonomy": family.taxonomy_id,
        "code": "K",
        "label": family.label,
        "description": "",
        "parent": family.pk,
        "cameo": family.cameo,
        "plover": family.plover,
        "plover_mode": "",
        "quad": family.quad,
    }
    response = client.post(reverse("admin:statements_stancecategory_change", args=[family.pk]), data)
    assert response.status_code == 200
    assert "A category cannot sit beneath itself" in response.text
    assert category("K").parent is None


def test_a_curator_cannot_bulk_delete_the_tags_of_a_published_statement(client, curator, superuser, world):
    published = make_tag(world.one_china, "P1", superuser, polarity=Polarity.FAVOR)
    drafted = make_tag(world.koizumi_briefing, "K1", superuser, target_actor=world.china)
    client.force_login(curator)
    changelist = reverse("admin:statements_stancetag_changelist")
    ids = [str(published.pk), str(drafted.pk)]

    confirmation = client.post(changelist, {"action": "delete_selected", "_selected_action": ids})
    response = client.post(changelist, {"action": "delete_selected", "_selected_action": ids, "post": "yes"})

    assert "your account doesn't have permission to delete" in confirmation.text
    assert response.status_code == 403
    assert set(StanceTag.objects.values_list("pk", flat=True)) == {published.pk, drafted.pk}


def test_deleting_a_draft_tag_on_its_page_raises_the_statements_version(client, curator, superuser, world):
    tag = make_tag(world.koizumi_briefing, "K1", superuser, target_actor=world.china)
    client.force_login(curator)

    response = client.post(reverse("admin:statements_stancetag_delete", args=[tag.pk]), {"post": "yes"})

    assert response.status_code == 302
    assert not StanceTag.objects.filter(pk=tag.pk).exists()
    assert Statement.objects.get(pk=world.koizumi_briefing.pk).version == world.koizumi_briefing.version + 1


def test_not_even_a_superuser_deletes_a_published_statement(client, superuser, world):
    client.force_login(superuser)

    response = client.post(reverse("admin:statements_statement_delete", args=[world.one_china.pk]), {"post": "yes"})

    assert response.status_code == 403
    assert Statement.objects.filter(pk=world.one_china.pk).exists()


@pytest.mark.parametrize(
    "model_name", ["topic", "source", "taxonomy", "stancecategory", "topicalias", "actorname", "actoridentifier"]
)
def test_everything_curated_keeps_a_history(model_name):
    from django.apps import apps

    model = next(model for model in apps.get_models() if model._meta.model_name == model_name)
    assert hasattr(model, "history"), f"{model_name} keeps no history"


def test_a_change_to_a_source_is_in_its_history_with_who_made_it(client, superuser, world):
    client.force_login(superuser)
    url = reverse("admin:statements_source_change", args=[world.source.pk])
    publisher = "Japan Ministry of Defense (Bōeishō)"
    data = {"url": world.source.url, "publisher": publisher, "title": "", "published_on": ""}

    assert client.post(url, data).status_code == 302

    latest = world.source.history.latest("history_date")
    assert (latest.publisher, latest.history_user) == (publisher, superuser)
    assert client.get(reverse("admin:statements_source_history", args=[world.source.pk])).status_code == 200


def test_the_queues_list_my_drafts_what_awaits_review_and_what_is_untagged(client, curator, superuser, world):
    mine = make_statement([world.koizumi], status=Status.DRAFT, created_by=curator, summary="Mine")
    theirs = make_statement([world.koizumi], status=Status.DRAFT, created_by=superuser, summary="Theirs")
    waiting = make_statement([world.koizumi], status=Status.IN_REVIEW, summary="Waiting")
    make_tag(theirs, "K1", superuser, target_actor=world.china)
    client.force_login(curator)

    def queue(name):
        return listed(client.get(reverse(CHANGELIST), {"queue": name}))

    assert queue("mine") == {mine.pk}
    assert queue("review") == {waiting.pk}
    assert queue("untagged") == {mine.pk, waiting.pk, world.koizumi_briefing.pk, world.one_china.pk}


def test_the_admin_index_shows_where_curation_stands(client, curator, superuser, world):
    waiting = make_statement([world.koizumi], status=Status.IN_REVIEW, summary="Waiting for a reviewer")
    make_tag(world.one_china, "P1", superuser, polarity=Polarity.FAVOR)
    client.force_login(curator)

    page = client.get(reverse("admin:index")).text

    assert 'id="curation-dashboard"' in page
    assert "Waiting for a reviewer" in page
    assert reverse("admin:statements_statement_change", args=[waiting.pk]) in page
    assert reverse("admin:statements_statement_change", args=[world.koizumi_briefing.pk]) in page  # an untagged draft
    assert "Tags since" in page


def test_the_admin_index_runs_a_fixed_number_of_queries(client, superuser, world, django_assert_max_num_queries):
    client.force_login(superuser)
    # Session, user; statuses, review queue, untagged drafts, tags this month, last changes; the app list.
    with django_assert_max_num_queries(9):
        assert client.get(reverse("admin:index")).status_code == 200


def test_the_form_asks_for_the_speakers_roles_on_a_date_before_saving(client, curator, world):
    government = make_actor("Government of Japan", kind=ActorKind.GOVERNMENT_BODY)
    world.koizumi.roles.create(organization=government, title="Minister of Defense", start_date="2025-10-21")
    client.force_login(curator)
    url = reverse("admin:statements_statement_roles")

    on_duty = client.get(url, {"speaker": [world.koizumi.pk, world.china.pk], "date": "2025-12-10"}).json()["html"]
    before = client.get(url, {"speaker": [world.koizumi.pk], "date": "2024-01-01"}).json()["html"]
    nonsense = client.get(url, {"speaker": ["x"], "date": "tomorrow"})

    assert "Shinjiro Koizumi: Minister of Defense, Government of Japan" in on_duty
    assert "China: state" in on_duty
    assert 'class="warning">Shinjiro Koizumi: no role recorded on 2024-01-01' in before
    assert nonsense.status_code == 200 and "Choose the speakers" in nonsense.json()["html"]


def test_the_why_of_a_save_is_kept_in_the_history(client, reviewer, world):
    statement = world.koizumi_briefing

    response = post_change(
        client, reviewer, statement, lambda data: data.update(summary="Briefed NATO.", change_reason="shorter")
    )

    assert response.status_code == 302, errors_shown(response)
    latest = statement.history.latest("history_id")
    assert (latest.summary, latest.history_user, latest.history_change_reason) == ("Briefed NATO.", reviewer, "shorter")


def test_the_history_page_is_a_timeline_and_reverts_with_tags(client, reviewer, world):
    statement = world.koizumi_briefing
    before_edit = statement.history.latest("history_id")
    post_change(client, reviewer, statement, lambda data: data.update(summary="Briefed NATO.", change_reason="shorter"))

    page = client.get(reverse("admin:statements_statement_history", args=[statement.pk])).text
    reverted = client.post(
        reverse("admin:statements_statement_revert", args=[statement.pk, before_edit.history_id]),
        {"version": Statement.objects.get(pk=statement.pk).version},
    )

    assert "shorter" in page and "Revert to this version" in page
    assert "Briefed NATO." in page
    assert reverted.status_code == 302
    assert Statement.objects.get(pk=statement.pk).summary == statement.summary
