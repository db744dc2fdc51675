"""`generate_statements`: synthetic data for benchmarks, the same for a seed, written as `save()` would."""

import datetime
import hashlib
import io
import os
import pickle
import statistics
import subprocess
import sys
from collections import Counter
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Count

import pytest

from actors.models import Actor, ActorKind, Role
from statements import synthetic
from statements.demo import DEMO_CURATOR_USERNAME, load_demo
from statements.models import Channel, Citation, DatePrecision, StanceTag, Statement, Status, first_day

# The timestamps that `save()` stamps with the clock; everything else must match.
CLOCK_COLUMNS = {"created_at", "updated_at"}


@pytest.fixture
def base(db):
    """The database as the generator finds it after the demo: what its rows build on."""
    load_demo()
    return synthetic.read_base(synthetic.create_curators())


def all_rows(data):
    """Every row of `data` by table name, the statement chunks joined."""
    rows = {name: list(table_rows) for name, table_rows in data.reference_rows().items()}
    for chunk in data.statement_chunks(size=40):
        for name, table_rows in chunk.items():
            rows.setdefault(name, []).extend(table_rows)
    return rows


def as_dicts(name, rows):
    return [dict(zip(synthetic.TABLES[name].columns, row, strict=True)) for row in rows]


def generate(count, seed=1, verbosity=0):
    out = io.StringIO()
    call_command("generate_statements", count=count, seed=seed, verbosity=verbosity, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def synthetic_statements():
    return Statement.objects.filter(created_by__username__startswith=synthetic.CURATOR_USERNAME_PREFIX)


# --- the rows are what save() would write ---


def test_every_model_column_is_generated():
    for table in synthetic.TABLES.values():
        model_columns = {field.attname for field in table.model._meta.concrete_fields if not field.generated}
        assert set(table.columns) == model_columns, table.name


def snapshot(rows):
    """The generated rows as the database holds them, every column but the clock's, in id order."""
    found = {}
    for name, table in synthetic.TABLES.items():
        ids = [row[0] for row in rows[name]]
        columns = [column for column in table.columns if column not in CLOCK_COLUMNS]
        found[name] = list(table.model.objects.filter(pk__in=ids).order_by("pk").values(*columns))
        assert len(found[name]) == len(ids), name
    return found


def save_through_the_models(rows):
    """Each generated row again through `create()`, given only what a curator types: save() derives the rest."""
    for name, table in synthetic.TABLES.items():
        for values in as_dicts(name, rows[name]):
            for derived in ("name_folded", "folded", "version", *CLOCK_COLUMNS):
                values.pop(derived, None)
            if name == "statements" and values["date_precision"] != DatePrecision.DAY:
                # A day inside the month or year: save() must keep the month's or year's first day.
                day = values["date"]
                values["date"] = (
                    day.replace(day=17)
                    if values["date_precision"] == DatePrecision.MONTH
                    else day.replace(month=8, day=17)
                )
            table.model.objects.create(**values)


def test_generated_rows_equal_the_rows_saved_through_the_models(base):
    data = synthetic.SyntheticData(base, 60, seed=3)
    rows = all_rows(data)
    with transaction.atomic():
        synthetic.write(data, synthetic.Report())
        written = snapshot(rows)
        # Stored as generated, timestamps included: neither writer stamps the clock on a row.
        for name, table in synthetic.TABLES.items():
            stored = table.model.objects.filter(pk__in=[row[0] for row in rows[name]]).order_by("pk")
            assert list(stored.values_list(*table.columns)) == rows[name], name
        transaction.set_rollback(True)
    assert not Actor.objects.filter(pk__in=[row[0] for row in rows["actors"]]).exists()

    save_through_the_models(rows)

    assert snapshot(rows) == written
    assert written["statements"] and written["actor names"] and written["topic aliases"] and written["stance tags"]


def test_statement_dates_are_stored_at_the_first_day_of_their_precision_with_version_1(base):
    rows = as_dicts("statements", all_rows(synthetic.SyntheticData(base, 300, seed=2))["statements"])

    assert {row["date_precision"] for row in rows} == set(DatePrecision.values)
    assert all(row["date"] == first_day(row["date"], row["date_precision"]) for row in rows)
    assert all(synthetic.FIRST_DAY.replace(day=1) <= row["date"] <= synthetic.LAST_DAY for row in rows)
    assert {row["version"] for row in rows} == {1}
    assert all(row["date"] <= row["created_at"].date() for row in rows)
    assert max(row["created_at"] for row in rows) <= synthetic.REFERENCE_TIME


# --- the same seed, the same data ---


def test_the_same_seed_gives_the_same_rows_and_another_seed_other_rows(base):
    first = all_rows(synthetic.SyntheticData(base, 150, seed=5))

    assert all_rows(synthetic.SyntheticData(base, 150, seed=5)) == first
    other = all_rows(synthetic.SyntheticData(base, 150, seed=6))
    assert other["statements"] != first["statements"]
    assert other["actors"] != first["actors"]


def test_the_rows_do_not_depend_on_ids_already_taken(base):
    """Ids aside, a database whose tables hold more rows gets the same data from the same seed."""
    moved = synthetic.Base(**{**base.__dict__, "first_ids": dict.fromkeys(synthetic.TABLES, 10_000)})
    here, there = all_rows(synthetic.SyntheticData(base, 80, seed=4)), all_rows(synthetic.SyntheticData(moved, 80, 4))

    for name, columns in (("actors", slice(1, 5)), ("statements", slice(1, 10)), ("sources", slice(1, 5))):
        assert [row[columns] for row in here[name]] == [row[columns] for row in there[name]], name


DIGEST = """
import hashlib, pickle, sys
import django
django.setup()
from statements import synthetic
base = pickle.loads(sys.stdin.buffer.read())
data = synthetic.SyntheticData(base, 200, seed=8)
digest = hashlib.sha256(repr(data.reference_rows()).encode())
for chunk in data.statement_chunks():
    digest.update(repr(chunk).encode())
print(digest.hexdigest())
"""


def test_the_rows_do_not_depend_on_the_order_sets_iterate_in(base):
    """Two processes with different string hashing (so different set orders) build the same rows."""
    data = synthetic.SyntheticData(base, 200, seed=8)
    digest = hashlib.sha256(repr(data.reference_rows()).encode())
    for chunk in data.statement_chunks():
        digest.update(repr(chunk).encode())
    digests = set()
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed, "DJANGO_SETTINGS_MODULE": "config.settings"}
        result = subprocess.run(
            [sys.executable, "-c", DIGEST],
            input=pickle.dumps(base),
            capture_output=True,
            env=env,
            cwd=Path(__file__).resolve().parent.parent,
            check=True,
        )
        digests.add(result.stdout.decode().strip())
    assert digests == {digest.hexdigest()}


