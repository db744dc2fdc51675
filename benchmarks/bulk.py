"""The bulk figures: the streaming CSV export over HTTP against `COPY (…) TO STDOUT`, and the import of the
whole dataset from NDJSON into an empty database (then again, changing nothing) against `COPY … FROM STDIN`
of the rows it wrote.

Export: one gunicorn with one sync worker (its timeout lifted: an export is one long request), fresh for
each size, serves `/api/v1/statements/export/?format=csv` to an anonymous client (the published
statements); the baseline is one SQL query that builds the same columns (lists joined by " | ", sources
and tags as JSON, the role each speaker held on the date), streamed by COPY in CSV. Both are read to
the last byte and thrown away. The worker's peak memory (VmHWM) after the export is compared across
sizes.

Import: `manage.py export_statements --format ndjson` writes every statement of the bench database to a
file; a copy of the database (CREATE DATABASE … TEMPLATE) has its statements, their parts, sources and
history emptied; `manage.py import_statements --status file` loads the file, then loads it again (it
must find everything unchanged). The baseline: every row the import wrote (statements, their parts,
sources, history) dumped with COPY TO, the tables emptied again, and the same rows loaded with
`COPY FROM STDIN` in one transaction, indexes and constraints in place as they were for the import.
"""

import pathlib
import re
import subprocess
import sys
import tempfile
import time

import psycopg
from psycopg import sql

from benchmarks import BenchError
from benchmarks.databases import ROOT, django_env, libpq_url, maintenance_connection, with_database
from benchmarks.serving import Server

EXPORT_PATH = "/api/v1/statements/export/?format=csv"
READ_SIZE = 1 << 20

# The export's statement columns, built by SQL as `statements.exchange` writes them.
EXPORT_SQL = """
SELECT
  s.uuid,
  coalesce((SELECT string_agg(i.scheme || ':' || i.value, ' | ' ORDER BY i.scheme, i.value)
            FROM statements_statementidentifier i WHERE i.statement_id = s.id), '') AS identifiers,
  s.date, s.date_precision, s.channel,
  coalesce(sp.slugs, '') AS speakers, coalesce(sp.names, '') AS speaker_names, coalesce(sp.roles, '') AS speaker_roles,
  coalesce((SELECT string_agg(a.slug, ' | ' ORDER BY r.id) FROM statements_statementrecipient r
            JOIN actors_actor a ON a.id = r.actor_id WHERE r.statement_id = s.id), '') AS recipients,
  coalesce((SELECT string_agg(a.name, ' | ' ORDER BY r.id) FROM statements_statementrecipient r
            JOIN actors_actor a ON a.id = r.actor_id WHERE r.statement_id = s.id), '') AS recipient_names,
  coalesce((SELECT string_agg(t.slug, ' | ' ORDER BY t.slug) FROM statements_statementtopic st
            JOIN statements_topic t ON t.id = st.topic_id WHERE st.statement_id = s.id), '') AS topics,
  s.text, CASE WHEN s.is_direct_quote THEN 'true' ELSE 'false' END AS is_direct_quote, s.language, s.summary,
  coalesce((SELECT json_agg(json_build_object('url', so.url, 'publisher', so.publisher, 'title', so.title,
                                              'published_on', so.published_on, 'attribution', c.attribution)
                            ORDER BY c.id)
            FROM statements_citation c JOIN statements_source so ON so.id = c.source_id
            WHERE c.statement_id = s.id), '[]') AS sources,
  coalesce((SELECT json_agg(json_build_object('category', k.code, 'target_actor', ta.slug, 'target_topic', tt.slug,
                                              'polarity', g.polarity, 'intensity', g.intensity, 'curator', u.username)
                            ORDER BY g.id)
            FROM statements_stancetag g JOIN statements_stancecategory k ON k.id = g.category_id
            LEFT JOIN actors_actor ta ON ta.id = g.target_actor_id
            LEFT JOIN statements_topic tt ON tt.id = g.target_topic_id
            JOIN auth_user u ON u.id = g.curator_id
            WHERE g.statement_id = s.id), '[]') AS stance_tags,
  s.status, to_char(s.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_at
FROM statements_statement s
LEFT JOIN LATERAL (
  SELECT string_agg(a.slug, ' | ' ORDER BY sp.id) AS slugs, string_agg(a.name, ' | ' ORDER BY sp.id) AS names,
         string_agg(coalesce((SELECT ro.title || ', ' || o.name FROM actors_role ro JOIN actors_actor o
                                ON o.id = ro.organization_id
                              WHERE ro.person_id = a.id AND ro.start_date <= s.date
                                AND (ro.end_date IS NULL OR ro.end_date >= s.date)
                              ORDER BY ro.start_date DESC, ro.id LIMIT 1), ''), ' | ' ORDER BY sp.id) AS roles
  FROM statements_statementspeaker sp JOIN actors_actor a ON a.id = sp.actor_id WHERE sp.statement_id = s.id
) sp ON true
WHERE s.status = 'published'
ORDER BY s.id
"""

