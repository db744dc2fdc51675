"""`make bench`: the project's read path against the raw-SQL baseline, on PostgreSQL, served by gunicorn.

For each dataset size: a database generated with `generate_statements` (reused when it was generated
with the same count, seed, generator and migrations), one gunicorn serving both the project and the
baseline (`benchmarks/wsgi.py`), then every figure of benchmarks/README.md, with project and baseline
requests interleaved and each pair of bodies compared byte for byte. Prints a table per size and
writes `benchmarks/results/<UTC time>-<size>.json`, `benchmarks/results/latest.md` and the table in
benchmarks/README.md.

    python -m benchmarks.run                      # 100,000 and 1,000,000 statements
    python -m benchmarks.run --sizes 100000 --samples 30
    python -m benchmarks.run --smoke              # ~3,000 statements, correctness only, writes nothing

Exits non-zero on a body mismatch, an unexpected HTTP status or a crash; goals are reported, not
asserted (unless --strict), since timings on a shared machine are noisy.

The parts: databases.py (generation, reuse, the figures' parameters), serving.py (gunicorn, one timed
request), figures.py (what is measured), report.py (the tables), inprocess.py (what needs Django
in-process: query counts, the admin user), baseline.py and wsgi.py (what is served).
"""

import argparse
import datetime
import json
import os
import pathlib
import re
import shutil
import sys
import tempfile

from benchmarks import BenchError
from benchmarks.bulk import export_figure, import_figures, memory_figure
from benchmarks.databases import choose_fixtures, django_env, ensure_database, manage, run_inprocess, vacuum_analyze
from benchmarks.figures import LIST, Bench, latency_figures, query, statement_timeout
from benchmarks.report import (
    RESULTS_DIR,
    gunicorn_version,
    machine_facts,
    markdown,
    one_line,
    project_commit,
    write_results,
)
from benchmarks.serving import Server

SMOKE_SIZE = 3000


