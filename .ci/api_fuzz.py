"""`make api-fuzz`: schemathesis against the API as deployed, gunicorn on a PostgreSQL database of its own.

1. A fresh database `statements_fuzz_<random>` on the server in DATABASE_URL (only its address is used;
   default postgres://postgres@127.0.0.1:5432/), migrated, with the demo and 2,000 generated statements
   (`generate_statements` loads the demo first), a curator with an API token, and the rows that exist listed
   for the hooks.
2. gunicorn serving config.wsgi with DJANGO_DEBUG=0 on a free loopback port, rate limits raised.
3. `schemathesis run` on /api/v1/schema/, positive and negative test cases, every check: once anonymous (the
   reads, as the public sees them), once with the curator's token (every operation, writes included).
   .ci/schemathesis.toml configures the few checks that do not apply, each with its reason, and
   .ci/schemathesis_hooks.py makes positive test cases name rows that exist.
4. gunicorn's log read for server errors: a streamed export that fails half-way has already answered 200.

Exits non-zero on any failure; always stops gunicorn and drops the database. About five minutes on two busy
cores, most of it schemathesis's coverage phase on the statement list and export (22 parameters each).

    .venv/bin/python .ci/api_fuzz.py                            # what CI runs
    .venv/bin/python .ci/api_fuzz.py --max-examples 200         # longer
    .venv/bin/python .ci/api_fuzz.py --only curator --include-path-regex 'topics'   # schemathesis options pass on

A script here rather than a test: it needs a server process, a database of its own and schemathesis's command
line, none of which the pytest suite has (tests/test_api_fuzz.py fuzzes the reads in-process on the suite's
database).
"""

import argparse
import os
import pathlib
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

import psycopg
from psycopg import sql

ROOT = pathlib.Path(__file__).absolute().parent.parent
CONFIG = ROOT / ".ci" / "schemathesis.toml"
SCHEMATHESIS = pathlib.Path(sys.executable).parent / "schemathesis"
CURATOR = "fuzz-curator"

# Run by `manage.py shell`: rows that exist, for the positive test cases (.ci/schemathesis_hooks.py), in the file
# API_FUZZ_KNOWN_VALUES. Actors and topics alternate between those that filters and bodies name and those that
# writes address, so that a write cannot make a later positive case name a row that is gone.
KNOWN_VALUES = """
import json, os
from actors.models import Actor, ActorIdentifier, ActorKind, ActorName
from statements.models import StanceCategory, Statement, StatementIdentifier, Taxonomy, Topic

LIMIT = 300
actors = list(Actor.objects.order_by("pk").values_list("pk", "slug", "kind"))
named, edited = actors[0::2], actors[1::2]
identifiers = {}
for actor_id, scheme, value in ActorIdentifier.objects.values_list("actor_id", "scheme", "value"):
    identifiers.setdefault(actor_id, f"{scheme}:{value}")

def references(rows):
    # Each way an actor parameter names an actor: slug, numeric id, identifier (scheme:value).
    forms = [slug for _, slug, _ in rows] + [str(pk) for pk, _, _ in rows]
    return (forms + [identifiers[pk] for pk, _, _ in rows if pk in identifiers])[:LIMIT]

topics = list(Topic.objects.order_by("pk").values_list("slug", flat=True))
codes = list(StanceCategory.objects.default_taxonomy().order_by("code").values_list("code", flat=True))
statements = list(Statement.objects.order_by("pk").values_list("pk", "uuid")[:LIMIT])
known = {
    "actor": references(named),
    "state": references([row for row in named if row[2] == ActorKind.STATE]),
    "organization": references([row for row in named if row[2] != ActorKind.PERSON]),
    "actor_slug": [slug for _, slug, _ in named][:LIMIT],
    "actor_to_edit": [slug for _, slug, _ in edited][:LIMIT],
    "topic": topics[0::2][:LIMIT],
    "topic_to_edit": topics[1::2][:LIMIT],
    "target": ([slug for _, slug, _ in named][:LIMIT] + topics[0::2])[: 2 * LIMIT],
    # Codes in any case: k1 is K1.
    "category": codes + [code.lower() for code in codes],
    "code": sorted(set(StanceCategory.objects.values_list("code", flat=True))),
    "taxonomy": list(Taxonomy.objects.values_list("slug", flat=True)),
    "statement": [pk for pk, _ in statements],
    "language": sorted(
        {*Statement.objects.values_list("language", flat=True), *ActorName.objects.values_list("language", flat=True)}
        - {""}
    )[:LIMIT],
    "identifier": [f"uuid:{uuid}" for _, uuid in statements]
    + [str(row) for row in StatementIdentifier.objects.order_by("pk")[:LIMIT]],
}
empty = [kind for kind, values in known.items() if not values]
assert not empty, f"no rows of: {empty}"
with open(os.environ["API_FUZZ_KNOWN_VALUES"], "w") as out:
    json.dump(known, out)
"""


