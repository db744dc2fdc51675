"""`manage.py import_statements` as processes on PostgreSQL: killed at any moment it leaves the database as it
was, and two imports of the same file at once store each statement once.

Each test writes a file of a few thousand generated statements, commits what the imports need (the demo, an
importing user), and runs the command in subprocesses pointed at the test database.
"""

import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import quote

from django.contrib.auth import get_user_model
from django.db import connection

import pytest

from actors.models import Actor
from statements.demo import DEMO_CURATOR_USERNAME, load_demo
from statements.models import Statement

ROOT = Path(__file__).resolve().parent.parent
COUNT = 20_000
BATCH_SIZE = "500"

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="kills and concurrent imports run on PostgreSQL"),
    # Committed rows, seen by the subprocesses; the migrations' rows (the taxonomy) come back after each test.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def database_url():
    settings = connection.settings_dict
    password = f":{quote(settings['PASSWORD'])}" if settings.get("PASSWORD") else ""
    host = settings.get("HOST") or "127.0.0.1"
    return f"postgres://{quote(settings['USER'])}{password}@{host}:{settings.get('PORT') or 5432}/{settings['NAME']}"


def write_statements(path, count, seed=1):
    """An NDJSON file of `count` new draft statements between demo actors, a source for every three."""
    rng = random.Random(seed)
    slugs = sorted(Actor.objects.values_list("slug", flat=True))
    with path.open("w", encoding="utf-8") as file:
        for number in range(count):
            values = {
                "uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "identifiers": [f"load:{number}"],
                "date": f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                "date_precision": "day",
                "channel": rng.choice(["speech", "press_conference", "written_statement"]),
                "speakers": rng.sample(slugs, rng.randint(1, 2)),
                "recipients": rng.sample(slugs, rng.randint(0, 2)),
                "topics": [],
                "text": f"Statement number {number} expresses concern.",
                "is_direct_quote": False,
                "language": "en",
                "summary": "",
                "sources": [{"url": f"https://example.org/load/{number // 3}", "publisher": "Load test"}],
                "stance_tags": [
                    {"category": "K1", "target_actor": rng.choice(slugs), "curator": DEMO_CURATOR_USERNAME}
                ],
                "status": "draft",
                "created_at": "2025-12-12T00:00:00Z",
            }
            file.write(json.dumps(values) + "\n")


@pytest.fixture
def statements_file(tmp_path):
    load_demo()
    get_user_model().objects.create_superuser("importer", "importer@example.org", "importer-password-1")
    path = tmp_path / "statements.ndjson"
    write_statements(path, COUNT)
    return path


def start_import(path):
    """`manage.py import_statements` of `path` as a process writing to the test database."""
    return subprocess.Popen(
        [sys.executable, "manage.py", "import_statements", str(path), "--user", "importer", "--batch-size", BATCH_SIZE],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url(), "DJANGO_SETTINGS_MODULE": "config.settings"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def summary(output):
    """The last line's counts: {"read": …, "inserted": …, …}."""
    last = output.decode().strip().splitlines()[-1]
    return {name: int(number) for name, number in re.findall(r"(\w+) (\d+)", last)}


class Progress:
    """Reads a process's progress bar (tqdm on stderr) as it is drawn: how many statements are done."""

    def __init__(self, process):
        self.text = ""
        self.reader = threading.Thread(target=self.read, args=(process.stderr,), daemon=True)
        self.reader.start()

    def read(self, stream):
        while chunk := stream.read1(4096):
            self.text += chunk.decode(errors="replace")

    def statements(self):
        counts = re.findall(r"([\d.]+)(k?)statements ", self.text)
        if not counts:
            return 0
        number, thousands = counts[-1]
        return float(number) * (1000 if thousands else 1)


def table_checksums():
    """{table: (rows, md5 of every row)} for every table of the database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
        tables = [name for (name,) in cursor.fetchall()]
        checksums = {}
        for table in tables:
            name = connection.ops.quote_name(table)
            every_row = "coalesce(string_agg(t::text, '|' ORDER BY t::text), '')"
            cursor.execute(f"SELECT count(*), md5({every_row}) FROM {name} t")
            checksums[table] = cursor.fetchone()
    return checksums


def test_an_import_killed_halfway_leaves_every_table_as_it_was_and_a_rerun_completes_it(statements_file):
    before = table_checksums()
    process = start_import(statements_file)
    progress = Progress(process)
    deadline = time.monotonic() + 120
    while progress.statements() < 2000 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    under_way = progress.statements()
    process.send_signal(signal.SIGKILL)
    output, _ = process.communicate(timeout=60)

    assert 2000 <= under_way < COUNT, progress.text[-500:]
    assert process.returncode == -signal.SIGKILL
    assert b"inserted" not in output
    assert table_checksums() == before

    rerun = start_import(statements_file)
    output, errors = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, errors.decode()[-2000:]
    assert summary(output) == {"read": COUNT, "inserted": COUNT, "updated": 0, "unchanged": 0, "rejected": 0}
    assert Statement.objects.filter(identifiers__scheme="load").count() == COUNT


def test_two_imports_of_the_same_file_at_once_store_each_statement_once(statements_file):
    before = Statement.objects.count()
    first, second = start_import(statements_file), start_import(statements_file)
    outputs = [process.communicate(timeout=300) for process in (first, second)]

    for process, (_, errors) in zip((first, second), outputs, strict=True):
        assert process.returncode == 0, errors.decode()[-2000:]
    counts = sorted((summary(output) for output, _ in outputs), key=lambda counts: counts["inserted"])
    # The second waited for the first (an advisory lock), then found every statement stored and unchanged.
    assert counts == [
        {"read": COUNT, "inserted": 0, "updated": 0, "unchanged": COUNT, "rejected": 0},
        {"read": COUNT, "inserted": COUNT, "updated": 0, "unchanged": 0, "rejected": 0},
    ]
    assert Statement.objects.count() == before + COUNT
    assert Statement.objects.values("uuid").distinct().count() == before + COUNT