# What an import writes, emptied for it and loaded by the baseline.
WRITTEN_TABLES = (
    "statements_source",
    "statements_statement",
    "statements_statementspeaker",
    "statements_statementrecipient",
    "statements_statementtopic",
    "statements_statementidentifier",
    "statements_citation",
    "statements_stancetag",
)


def rate(count, seconds):
    return count / seconds if seconds else 0.0


def text_figure(key, label, project, baseline, ratio, goal, met, **extra):
    return {
        "key": key,
        "label": label,
        "project_text": project,
        "baseline_text": baseline,
        "ratio": ratio,
        "goal": goal,
        "met": met,
        **extra,
    }


def read_all(response):
    total = 0
    while chunk := response.read(READ_SIZE):
        total += len(chunk)
    return total


def peak_memory_kb(pid):
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise BenchError(f"no VmHWM for process {pid}")


def timed_export(port):
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=3600)
    started = time.perf_counter()
    try:
        connection.request("GET", EXPORT_PATH)
        response = connection.getresponse()
        if response.status != 200:
            raise BenchError(f"the export answered {response.status}: {response.read()[:500]!r}")
        size = read_all(response)
        return time.perf_counter() - started, size
    finally:
        connection.close()


def timed_copy_export(url):
    with psycopg.connect(libpq_url(url), autocommit=True) as connection:
        connection.execute("SET statement_timeout = 0")
        started = time.perf_counter()
        size = 0
        with connection.cursor().copy(f"COPY ({EXPORT_SQL}) TO STDOUT WITH (FORMAT csv, HEADER)") as copy:
            for chunk in copy:
                size += len(chunk)
        return time.perf_counter() - started, size


def export_figure(env, url, size, published, log_dir, out):
    """The streaming CSV export against COPY TO STDOUT, and the worker's peak memory."""
    server = Server(env, 1, "sync", log_dir, f"{size}-export", extra=["--timeout", "0"])
    try:
        server.wait_ready()
        (pid,) = server.worker_pids()
        out(f"  export over HTTP of {published:,} published statements (1 sync worker)…")
        project_s, project_bytes = timed_export(server.port)
        peak_kb = peak_memory_kb(pid)
    finally:
        server.stop()
    out("  COPY (…) TO STDOUT of the same columns…")
    baseline_s, baseline_bytes = timed_copy_export(url)
    ratio = baseline_s / project_s
    figure = text_figure(
        "export_csv",
        f"streaming CSV export of {published:,} published statements over HTTP",
        f"{project_s:.1f} s, {rate(published, project_s):,.0f} statements/s, {project_bytes / 1e6:,.0f} MB",
        f"{baseline_s:.1f} s, {rate(published, baseline_s):,.0f} statements/s, {baseline_bytes / 1e6:,.0f} MB",
        ratio,
        "≥ 0.3× the speed of COPY (…) TO STDOUT",
        ratio >= 0.3,
        project_s=project_s,
        baseline_s=baseline_s,
        project_bytes=project_bytes,
        baseline_bytes=baseline_bytes,
        worker_peak_kb=peak_kb,
    )
    out(f"  export: {project_s:.1f} s vs COPY {baseline_s:.1f} s ({ratio:.2f}×); worker peak {peak_kb / 1024:.0f} MB")
    return figure


def memory_figure(results):
    """The export worker's peak memory at the largest size against the smallest (None with one size)."""
    sized = [
        (result["size"], figure["worker_peak_kb"])
        for result in results
        for figure in result["figures"]
        if figure["key"] == "export_csv"
    ]
    if len(sized) < 2:
        return None
    (small, small_kb), (large, large_kb) = min(sized), max(sized)
    ratio = large_kb / small_kb
    return text_figure(
        "export_memory",
        f"export worker peak memory (VmHWM) at {large:,} vs {small:,} statements",
        f"{large_kb / 1024:.0f} MB",
        f"{small_kb / 1024:.0f} MB (at {small:,})",
        ratio,
        f"≤ 1.1× the peak at {small:,}",
        ratio <= 1.1,
    )


def manage_timed(arguments, env, stdout=None):
    """Run manage.py; its time, and its standard output's last line unless it goes to a file."""
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=env,
        stdout=stdout if stdout is not None else subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    seconds = time.perf_counter() - started
    if completed.returncode != 0:
        command = " ".join(arguments)
        raise BenchError(f"`manage.py {command}` failed ({completed.returncode}): {completed.stderr[-3000:]}")
    last = completed.stdout.strip().splitlines()[-1] if stdout is None and completed.stdout.strip() else ""
    return seconds, last


def counts_of(summary):
    """{read: n, inserted: n, …} from the import's last line."""
    return {name: int(number) for name, number in re.findall(r"(\w+) (\d+)", summary)}


def history_tables(connection):
    return [
        name
        for (name,) in connection.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 'statements_historical%' "
            "ORDER BY tablename"
        )
    ]