def log(message):
    print(f"== api-fuzz: {message}", flush=True)


def server_url():
    url = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres"
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit(f"api-fuzz needs PostgreSQL: DATABASE_URL is {url!r}")
    return re.sub(r"^postgres://", "postgresql://", url)


def with_database(url, name):
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, ""))


def maintenance(url):
    return psycopg.connect(with_database(url, "postgres"), autocommit=True)


def django_env(database_url):
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=database_url,
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="api-fuzz-" + secrets.token_hex(32),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        # The fuzzer sends thousands of requests a minute from one address.
        DJANGO_THROTTLE_ANON="1000000/minute",
        DJANGO_THROTTLE_USER="1000000/minute",
        # Django's own loggers still write each 4xx as a warning; errors_in_log picks out the errors.
        DJANGO_LOG_LEVEL="ERROR",
        PYTHONUNBUFFERED="1",
    )
    return env


def manage(env, *arguments):
    completed = subprocess.run(
        [sys.executable, "manage.py", *arguments], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if completed.returncode != 0:
        sys.exit(f"manage.py {' '.join(arguments)} failed ({completed.returncode}):\n{completed.stderr[-3000:]}")
    return completed.stdout


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_answering(process, base, log_path, seconds=90):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"gunicorn exited ({process.returncode}):\n{log_path.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(f"{base}/api/v1/", timeout=5) as response:
                if response.status == 200:
                    return
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.3)
    sys.exit(f"gunicorn did not answer within {seconds} s:\n{log_path.read_text(errors='replace')[-3000:]}")


def errors_in_log(text):
    """Django's server errors and gunicorn's own (a worker that timed out or died, a response that failed while
    streaming), each with its traceback."""
    lines = text.splitlines()
    found = []
    for index, line in enumerate(lines):
        if line.startswith("Internal Server Error:") or "[ERROR]" in line or "[CRITICAL]" in line:
            end = index + 1
            while end < len(lines) and (lines[end].startswith((" ", "Traceback", "During handling", "The above"))):
                end += 1
            # A traceback ends with the exception, the first line not indented.
            if end > index + 1 and end < len(lines):
                end += 1
            found.append("\n".join(lines[index:end]))
    return found