# --- counts and shape ---


def test_a_run_writes_each_statement_with_one_citation_and_one_to_four_tags(db):
    generate(250, seed=1)

    statements = synthetic_statements()
    assert statements.count() == 250
    assert Citation.objects.filter(statement__in=statements).count() == 250
    assert not statements.annotate(citations_count=Count("citations")).exclude(citations_count=1).exists()
    tag_counts = Counter(statements.annotate(tags=Count("stance_tags")).values_list("tags", flat=True))
    assert set(tag_counts) <= {1, 2, 3, 4}
    assert not statements.annotate(speakers_count=Count("speakers")).filter(speakers_count=0).exists()
    # Sources are shared: about one for every two or three statements.
    sources = set(Citation.objects.filter(statement__in=statements).values_list("source", flat=True))
    assert 250 / 4 < len(sources) < 250 / 1.5
    curators = get_user_model().objects.filter(username__startswith=synthetic.CURATOR_USERNAME_PREFIX)
    assert curators.count() == synthetic.CURATOR_COUNT
    assert not curators.filter(is_active=True).exists()
    assert not any(curator.has_usable_password() for curator in curators)
    assert Actor.objects.filter(country__slug=synthetic.BUSY_STATE_SLUG).exists()


def test_shares_of_statuses_languages_words_and_speakers_in_a_large_run(base):
    data = synthetic.SyntheticData(base, 20_000, seed=11)
    rows = all_rows(data)
    statements = as_dicts("statements", rows["statements"])
    share = lambda test: sum(1 for row in statements if test(row)) / len(statements)  # noqa: E731

    assert 0.04 < share(lambda row: row["status"] in (Status.DRAFT, Status.IN_REVIEW)) < 0.06
    assert 0.003 < share(lambda row: row["status"] == Status.RETRACTED) < 0.008
    assert 0.08 < share(lambda row: row["date_precision"] == DatePrecision.MONTH) < 0.12
    assert 0.02 < share(lambda row: row["date_precision"] == DatePrecision.YEAR) < 0.04
    assert 0.03 < share(lambda row: row["language"] in ("ja", "zh-Hans")) < 0.05
    assert 0.03 < share(lambda row: synthetic.COMMON_WORD in row["text"].lower()) < 0.05
    assert share(lambda row: synthetic.RARE_WORD in row["text"].lower()) < 0.001
    cjk = [row for row in statements if row["language"] != "en"]
    assert sum(synthetic.CJK_WORD in row["text"] for row in cjk) > len(cjk) / 2
    english = [row for row in statements if row["language"] == "en"]
    assert all(30 <= len(row["text"].split()) <= 50 and 8 <= len(row["summary"].split()) <= 15 for row in english)
    assert {row["channel"] for row in statements} == set(Channel.values)

    tags = Counter(row[1] for row in rows["stance tags"])
    assert 2.3 < statistics.mean(tags.values()) < 2.7
    assert 2 < len(statements) / len(rows["sources"]) < 3

    spoken = Counter(actor for _, _, actor in rows["statement speakers"])
    busy = next(actor.id for actor in base.actors if actor.slug == synthetic.BUSY_STATE_SLUG)
    busiest, most = spoken.most_common(1)[0]
    assert busiest == busy
    assert most > 20 * statistics.median(spoken.values())
    assert Counter(Counter(statement for _, statement, _ in rows["statement speakers"]).values()).keys() <= {1, 2, 3}