def empty(connection, tables):
    names = sql.SQL(", ").join(map(sql.Identifier, tables))
    connection.execute(sql.SQL("TRUNCATE {} RESTART IDENTITY CASCADE").format(names))


def import_figures(server_url, name, username, out):
    """The import into an empty database, the re-import, and COPY FROM of what the import wrote."""
    env = django_env(with_database(server_url, name))
    target = f"{name}_import"
    target_url = with_database(server_url, target)
    with tempfile.TemporaryDirectory(prefix="bench-bulk-") as directory:
        file = pathlib.Path(directory) / "statements.ndjson"
        out("  export_statements --format ndjson of every statement…")
        with open(file, "w") as output:
            export_s, _ = manage_timed(["export_statements", "--format", "ndjson"], env, stdout=output)
        out(f"    {export_s:.1f} s, {file.stat().st_size / 1e6:,.0f} MB")

        with psycopg.connect(libpq_url(with_database(server_url, name))) as connection:
            total = connection.execute("SELECT count(*) FROM statements_statement").fetchone()[0]
        with maintenance_connection(server_url) as maintenance:
            maintenance.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(target)))
            maintenance.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(target), sql.Identifier(name))
            )
        try:
            with psycopg.connect(libpq_url(target_url), autocommit=True) as connection:
                tables = [*WRITTEN_TABLES, *history_tables(connection)]
                empty(connection, tables)
                connection.execute("VACUUM ANALYZE")
            target_env = django_env(target_url)
            arguments = ["import_statements", str(file), "--status", "file", "--user", username, "--verbosity", "0"]
            out("  import_statements into the emptied copy…")
            first_s, summary = manage_timed(arguments, target_env)
            first = counts_of(summary)
            out(f"    {first_s:.1f} s: {summary}")
            if first.get("inserted") != total or first.get("rejected"):
                raise BenchError(f"the first import did not insert the {total:,} statements: {summary}")
            out("  the same file again…")
            again_s, summary = manage_timed(arguments, target_env)
            again = counts_of(summary)
            out(f"    {again_s:.1f} s: {summary}")
            if again.get("unchanged") != total:
                raise BenchError(f"the second import changed something: {summary}")
            out("  COPY FROM STDIN of the rows the import wrote…")
            copy_s, rows = copy_baseline(target_url, tables, directory)
            out(f"    {copy_s:.1f} s for {rows:,} rows")
        finally:
            with maintenance_connection(server_url) as maintenance:
                maintenance.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(target)))

    ratio = copy_s / first_s
    import_figure = text_figure(
        "import",
        f"import of {total:,} statements from NDJSON into an empty database",
        f"{first_s:.1f} s, {rate(total, first_s):,.0f} statements/s",
        f"{copy_s:.1f} s, {rate(total, copy_s):,.0f} statements/s ({rows:,} rows by COPY)",
        ratio,
        "≥ 0.5× the speed of COPY of the same rows",
        ratio >= 0.5,
        project_s=first_s,
        baseline_s=copy_s,
        copied_rows=rows,
        export_s=export_s,
    )
    reimport_ratio = again_s / first_s
    reimport_figure = text_figure(
        "reimport",
        f"re-import of the same file (0 changes: {again.get('unchanged', 0):,} unchanged)",
        f"{again_s:.1f} s",
        f"{first_s:.1f} s (the first import)",
        reimport_ratio,
        "≤ 1.5× the time of the first import",
        reimport_ratio <= 1.5,
        project_s=again_s,
        baseline_s=first_s,
    )
    return [import_figure, reimport_figure]


def copy_baseline(url, tables, directory):
    """Dump `tables` with COPY TO, empty them, and time loading them back with COPY FROM in one transaction."""
    dumps, rows = [], 0
    with psycopg.connect(libpq_url(url)) as connection:
        connection.execute("SET statement_timeout = 0")
        for table in tables:
            path = pathlib.Path(directory) / f"{table}.copy"
            with (
                open(path, "wb") as output,
                connection.cursor().copy(
                    sql.SQL("COPY {} TO STDOUT (FORMAT binary)").format(sql.Identifier(table))
                ) as copy,
            ):
                for chunk in copy:
                    output.write(chunk)
            rows += connection.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))).fetchone()[0]
            dumps.append((table, path))
        connection.commit()
    with psycopg.connect(libpq_url(url), autocommit=True) as connection:
        empty(connection, tables)
        connection.execute("VACUUM ANALYZE")
    with psycopg.connect(libpq_url(url)) as connection:
        connection.execute("SET statement_timeout = 0")
        started = time.perf_counter()
        for table, path in dumps:
            with (
                open(path, "rb") as source,
                connection.cursor().copy(
                    sql.SQL("COPY {} FROM STDIN (FORMAT binary)").format(sql.Identifier(table))
                ) as copy,
            ):
                while chunk := source.read(READ_SIZE):
                    copy.write(chunk)
        connection.commit()
        seconds = time.perf_counter() - started
    return seconds, rows
