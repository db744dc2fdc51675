"""Every example of the README's "Using the API" runs, against a live server with the demo data, and answers
what the README says.

The section's ```sh blocks hold curl commands, run one by one through bash; its ```python blocks run as
scripts in a fresh interpreter. A ```json or ```text block right after one of them is what it answers
or prints, and must be exactly that (JSON compared as data). The examples name the address `make run`
serves, http://127.0.0.1:8000, which the test replaces with the live server's.
"""

import csv
import io
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection
from django.db.models import Max

import pytest

from statements import changes
from statements.demo import load_demo
from statements.models import StatementChange

README = Path(__file__).resolve().parent.parent / "README.md"
README_SERVER = "http://127.0.0.1:8000"
RUNNABLE = {"sh", "python"}
SHOWN = {"json", "text"}
# --fail-with-body: curl exits 22 on an HTTP error, and still prints the body to be checked.
CURLRC = "silent\nshow-error\nfail-with-body\n"
CURL_HTTP_ERROR = 22


def section(text, heading):
    """The text under the `## heading`, up to the next heading of that level."""
    start = text.index(f"\n## {heading}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def examples():
    """[(language, code, shown output or None)] of the section, in order."""
    blocks = re.findall(r"^```(\w*)\n(.*?)^```$", section(README.read_text(), "Using the API"), re.M | re.S)
    found = []
    for language, body in blocks:
        if language in RUNNABLE:
            found.append([language, body, None])
        elif language in SHOWN:
            assert found and found[-1][2] is None, f"a ```{language} block follows no example: {body[:60]!r}"
            found[-1][2] = (language, body)
        else:
            raise AssertionError(f"a ```{language} block in 'Using the API': fence it sh, python, json or text")
    return [tuple(example) for example in found]


EXAMPLES = examples()


def example_id(example):
    language, code, _ = example
    skipped = ("#", "import ", "API = ")
    first = next(line for line in code.splitlines() if line.strip() and not line.startswith(skipped))
    return f"{language}: {first[:70]}"


def commands(code):
    """The shell commands of a block: its lines without comments, continuation lines joined."""
    joined = code.replace("\\\n", " ")
    return [line.strip() for line in joined.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def same_lines(printed, shown):
    """Text as printed, compared line by line without trailing blanks (pandas pads its tables)."""
    return [line.rstrip() for line in printed.strip("\n").splitlines()] == [
        line.rstrip() for line in shown.strip("\n").splitlines()
    ]


@pytest.fixture
def demo_server(live_server):
    """The demo on the live server, its ids from 1 as after `make run` on a fresh database (reset_sequences)."""
    # reset_sequences also set back the sequences of the rows the migrations wrote (groups, the taxonomy),
    # restored since: on PostgreSQL their next row would take a used id. They go on from their rows.
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), apps.get_models(include_auto_created=True)):
            cursor.execute(statement)
    load_demo()
    wait_for_the_sync_feed()
    return live_server.url


def wait_for_the_sync_feed(seconds=60):
    """On PostgreSQL the feed serves a change once every transaction that began before it has ended, in any
    database of the server (another suite running beside this one, say): wait until the demo's changes are served."""
    newest = StatementChange.objects.aggregate(txid=Max("txid"))["txid"]
    deadline = time.monotonic() + seconds
    while (horizon := changes.settled()) is not None and newest is not None and horizon[0] <= newest:
        assert time.monotonic() < deadline, f"a transaction older than the demo's ({newest}) has run for {seconds} s"
        time.sleep(0.2)


@pytest.fixture
def curator_token(demo_server):
    """The API token of a curator, as `manage.py add_curator` and `drf_create_token` make them: $TOKEN."""
    from rest_framework.authtoken.models import Token

    from statements.services import add_curator

    return Token.objects.create(user=add_curator(username="ada", password="readme-password-1")).key


@pytest.fixture
def run_env(tmp_path, curator_token):
    (tmp_path / ".curlrc").write_text(CURLRC)
    return {
        **os.environ,
        "CURL_HOME": str(tmp_path),
        "NO_PROXY": "*",
        "PYTHONIOENCODING": "utf-8",
        "TOKEN": curator_token,
    }