def test_every_category_of_the_taxonomy_is_tagged_within_the_constraints(base):
    rows = as_dicts("stance tags", all_rows(synthetic.SyntheticData(base, 3_000, seed=12))["stance tags"])

    assert {row["category_id"] for row in rows} == {category_id for category_id, _ in base.categories}
    assert all(row["target_actor_id"] is None or row["target_topic_id"] is None for row in rows)
    keys = [(row["statement_id"], row["category_id"], row["target_actor_id"], row["target_topic_id"]) for row in rows]
    assert len(keys) == len(set(keys))
    assert all(0 <= row["intensity"] <= 4 for row in rows)
    assert all(row["intensity"] == 0 for row in rows if row["polarity"] in ("neutral", "unclear"))


def test_persons_hold_one_to_three_roles_each_ending_after_it_starts(base):
    data = synthetic.SyntheticData(base, 100, seed=13)
    roles = as_dicts("roles", data.reference_rows()["roles"])
    persons = {row[0] for row in data.reference_rows()["actors"] if row[4] == ActorKind.PERSON}

    assert set(Counter(role["person_id"] for role in roles).values()) <= {1, 2, 3}
    assert {role["person_id"] for role in roles} == persons
    assert all(role["end_date"] is None or role["end_date"] >= role["start_date"] for role in roles)
    keys = [(role["person_id"], role["organization_id"], role["title"], role["start_date"]) for role in roles]
    assert len(keys) == len(set(keys))
    assert any(role["end_date"] is None for role in roles)


def test_japanese_chinese_and_korean_actors_carry_native_and_romanized_names(base):
    data = synthetic.SyntheticData(base, 100, seed=14)
    actors = {row["id"]: row for row in as_dicts("actors", data.reference_rows()["actors"])}
    names = Counter()
    for row in as_dicts("actor names", data.reference_rows()["actor names"]):
        names[actors[row["actor_id"]]["kind"], row["language"]] += 1

    for language in ("ja", "zh-Hans", "ko"):
        assert names[ActorKind.PERSON, language] and names[ActorKind.GOVERNMENT_BODY, language], language
    assert names[ActorKind.PERSON, "ja-Latn"]