def main():
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], epilog="Any other option is passed on to `schemathesis run`."
    )
    parser.add_argument("--count", type=int, default=2000, help="generated statements on top of the demo")
    parser.add_argument("--seed", type=int, default=1, help="for the generated data and for schemathesis")
    parser.add_argument("--max-examples", type=int, default=25, help="schemathesis test cases per operation")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers, and schemathesis workers")
    parser.add_argument("--only", choices=["anonymous", "curator"], help="one of the two runs")
    args, passed_on = parser.parse_known_args()

    # A CI runner's SIGTERM still stops gunicorn and drops the database (through the finally below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    url = server_url()
    name = f"statements_fuzz_{secrets.token_hex(4)}"
    database_url = with_database(url, name)
    env = django_env(database_url)
    started = time.monotonic()
    process = None
    failed = []
    with tempfile.TemporaryDirectory(prefix="api-fuzz-") as scratch:
        log_path = pathlib.Path(scratch) / "gunicorn.log"
        try:
            log(f"database {name}: migrate, demo and {args.count} generated statements (seed {args.seed})")
            with maintenance(url) as connection:
                connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            manage(env, "migrate", "--noinput", "--verbosity", "0")
            manage(env, "generate_statements", "--count", str(args.count), "--seed", str(args.seed), "--verbosity", "0")
            manage(env, "add_curator", CURATOR, f"--password={secrets.token_urlsafe(16)}")  # may begin with "-"
            token = re.search(r"Generated token (\w+)", manage(env, "drf_create_token", CURATOR)).group(1)
            known_values = pathlib.Path(scratch) / "known-values.json"
            manage({**env, "API_FUZZ_KNOWN_VALUES": str(known_values)}, "shell", "--command", KNOWN_VALUES)
            # With DEBUG off, static URLs come from the manifest (the browsable API's pages), as deployed.
            manage(env, "collectstatic", "--noinput", "--verbosity", "0")
            log(f"data ready in {time.monotonic() - started:.0f} s")

            port = free_port()
            base = f"http://127.0.0.1:{port}"
            with open(log_path, "w") as gunicorn_log:
                process = subprocess.Popen(
                    [
                        *(sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}"),
                        *("--workers", str(args.workers), "--graceful-timeout", "5", "--log-level", "warning"),
                        "config.wsgi:application",
                    ],
                    cwd=ROOT,
                    env=env,
                    stdout=gunicorn_log,
                    stderr=subprocess.STDOUT,
                )
            wait_until_answering(process, base, log_path)
            log(f"gunicorn on {base} ({args.workers} workers)")

            # Anonymous: the reads, as the public sees them (published statements only). Writes refuse anonymous
            # clients, and the curator run checks that for every write: its ignored_auth check sends each one again
            # without the token and with a wrong one. The curator: every operation, drafts and writes included.
            runs = {
                "anonymous": ["--include-method", "GET"],
                "curator": ["--header", f"Authorization: Token {token}"],
            }
            for label, extra in runs.items():
                if args.only and label != args.only:
                    continue
                log(f"schemathesis, {label}")
                run_started = time.monotonic()
                command = [
                    *(str(SCHEMATHESIS), "--config-file", str(CONFIG), "run", f"{base}/api/v1/schema/"),
                    *("--mode", "all", "--checks", "all", "--max-examples", str(args.max_examples)),
                    *("--seed", str(args.seed), "--workers", str(args.workers), "--no-color"),
                    *extra,
                    *passed_on,
                ]
                fuzz_env = {
                    **os.environ,
                    "PYTHONUNBUFFERED": "1",
                    "API_FUZZ_KNOWN_VALUES": str(known_values),
                    # Hypothesis's own files (it notes the constants of the code it runs) stay out of the project.
                    "HYPOTHESIS_STORAGE_DIRECTORY": str(pathlib.Path(scratch) / "hypothesis"),
                }
                code = subprocess.run(command, cwd=ROOT, env=fuzz_env).returncode
                log(f"schemathesis, {label}: exit {code} after {time.monotonic() - run_started:.0f} s")
                if code != 0:
                    failed.append(f"schemathesis ({label}) exited {code}")
        except KeyboardInterrupt:
            failed.append("interrupted")
        finally:
            if process is not None:
                process.terminate()
                try:
                    process.wait(15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
                problems = errors_in_log(log_path.read_text(errors="replace"))
                if problems:
                    failed.append(f"gunicorn's log holds {len(problems)} errors")
                    print("\n\n".join(problems[:10]), file=sys.stderr)
            try:
                with maintenance(url) as connection:
                    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                    connection.execute(drop)
                log(f"dropped {name}; {time.monotonic() - started:.0f} s in all")
            except psycopg.Error as error:
                failed.append(f"could not drop {name}: {error}")
    if failed:
        log("FAILED: " + "; ".join(failed))
        return 1
    log("passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