def check_answer(url, body, *, written=False):
    """What every answer of its kind must look like: the shapes of the API's resources, and not empty."""
    path = urlsplit(url).path
    if written:
        answer = json.loads(body)
        assert answer["id"] and answer["version"] and answer["speakers"], answer
        return answer
    if path.endswith("/export/"):
        rows = list(csv.DictReader(io.StringIO(body)))
        assert rows and all(row["uuid"] for row in rows), body[:300]
        return rows
    answer = json.loads(body)
    rows = answer.get("results")
    if path.endswith("/stats/stances/"):
        assert set(answer) == {"group_by", "count", "total", "results"} and answer["total"] > 0, answer
    elif path.endswith("/stats/dyads/"):
        assert rows and all({"speaker", "recipient", "statements"} <= set(row) for row in rows), answer
    elif path.endswith("/statements/changes/"):
        assert rows and answer["next"] and {row["kind"] for row in rows} <= {"upsert", "tombstone"}, answer
    elif match := re.search(r"/statements/(\d+)/$", path):
        assert answer["id"] == int(match[1]) and answer["speakers"], answer
    elif path.endswith("/statements/"):
        assert {"next", "previous", "results"} <= set(answer), answer
        assert rows and all({"id", "speakers", "date", "stance_tags"} <= set(row) for row in rows), answer
    else:
        raise AssertionError(f"no check for {url}: add one")
    return answer


def run_curl_block(code, shown, server, env, cwd):
    lines = commands(code)
    assert lines, "an sh block without a command"
    if shown is not None:
        assert len(lines) == 1, "an answer shown after a block of several commands: whose is it?"
    links_seen = set()
    for line in lines:
        words = shlex.split(line)
        assert words[0] == "curl", f"only curl commands are run: {line}"
        url = next(word for word in words if word.startswith(README_SERVER))
        if "cursor=" in url:
            # A cursor written out in the README must be the one the page before it really gave.
            assert url.replace(README_SERVER, server) in links_seen, f"{url} is no earlier answer's next"
        result = subprocess.run(
            ["bash", "-c", line.replace(README_SERVER, server)],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        output = result.stdout
        if "-o" in words:
            assert result.stdout == ""
            output = (cwd / words[words.index("-o") + 1]).read_text()
        if shown is not None and json.loads(shown[1]).get("status", 200) >= 400:
            assert result.returncode == CURL_HTTP_ERROR, (line, result.stderr, output)
            assert json.loads(output) == json.loads(shown[1])
            continue
        assert result.returncode == 0, (line, result.stderr, output[:500])
        answer = check_answer(url, output, written=bool({"-d", "--data", "--json"} & set(words)))
        if isinstance(answer, dict) and answer.get("next"):
            links_seen.add(answer["next"])
        if shown is not None:
            assert shown[0] == "json", "a curl answer is shown as ```json"
            assert answer == json.loads(shown[1])


def run_python_block(code, shown, server, env, cwd):
    result = subprocess.run(
        [sys.executable, "-c", code.replace(README_SERVER, server)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    printed = result.stdout.replace(server, README_SERVER)
    assert printed.strip(), "the example prints nothing to check"
    if shown is not None:
        assert shown[0] == "text", "what a Python example prints is shown as ```text"
        assert same_lines(printed, shown[1]), f"printed:\n{printed}\nthe README shows:\n{shown[1]}"


def test_the_section_has_curl_and_python_examples_with_their_answers():
    languages = [language for language, _, _ in EXAMPLES]
    curls = [line for language, code, _ in EXAMPLES if language == "sh" for line in commands(code)]

    assert languages.count("python") >= 4 and len(curls) >= 10
    assert sum(shown is not None for _, _, shown in EXAMPLES) >= 5
    for path in ("/statements/export/", "/statements/changes/", "/stats/stances/", "/stats/dyads/"):
        assert any(path in line for line in curls), path


@pytest.mark.django_db(transaction=True, serialized_rollback=True, reset_sequences=True)
@pytest.mark.parametrize("example", EXAMPLES, ids=[example_id(example) for example in EXAMPLES])
def test_readme_example(example, demo_server, run_env, tmp_path):
    language, code, shown = example
    if language == "sh":
        if shutil.which("curl") is None:
            pytest.skip("no curl on this machine (apt-get install curl)")
        run_curl_block(code, shown, demo_server, run_env, tmp_path)
    else:
        run_python_block(code, shown, demo_server, run_env, tmp_path)