def test_the_state_with_bodies_has_about_200_of_them_four_levels_deep(base):
    data = synthetic.SyntheticData(base, 40_000, seed=15)  # from this size on, the whole tree is built
    state = next(actor.id for actor in base.actors if actor.slug == synthetic.STATE_WITH_BODIES)
    # kind, country and parent of every actor; the demo's one body of China, its coast guard, sits right under it.
    actors = {actor.id: (actor.kind, actor.country_id, actor.country_id) for actor in base.actors}
    actors |= {row[0]: (row[4], row[5], row[6]) for row in data.reference_rows()["actors"]}
    bodies = Counter(
        country for kind, country, _ in actors.values() if kind in (ActorKind.GOVERNMENT_BODY, ActorKind.MILITARY)
    )

    def depth(actor_id):
        return 0 if actor_id == state else 1 + depth(actors[actor_id][2])

    assert 190 <= bodies[state] <= 210
    assert bodies.most_common(2)[1][1] < bodies[state]
    state_bodies = [
        actor_id
        for actor_id, (kind, country, _) in actors.items()
        if country == state and kind in (ActorKind.GOVERNMENT_BODY, ActorKind.MILITARY)
    ]
    assert max(depth(actor_id) for actor_id in state_bodies) == 4


# --- the command ---


def test_a_second_run_refuses_and_writes_nothing(db):
    generate(30, seed=1)
    before = {model: model.objects.count() for model in (Actor, Statement, StanceTag, Role, get_user_model())}

    with pytest.raises(CommandError, match="fresh database"):
        generate(30, seed=2)

    assert {model: model.objects.count() for model in before} == before
    assert Statement.objects.filter(created_by__username=DEMO_CURATOR_USERNAME).count() == 8


def test_a_failure_writes_nothing_not_even_the_demo(db, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(synthetic.StatementRows, "add_tags", fail)

    with pytest.raises(RuntimeError):
        generate(30, seed=1)

    assert not Statement.objects.exists()
    assert not Actor.objects.exists()
    assert not get_user_model().objects.exists()


def test_the_command_reports_what_it_created_and_how_long_it_took(db):
    output = generate(40, seed=3)

    assert "statements: 40 created" in output
    assert "citations: 40 created" in output
    assert f"users: {synthetic.CURATOR_COUNT} curators created" in output
    assert "actors: 400 created" in output
    assert "Took " in output
    assert synthetic.RARE_WORD in output and synthetic.BUSY_STATE_SLUG in output


@pytest.mark.parametrize(
    "arguments", [["--count", "0"], ["--count", "-3"], ["--count", "many"], [], ["--count", "5", "--seed", "x"]]
)
def test_bad_arguments_are_a_command_error(db, arguments):
    with pytest.raises(CommandError):
        call_command("generate_statements", *arguments, stdout=io.StringIO(), stderr=io.StringIO())
    assert not Statement.objects.exists()


def test_ids_continue_after_the_generated_rows(db):
    generate(20, seed=1)
    highest = Statement.objects.order_by("-pk").values_list("pk", flat=True).first()

    statement = Statement.objects.create(date=datetime.date(2025, 12, 12), channel="speech", text="Later.")
    actor = Actor.objects.create(slug="a-later-actor", name="A later actor", kind=ActorKind.PERSON)

    assert statement.pk > highest
    assert actor.pk > max(Actor.objects.exclude(pk=actor.pk).values_list("pk", flat=True))


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY and index rebuilding are PostgreSQL's")
def test_the_indexes_dropped_for_copy_come_back_as_they_were(base):
    tables = [synthetic.TABLES[name].model._meta.db_table for name in synthetic.STATEMENT_TABLES]
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s)", [tables])
        before = set(cursor.fetchall())
        report = synthetic.Report()
        synthetic.write(synthetic.SyntheticData(base, 30, seed=1), report, rebuild_indexes=True)
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s)", [tables])
        after = set(cursor.fetchall())

    assert after == before
    assert len(report.rebuilt_indexes) >= 10
    assert Statement.objects.count() == 30 + 8