def run_size(args, server_url, size, log_dir, out):
    name, url = ensure_database(server_url, size, args.seed, out)
    out("VACUUM ANALYZE")
    vacuum_analyze(url)
    env = django_env(url)
    prepared = run_inprocess(env, "prepare")
    fixtures = choose_fixtures(url, prepared["synthetic"])
    out("fixtures: " + json.dumps(fixtures, ensure_ascii=False))

    result = {
        "size": size,
        "seed": args.seed,
        "database": name,
        "smoke": args.smoke,
        "stamp": datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ"),
        "machine": machine_facts(server_url),
        "server": {"gunicorn": gunicorn_version(), "workers": args.workers, "worker_class": args.worker_class},
        "settings": {
            "samples": args.samples,
            "warmup": args.warmup,
            "duration_s": args.duration,
            "clients": args.clients,
            "timeout_ms": args.timeout_ms,
        },
        "project_commit": project_commit(),
        "fixtures": fixtures,
        "figures": [],
    }
    problems = []
    server = Server(env, args.workers, args.worker_class, log_dir, f"{size}")
    try:
        server.wait_ready()
        bench = Bench(args, server, out)
        out(f"gunicorn on port {server.port}: {args.workers} {args.worker_class} workers")
        speaker_path = query(speaker=fixtures["speaker"], stance=fixtures["family"], date_after=fixtures["date_after"])
        bench.warm_server([path for _, _, path, _ in latency_figures(fixtures)], args.warm_seconds)
        result["figures"] += bench.latency(fixtures)
        result["figures"].append(bench.throughput(speaker_path, args.clients, args.duration, args.rounds))
        cursor_page_size = 50 if fixtures["published"] >= 201 * 50 else max(1, fixtures["published"] // 220)
        result["figures"].append(bench.cursor_depth(cursor_page_size))
        result["figures"] += bench.admin(fixtures, prepared["username"], prepared["password"])
        problems += bench.problems
    finally:
        server.stop()
        if server.process.returncode not in (0, -15, None):
            problems.append(f"gunicorn ended with {server.process.returncode}:\n{server.log_tail()}")

    counts = run_inprocess(env, "queries", LIST, speaker_path)
    same = all(len(set(by_size.values())) == 1 for by_size in counts.values())
    figure = {
        "key": "queries",
        "label": "queries per list request at page_size 1, 50, 500 (in-process)",
        "counts": counts,
        "names": {LIST: "first page", speaker_path: "speaker + stance + date"},
        "goal": "the same at every page size",
        "met": same,
    }
    out("  " + one_line(figure))
    result["figures"].append(figure)

    figure, timeout_problems = statement_timeout(args, env, fixtures, log_dir, out)
    result["figures"].append(figure)
    problems += timeout_problems

    out("bulk figures")
    figure = export_figure(env, url, size, fixtures["published"], log_dir, out)
    out("  " + one_line(figure))
    result["figures"].append(figure)
    for figure in import_figures(server_url, name, prepared["username"], out):
        out("  " + one_line(figure))
        result["figures"].append(figure)
    result["finished_at"] = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    result["problems"] = problems
    return result


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="~3,000 statements, few samples, 2 s load, no results")
    parser.add_argument(
        "--sizes", default=os.environ.get("BENCH_SIZES", "100000,1000000"), help="statements, comma-separated"
    )
    parser.add_argument("--seed", type=int, default=int(os.environ.get("BENCH_SEED", "1")), help="generator seed")
    parser.add_argument("--samples", type=int, help="timed requests per side and figure (default 40; smoke 5)")
    parser.add_argument("--warmup", type=int, help="untimed requests per side and figure (default 2 per worker)")
    parser.add_argument("--duration", type=float, help="seconds of load per side (default 20; smoke 2)")
    parser.add_argument("--warm-seconds", type=float, help="concurrent load before timing (default 10; smoke 2)")
    parser.add_argument("--rounds", type=int, help="the load alternates project and baseline this often (default 2)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients of the load test")
    parser.add_argument(
        "--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="gunicorn workers (default 2 × cores + 1)"
    )
    parser.add_argument("--worker-class", default="sync", help="gunicorn worker class")
    parser.add_argument("--timeout-ms", type=int, default=1, help="DJANGO_STATEMENT_TIMEOUT of the second server")
    parser.add_argument("--timeout-slack-ms", type=int, default=500)
    parser.add_argument(
        "--results-dir", type=pathlib.Path, default=RESULTS_DIR, help="elsewhere: the README is left alone"
    )
    parser.add_argument("--strict", action="store_true", help="also exit non-zero when a goal is not met")
    args = parser.parse_args(argv)
    smoke = args.smoke
    args.sizes = [SMOKE_SIZE] if smoke else [int(size.replace("_", "")) for size in args.sizes.split(",") if size]
    args.samples = args.samples or (5 if smoke else 40)
    args.warmup = args.warmup if args.warmup is not None else (2 if smoke else 2 * args.workers)
    args.duration = args.duration or (2.0 if smoke else 20.0)
    args.rounds = args.rounds or (1 if smoke else 2)
    args.warm_seconds = args.warm_seconds if args.warm_seconds is not None else (2.0 if smoke else 10.0)
    return args


def main(argv=None):
    args = parse_arguments(argv)
    database_url = os.environ.get("DATABASE_URL", "")
    if not re.match(r"^(postgres|postgresql|pgsql|postgis)://", database_url):
        print(
            "make bench needs PostgreSQL: set DATABASE_URL, e.g.\n"
            "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres make bench\n"
            "Only the server is used: the benchmark makes its own databases (statements_bench_<count>_s<seed>).",
            file=sys.stderr,
        )
        return 2

    def out(message):
        print(message, flush=True)

    log_dir = tempfile.mkdtemp(prefix="bench-logs-")
    out(f"benchmark: sizes {args.sizes}, seed {args.seed}, {args.samples} samples, logs in {log_dir}")
    manage("collectstatic", "--noinput", "--verbosity", "0", env=django_env(database_url), quiet=True)
    results, problems = [], []
    try:
        for size in args.sizes:
            out(f"\n== {size:,} statements")
            result = run_size(args, database_url, size, log_dir, out)
            results.append(result)
            figure = memory_figure(results)
            if figure is not None:
                out("  " + one_line(figure))
                result["figures"].append(figure)
            problems += result["problems"]
            out("\n" + markdown(result))
    except BenchError as error:
        problems.append(str(error))
    if results and not args.smoke:
        write_results(results, args.results_dir, out)
    if problems:
        out(f"\nFAILED: {len(problems)} problem(s):")
        for problem in problems:
            out(f"- {problem}")
        return 1
    unmet = [figure["label"] for result in results for figure in result["figures"] if not figure["met"]]
    if unmet:
        out(f"\n{len(unmet)} goal(s) not met: " + "; ".join(unmet))
        if args.strict:
            return 1
    shutil.rmtree(log_dir, ignore_errors=True)
    out("\nbenchmark finished: every body equal, every request answered")
    return 0


if __name__ == "__main__":
    sys.exit(main())
