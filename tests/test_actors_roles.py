"""Roles over time: who held which post on a date, and who belonged to an organization then."""

import datetime

from django.db import IntegrityError, transaction

import pytest

from actors.models import Actor, ActorKind, Role
from tests.factories import make_actor, make_role

HANDOVER = datetime.date(2025, 10, 21)  # Nakatani's last day as Minister of Defense, Koizumi's first


def day(iso):
    return datetime.date.fromisoformat(iso)


@pytest.mark.django_db
def test_role_on_gives_the_post_held_on_that_date_not_today(japan):
    assert japan.koizumi.role_on(day("2020-06-01")) == japan.koizumi_environment
    assert japan.koizumi.role_on(day("2025-12-10")) == japan.koizumi_defense
    assert japan.nakatani.role_on(day("2025-05-01")) == japan.nakatani_defense


@pytest.mark.django_db
def test_role_on_is_none_between_roles_and_before_the_first(japan):
    assert japan.koizumi.role_on(day("2023-01-01")) is None
    assert japan.koizumi.role_on(day("2019-09-10")) is None
    assert japan.nakatani.role_on(day("2025-10-22")) is None


@pytest.mark.django_db
def test_role_ends_are_inclusive(japan):
    assert japan.koizumi.role_on(day("2019-09-11")) == japan.koizumi_environment
    assert japan.koizumi.role_on(day("2021-10-04")) == japan.koizumi_environment
    assert japan.koizumi.role_on(day("2021-10-05")) is None


@pytest.mark.django_db
def test_role_on_accepts_a_datetime(japan):
    assert japan.koizumi.role_on(datetime.datetime(2025, 12, 10, 18, 30)) == japan.koizumi_defense


@pytest.mark.django_db
def test_on_the_handover_day_both_ministers_hold_the_post(japan):
    held = Role.objects.on(HANDOVER).filter(title="Minister of Defense")

    assert set(held) == {japan.nakatani_defense, japan.koizumi_defense}
    assert set(Role.objects.on(HANDOVER + datetime.timedelta(days=1)).filter(title="Minister of Defense")) == {
        japan.koizumi_defense
    }
    assert set(Role.objects.on(HANDOVER - datetime.timedelta(days=1)).filter(title="Minister of Defense")) == {
        japan.nakatani_defense
    }


@pytest.mark.django_db
def test_role_on_picks_the_most_recently_started_of_overlapping_roles(japan):
    # Takaichi became LDP president on 2025-10-04 and Prime Minister on 2025-10-21; she holds both.
    party = make_actor("Liberal Democratic Party", kind=ActorKind.PARTY, country=japan.state)
    takaichi = make_actor("Sanae Takaichi", country=japan.state)
    president = make_role(takaichi, party, "President", "2025-10-04")
    prime_minister = make_role(takaichi, japan.government, "Prime Minister", "2025-10-21")

    assert takaichi.role_on(day("2025-10-10")) == president
    assert takaichi.role_on(HANDOVER) == prime_minister
    assert takaichi.role_on(day("2025-12-10")) == prime_minister


@pytest.mark.django_db
def test_role_on_uses_prefetched_roles_without_queries(japan, django_assert_num_queries):
    koizumi = Actor.objects.prefetch_related("roles").get(pk=japan.koizumi.pk)

    with django_assert_num_queries(0):
        assert koizumi.role_on(day("2025-12-10")) == japan.koizumi_defense


@pytest.mark.django_db
@pytest.mark.parametrize(
    "iso", ["2019-09-10", "2019-09-11", "2021-10-04", "2021-10-05", "2025-05-01", "2025-10-21", "2025-10-22"]
)
def test_role_on_agrees_with_roles_on_the_same_date(japan, iso):
    for person in (japan.koizumi, japan.nakatani):
        held = list(Role.objects.on(day(iso)).filter(person=person).order_by("-start_date", "-pk"))

        assert person.role_on(day(iso)) == (held[0] if held else None)


@pytest.mark.django_db
def test_affiliation_follows_roles_on_the_date(japan):
    in_may = set(Actor.objects.affiliated_with(japan.state, on=day("2025-05-01")))
    in_december = set(Actor.objects.affiliated_with(japan.state, on=day("2025-12-10")))
    on_handover = set(Actor.objects.affiliated_with(japan.state, on=HANDOVER))

    assert japan.nakatani in in_may and japan.koizumi not in in_may
    assert japan.koizumi in in_december and japan.nakatani not in in_december
    assert {japan.koizumi, japan.nakatani} <= on_handover


@pytest.mark.django_db
def test_affiliation_includes_the_organization_and_everything_beneath_it(japan):
    members = set(Actor.objects.affiliated_with(japan.state, on=day("2025-12-10")))

    assert {japan.state, japan.government, japan.ministry, japan.joint_staff} <= members


@pytest.mark.django_db
def test_affiliation_with_a_body_leaves_out_its_parents_and_siblings(japan):
    coast_guard = make_actor("Japan Coast Guard", kind=ActorKind.GOVERNMENT_BODY, parent=japan.government)

    members = set(Actor.objects.affiliated_with(japan.ministry, on=day("2025-12-10")))

    assert members == {japan.ministry, japan.joint_staff}
    assert coast_guard not in members


@pytest.mark.django_db
def test_a_states_bodies_include_those_recorded_only_by_country(japan):
    # A body with country=Japan but no parent still belongs to Japan.
    agency = make_actor("Japan Meteorological Agency", kind=ActorKind.GOVERNMENT_BODY, country=japan.state)
    foreign = make_actor("U.S. Department of State", kind=ActorKind.GOVERNMENT_BODY)

    ids = Actor.objects.organization_ids(japan.state)

    assert agency.pk in ids
    assert {japan.state.pk, japan.government.pk, japan.ministry.pk, japan.joint_staff.pk} <= ids
    assert foreign.pk not in ids


@pytest.mark.django_db
def test_nationality_alone_does_not_make_a_person_a_member(japan):
    citizen = make_actor("Japanese citizen without a post", country=japan.state)

    assert citizen.pk not in Actor.objects.organization_ids(japan.state)
    assert citizen not in Actor.objects.affiliated_with(japan.state, on=day("2025-12-10"))
    assert japan.koizumi.pk not in Actor.objects.organization_ids(japan.state)


@pytest.mark.django_db
def test_a_role_in_another_organization_is_not_an_affiliation(japan):
    nato = make_actor("NATO", kind=ActorKind.INTERNATIONAL_ORGANIZATION)
    rutte = make_actor("Mark Rutte")
    make_role(rutte, nato, "Secretary General", "2024-10-01")

    assert rutte not in Actor.objects.affiliated_with(japan.state, on=day("2025-12-10"))
    assert rutte in Actor.objects.affiliated_with(nato, on=day("2025-12-10"))
    assert rutte not in Actor.objects.affiliated_with(nato, on=day("2024-09-30"))


@pytest.mark.django_db
def test_the_database_rejects_a_role_that_ends_before_it_starts(japan):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_role(japan.koizumi, japan.government, "Minister of Defense", "2025-10-21", "2025-10-20")


@pytest.mark.django_db
def test_a_one_day_role_is_allowed(japan):
    role = make_role(japan.koizumi, japan.government, "Acting Minister", "2024-01-01", "2024-01-01")

    assert japan.koizumi.role_on(day("2024-01-01")) == role
