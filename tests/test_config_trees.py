"""Subtrees answered by one recursive query, at any depth, and safe against a cycle."""

from actors.models import Actor, ActorKind
from config.trees import subtree_ids
from tests.factories import make_actor


def chain(depth):
    """A state and a chain of `depth` bodies, each under the previous one."""
    parent = make_actor("State", kind=ActorKind.STATE)
    nodes = [parent]
    for level in range(depth):
        parent = make_actor(f"Body {level}", kind=ActorKind.GOVERNMENT_BODY, parent=parent)
        nodes.append(parent)
    return nodes


def test_a_deep_subtree_is_one_query(db, django_assert_num_queries):
    nodes = chain(8)
    make_actor("Elsewhere", kind=ActorKind.STATE)

    with django_assert_num_queries(1):
        ids = subtree_ids(Actor.objects.filter(pk=nodes[0].pk))

    assert ids == {node.pk for node in nodes}


def test_within_keeps_only_its_own_rows(db):
    nodes = chain(2)
    person = make_actor("Someone", kind=ActorKind.PERSON, parent=nodes[-1])

    ids = subtree_ids(Actor.objects.filter(pk=nodes[0].pk), within=Actor.objects.exclude(kind=ActorKind.PERSON))

    assert person.pk not in ids
    assert ids == {node.pk for node in nodes}


def test_a_cycle_written_past_validation_ends(db):
    top, middle, bottom = chain(2)
    # update() skips clean(): the walk must still stop where it has been before.
    Actor.objects.filter(pk=top.pk).update(parent=bottom)

    assert subtree_ids(Actor.objects.filter(pk=middle.pk)) == {top.pk, middle.pk, bottom.pk}


def test_no_roots_is_no_tree(db):
    chain(1)

    assert subtree_ids(Actor.objects.filter(pk__in=[])) == set()
