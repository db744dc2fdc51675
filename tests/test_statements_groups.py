"""The `curators` and `reviewers` groups the 0003 migration creates, with their permissions."""

import importlib
from types import SimpleNamespace

from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

import pytest

CURATOR_PERMISSIONS = {
    "actors.add_actor",
    "actors.change_actor",
    "actors.delete_actor",
    "actors.view_actor",
    "actors.add_actorname",
    "actors.change_actorname",
    "actors.delete_actorname",
    "actors.view_actorname",
    "actors.add_actoridentifier",
    "actors.change_actoridentifier",
    "actors.delete_actoridentifier",
    "actors.view_actoridentifier",
    "actors.add_role",
    "actors.change_role",
    "actors.delete_role",
    "actors.view_role",
    "actors.view_historicalactor",
    "actors.view_historicalrole",
    "statements.add_statement",
    "statements.change_statement",
    "statements.delete_statement",
    "statements.view_statement",
    "statements.add_citation",
    "statements.change_citation",
    "statements.delete_citation",
    "statements.view_citation",
    "statements.add_source",
    "statements.change_source",
    "statements.view_source",
    "statements.add_topic",
    "statements.change_topic",
    "statements.delete_topic",
    "statements.view_topic",
    "statements.add_topicalias",
    "statements.change_topicalias",
    "statements.delete_topicalias",
    "statements.view_topicalias",
    "statements.add_stancetag",
    "statements.change_stancetag",
    "statements.delete_stancetag",
    "statements.view_stancetag",
    "statements.view_taxonomy",
    "statements.view_stancecategory",
    "statements.view_historicalstatement",
    "statements.view_historicalcitation",
    "statements.view_historicalstancetag",
    "statements.add_statementidentifier",
    "statements.change_statementidentifier",
    "statements.delete_statementidentifier",
    "statements.view_statementidentifier",
    "statements.view_historicalstatementidentifier",
    # Everything curated keeps a history, which curators read.
    "actors.view_historicalactorname",
    "actors.view_historicalactoridentifier",
    "statements.view_historicaltopic",
    "statements.view_historicaltopicalias",
    "statements.view_historicalsource",
    "statements.view_historicaltaxonomy",
    "statements.view_historicalstancecategory",
    # Curators read the revisions they and others propose; reviewers decide them.
    "statements.view_revision",
    "statements.view_historicalrevision",
    "statements.change_annotation",
    "statements.view_annotation",
    "statements.add_annotationtag",
    "statements.change_annotationtag",
    "statements.delete_annotationtag",
    "statements.view_annotationtag",
    "statements.view_adjudication",
    "statements.view_assignmentrule",
    "statements.view_historicalannotation",
    "statements.view_historicaladjudication",
}


def granted(group_name):
    group = Group.objects.get(name=group_name)
    return {
        f"{app_label}.{codename}"
        for app_label, codename in group.permissions.values_list("content_type__app_label", "codename")
    }


# The latest migration that sets the groups' permissions; 0003_groups created them.
GROUPS_MIGRATION = "0019_annotation_permissions"


def run_migration_function(name):
    """Run a function of the groups' latest migration (delete_groups: of 0003_groups) on historical models."""
    module = GROUPS_MIGRATION if name == "create_groups" else "0003_groups"
    migration = importlib.import_module(f"statements.migrations.{module}")
    historical_apps = MigrationExecutor(connection).loader.project_state(("statements", module)).apps
    # The functions read only the connection's alias (SQLite forbids a real schema editor in a test transaction).
    getattr(migration, name)(historical_apps, SimpleNamespace(connection=connection))


@pytest.fixture
def member(django_user_model):
    def make(group_name):
        user = django_user_model.objects.create_user(f"{group_name}-member")
        user.groups.add(Group.objects.get(name=group_name))
        return django_user_model.objects.get(pk=user.pk)  # a fresh instance: no cached permissions

    return make


@pytest.mark.django_db
def test_curators_have_exactly_their_permissions():
    assert granted("curators") == CURATOR_PERMISSIONS


@pytest.mark.django_db
def test_reviewers_have_the_curators_permissions_and_may_publish_and_decide_revisions():
    assert granted("reviewers") == CURATOR_PERMISSIONS | {
        "statements.publish_statement",
        "statements.change_revision",
        "statements.add_annotation",
        "statements.add_adjudication",
        "statements.change_adjudication",
        "statements.add_assignmentrule",
        "statements.change_assignmentrule",
        "statements.delete_assignmentrule",
    }


@pytest.mark.django_db
def test_only_reviewers_may_publish(member):
    assert member("reviewers").has_perm("statements.publish_statement")
    assert not member("curators").has_perm("statements.publish_statement")


@pytest.mark.django_db
@pytest.mark.parametrize("group_name", ["curators", "reviewers"])
def test_a_source_is_never_deleted_by_a_group_member(member, group_name):
    # Statements, actors and topics may be deleted while nothing is on the record about them (the workflow
    # refuses the rest: statements.services, actors.services); a source is only ever corrected.
    assert not member(group_name).has_perm("statements.delete_source")


@pytest.mark.django_db
def test_curators_edit_statements_and_tags_and_read_drafts_and_history(member):
    curator = member("curators")

    assert curator.has_perms(
        [
            "statements.add_statement",
            "statements.change_statement",
            "statements.view_statement",
            "statements.delete_stancetag",
            "statements.view_historicalstatement",
        ]
    )
    assert not curator.has_perm("statements.change_stancecategory")


@pytest.mark.django_db
def test_rerunning_the_migration_changes_nothing():
    before = {name: (Group.objects.get(name=name).pk, granted(name)) for name in ("curators", "reviewers")}

    run_migration_function("create_groups")

    assert Group.objects.filter(name__in=["curators", "reviewers"]).count() == 2
    assert {name: (Group.objects.get(name=name).pk, granted(name)) for name in before} == before


@pytest.mark.django_db
def test_the_reverse_migration_removes_both_groups():
    run_migration_function("delete_groups")

    assert not Group.objects.filter(name__in=["curators", "reviewers"]).exists()


@pytest.mark.django_db
def test_rerunning_the_migration_restores_a_groups_permissions():
    curators = Group.objects.get(name="curators")
    curators.permissions.remove(curators.permissions.get(codename="add_statement"))
    curators.permissions.add(Permission.objects.get(codename="delete_statement"))

    run_migration_function("create_groups")

    assert granted("curators") == CURATOR_PERMISSIONS


@pytest.mark.django_db
def test_the_groups_come_back_after_a_reverse_and_forward_run():
    run_migration_function("delete_groups")
    run_migration_function("create_groups")

    assert granted("curators") == CURATOR_PERMISSIONS
    assert granted("reviewers") == CURATOR_PERMISSIONS | {
        "statements.publish_statement",
        "statements.change_revision",
        "statements.add_annotation",
        "statements.add_adjudication",
        "statements.change_adjudication",
        "statements.add_assignmentrule",
        "statements.change_assignmentrule",
        "statements.delete_assignmentrule",
    }
