"""The figures: each request timed against the baseline's (bodies compared), the load, the cursor, the admin,
and the statement timeout."""

import json
import math
import pathlib
import re
import statistics
import tempfile
import threading
import time
import urllib.parse

from benchmarks import BenchError
from benchmarks.report import one_line
from benchmarks.serving import Server, fetch, path_of

LIST = "/api/v1/statements/"
STANCES = "/api/v1/stats/stances/"
DYADS = "/api/v1/stats/dyads/"
CHANGES = "/api/v1/statements/changes/"
# "Since 7 November 2025": the demo's dispute; the generated statements run from 2006 to the end of 2025.
RECENT = "2025-11-07"


def query(path=LIST, **parameters):
    return path + "?" + urllib.parse.urlencode(parameters)


def latency_figures(fixtures):
    """(key, label, path, goal) of each figure timed against the baseline."""
    f = fixtures
    same = ("ratio", 1.5)
    search = ("search", 50.0, 1.5)
    return [
        ("list_first_page", "statement list, first page (50 rows)", LIST, same),
        (
            "list_speaker_stance_date",
            f"speaker={f['speaker']} + stance={f['family']} + date_after={f['date_after']}",
            query(speaker=f["speaker"], stance=f["family"], date_after=f["date_after"]),
            same,
        ),
        ("list_country", f"country={f['country']}", query(country=f["country"]), same),
        ("detail", f"detail /statements/{f['detail_id']}/", f"{LIST}{f['detail_id']}/", same),
        (
            "list_tag_level",
            f"stance={f['target_family']} + polarity={f['polarity']} + target={f['target']} (one tag)",
            query(stance=f["target_family"], polarity=f["polarity"], target=f["target"]),
            same,
        ),
        ("q_rare", f"q={f['rare_word']} (rare word)", query(q=f["rare_word"]), search),
        ("q_common", f"q={f['common_word']} (common word)", query(q=f["common_word"]), search),
        ("q_cjk", f"q={f['cjk_word']} (CJK substring; extra)", query(q=f["cjk_word"]), search),
        ("page_size_500", "page_size=500", query(page_size=500), ("ratio", 2.0)),
        (
            "stats_month_family",
            "stats/stances/ by month and family, every published statement (tags)",
            query(STANCES, group_by="month,family"),
            same,
        ),
        (
            "stats_speaker_month_family",
            f"stats/stances/ by month and family, speaker={f['speaker']} + date_after={RECENT}",
            query(STANCES, group_by="month,family", speaker=f["speaker"], date_after=RECENT),
            ("both", 300.0, 1.5),
        ),
        (
            "stats_speaker_month_family_decade",
            f"the same from date_after={f['date_after']} (ten years; extra)",
            query(STANCES, group_by="month,family", speaker=f["speaker"], date_after=f["date_after"]),
            ("both", 300.0, 1.5),
        ),
        (
            "stats_count_statements",
            f"stats/stances/ count=statements, speaker={f['speaker']} + stance={f['family']} + "
            f"date_after={f['date_after']}",
            query(STANCES, count="statements", speaker=f["speaker"], stance=f["family"], date_after=f["date_after"]),
            same,
        ),
        (
            "stats_dyads",
            f"stats/dyads/ recipient={f['recipient']}, {f['recipient_month_start']} to {f['recipient_month_end']}",
            query(
                DYADS,
                recipient=f["recipient"],
                date_after=f["recipient_month_start"],
                date_before=f["recipient_month_end"],
            ),
            same,
        ),
        ("changes_first_page", "sync feed statements/changes/, first page of 500", query(CHANGES, page_size=500), None),
    ]


def percentile(samples, fraction):
    """Nearest-rank percentile of `samples` (milliseconds)."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def summary(samples):
    return {
        "p50_ms": round(statistics.median(samples), 2),
        "p95_ms": round(percentile(samples, 0.95), 2),
        "samples_ms": [round(sample, 2) for sample in samples],
    }


def first_difference(left, right, where="$"):
    """Where two parsed JSON values first differ, for the mismatch report."""
    if type(left) is not type(right):
        return f"{where}: {type(left).__name__} vs {type(right).__name__}"
    if isinstance(left, dict):
        if list(left) != list(right):
            return f"{where}: keys {list(left)} vs {list(right)}"
        for key in left:
            found = first_difference(left[key], right[key], f"{where}.{key}")
            if found:
                return found
        return None
    if isinstance(left, list):
        for index, (a, b) in enumerate(zip(left, right, strict=False)):
            found = first_difference(a, b, f"{where}[{index}]")
            if found:
                return found
        return f"{where}: {len(left)} items vs {len(right)}" if len(left) != len(right) else None
    return None if left == right else f"{where}: {left!r:.200} vs {right!r:.200}"


def describe_mismatch(project, baseline):
    try:
        found = first_difference(json.loads(project), json.loads(baseline))
    except ValueError:
        found = None
    if found:
        return found
    at = next((i for i, (a, b) in enumerate(zip(project, baseline, strict=False)) if a != b), None)
    at = min(len(project), len(baseline)) if at is None else at
    around = slice(max(0, at - 40), at + 40)
    return f"same JSON values, different bytes at {at}: {project[around]!r} vs {baseline[around]!r}"


class Bench:
    """The figures of one dataset, against one running server."""

    def __init__(self, args, server, out):
        self.args, self.server, self.out = args, server, out
        self.problems = []  # body mismatches and unexpected statuses: any of them fails the run
        self.mismatch_dir = None  # made at the first mismatch, to keep both bodies for reading

    def problem(self, message):
        self.problems.append(message)
        self.out(f"  PROBLEM: {message}")

    def get(self, path, expect=200, **kwargs):
        response = fetch(self.server.port, path, **kwargs)
        if expect is not None and response.status != expect:
            self.problem(f"GET {path} answered {response.status}, not {expect}: {response.body[:300]!r}")
        return response

    def warm_server(self, paths, seconds):
        """Every worker through every path (imports, URL resolvers, connections), before anything is timed."""
        every = [*paths, *("/baseline" + path for path in paths)]
        self.load(every, self.args.clients, seconds)

    def warm_up(self, paths):
        for _ in range(self.args.warmup):
            for path in paths:
                fetch(self.server.port, path)

    def compare(self, key, path, project, baseline):
        if project.body == baseline.body:
            return True
        where = describe_mismatch(project.body, baseline.body)
        self.mismatch_dir = self.mismatch_dir or pathlib.Path(tempfile.mkdtemp(prefix="bench-mismatch-"))
        (self.mismatch_dir / f"{key}.project.json").write_bytes(project.body)
        (self.mismatch_dir / f"{key}.baseline.json").write_bytes(baseline.body)
        self.problem(f"{key}: project and baseline bodies differ for {path}: {where} (both in {self.mismatch_dir})")
        return False

    def paired(self, key, path):
        """Project and baseline, A B A B …; every pair of bodies compared."""
        self.warm_up([path, "/baseline" + path])
        project, baseline, equal, rows = [], [], True, None
        self.total = None
        for _ in range(self.args.samples):
            a = self.get(path)
            b = self.get("/baseline" + path)
            project.append(a.ms)
            baseline.append(b.ms)
            if equal:
                equal = self.compare(key, path, a, b)
            if rows is None and a.status == 200:
                document = json.loads(a.body)
                rows = len(document["results"]) if "results" in document else None
                self.total = document.get("total")  # stats/stances/
        if equal and rows is not None:
            equal = self.follow_links(key, path)
        return summary(project), summary(baseline), equal, rows

    def follow_links(self, key, path):
        """Page 2 by the `next` link and back by its `previous` link: the same bodies from both (not timed)."""
        for step in ("next", "previous"):
            link = json.loads(self.get(path).body).get(step)  # the stats have neither, the sync feed no `previous`
            if link is None:
                return True
            path = path_of(link)
            if not self.compare(f"{key}.{step}", path, self.get(path), self.get("/baseline" + path)):
                return False
        return True

    def latency(self, fixtures):
        figures = []
        for key, label, path, goal in latency_figures(fixtures):
            project, baseline, equal, rows = self.paired(key, path)
            ratio = project["p50_ms"] / baseline["p50_ms"]
            if goal is None:
                met, goal_text = True, "none (reported)"
            elif goal[0] == "search":
                met = project["p95_ms"] <= goal[1] and ratio <= goal[2]
                goal_text = f"p95 ≤ {goal[1]:.0f} ms and p50 ≤ {goal[2]}× baseline"
            elif goal[0] == "both":
                met = project["p50_ms"] <= goal[1] and ratio <= goal[2]
                goal_text = f"p50 ≤ {goal[1]:.0f} ms and ≤ {goal[2]}× baseline"
            else:
                met = ratio <= goal[1]
                goal_text = f"p50 ≤ {goal[1]}× baseline"
            figure = {
                "key": key,
                "label": label,
                "path": path,
                "rows": rows,
                "project": project,
                "baseline": baseline,
                "ratio": round(ratio, 2),
                "goal": goal_text,
                "met": met and equal,
                "bodies_equal": equal,
            }
            if self.total is not None:
                figure["total"] = self.total
            if goal is None:
                figure["no_goal"] = True
            figures.append(figure)
            self.out("  " + one_line(figure))
        return figures

    def throughput(self, path, clients, duration, rounds):
        """Requests per second with `clients` threads, project and baseline alternating in `rounds`."""
        self.warm_up([path, "/baseline" + path])
        totals = {"project": [0, 0.0, 0], "baseline": [0, 0.0, 0]}
        for _ in range(rounds):
            for side, target in (("project", path), ("baseline", "/baseline" + path)):
                done, seconds, errors = self.load(target, clients, duration / rounds)
                totals[side][0] += done
                totals[side][1] += seconds
                totals[side][2] += errors
        result = {}
        for side, (done, seconds, errors) in totals.items():
            if errors:
                self.problem(f"throughput: {errors} {side} requests did not answer 200")
            result[side] = {"requests": done, "seconds": round(seconds, 2), "rps": round(done / seconds, 1)}
        ratio = result["project"]["rps"] / result["baseline"]["rps"]
        figure = {
            "key": "throughput",
            "label": f"{clients} concurrent clients, {duration:g} s, speaker + stance + date",
            "path": path,
            "project": result["project"],
            "baseline": result["baseline"],
            "ratio": round(ratio, 2),
            "goal": "throughput ≥ 0.6× baseline",
            "met": ratio >= 0.6,
        }
        self.out("  " + one_line(figure))
        return figure

    def load(self, paths, clients, duration):
        """`clients` threads requesting `paths` in turn for `duration` seconds: (answered 200, seconds, others)."""
        paths = [paths] if isinstance(paths, str) else paths
        counts, errors = [0] * clients, [0] * clients
        stop_at = time.perf_counter() + duration

        def client(index):
            turn = index
            while time.perf_counter() < stop_at:
                turn += 1
                try:
                    response = fetch(self.server.port, paths[turn % len(paths)])
                except OSError:
                    errors[index] += 1
                    continue
                if response.status == 200:
                    counts[index] += 1
                else:
                    errors[index] += 1

        threads = [threading.Thread(target=client, args=(index,)) for index in range(clients)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return sum(counts), time.perf_counter() - started, sum(errors)

    def cursor_depth(self, page_size, depth=200):
        """Page `depth` by cursor against page 1 (project only), and that page compared with the baseline's."""
        first = query(page_size=page_size)
        path, followed = first, 0
        while followed < depth - 1:
            response = self.get(path)
            link = json.loads(response.body)["next"] if response.status == 200 else None
            if link is None:
                break
            path, followed = path_of(link), followed + 1
        if followed < depth - 1:
            self.problem(f"cursor: only {followed + 1} pages of {page_size} rows, not {depth}")
        self.warm_up([first, path])
        page_one, deep = [], []
        for _ in range(self.args.samples):
            page_one.append(self.get(first).ms)
            deep.append(self.get(path).ms)
        self.compare("cursor_page", path, self.get(path), self.get("/baseline" + path))
        page_one, deep = summary(page_one), summary(deep)
        ratio = deep["p50_ms"] / page_one["p50_ms"]
        figure = {
            "key": "cursor_depth",
            "label": f"page {followed + 1} by cursor vs page 1 ({page_size} rows a page; project only)",
            "path": path,
            "project": deep,
            "baseline": page_one,
            "baseline_is": "page 1 of the project",
            "ratio": round(ratio, 2),
            "goal": "p50 ≤ 1.2× page 1",
            "met": ratio <= 1.2,
        }
        self.out("  " + one_line(figure))
        return figure

    def admin(self, fixtures, username, password):
        cookie = self.log_in(username, password)
        pages = [
            ("admin_list", "admin: statement list", "/admin/statements/statement/"),
            (
                "admin_search_name",
                f"admin: search by name ({fixtures['speaker_name']})",
                "/admin/statements/statement/?" + urllib.parse.urlencode({"q": fixtures["speaker_name"]}),
            ),
            (
                "admin_search_word",
                f"admin: search by word ({fixtures['rare_word']})",
                "/admin/statements/statement/?" + urllib.parse.urlencode({"q": fixtures["rare_word"]}),
            ),
            (
                "admin_stance_filter",
                f"admin: stance filter ({fixtures['family']})",
                "/admin/statements/statement/?" + urllib.parse.urlencode({"stance": fixtures["family"]}),
            ),
            (
                "admin_change",
                f"admin: change page of statement {fixtures['detail_id']}",
                f"/admin/statements/statement/{fixtures['detail_id']}/change/",
            ),
        ]
        headers = {"Cookie": cookie}
        figures = []
        for key, label, path in pages:
            for _ in range(self.args.warmup):
                fetch(self.server.port, path, headers=headers)
            samples = [self.get(path, headers=headers).ms for _ in range(self.args.samples)]
            project = summary(samples)
            figure = {
                "key": key,
                "label": label,
                "path": path,
                "project": project,
                "goal": "p50 ≤ 300 ms",
                "met": project["p50_ms"] <= 300,
            }
            figures.append(figure)
            self.out("  " + one_line(figure))
        return figures

    def log_in(self, username, password):
        login = fetch(self.server.port, "/admin/login/?next=/admin/")
        cookies = cookies_of(login)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', login.body)
        if login.status != 200 or token is None or "csrftoken" not in cookies:
            raise BenchError(f"admin login page answered {login.status} without a CSRF token")
        form = urllib.parse.urlencode(
            {"username": username, "password": password, "next": "/admin/", "csrfmiddlewaretoken": token[1].decode()}
        )
        answer = fetch(
            self.server.port,
            "/admin/login/?next=/admin/",
            method="POST",
            body=form,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={cookies['csrftoken']}",
            },
        )
        cookies.update(cookies_of(answer))
        if answer.status != 302 or "sessionid" not in cookies:
            raise BenchError(f"admin login answered {answer.status}: {answer.body[:300]!r}")
        return "; ".join(f"{name}={cookies[name]}" for name in ("csrftoken", "sessionid"))


def cookies_of(response):
    cookies = {}
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        cookies[name.strip()] = rest.split(";", 1)[0]
    return cookies


def statement_timeout(args, env, fixtures, log_dir, out):
    """A second gunicorn (one worker) with a tiny DJANGO_STATEMENT_TIMEOUT: a slow request answers 503 JSON,
    and the next request, a detail, still answers 200 from the same worker process."""
    timeout_ms = args.timeout_ms
    server = Server(
        {**env, "DJANGO_STATEMENT_TIMEOUT": str(timeout_ms)}, 1, args.worker_class, log_dir, "statement-timeout"
    )
    detail = f"{LIST}{fixtures['detail_id']}/"
    slow_paths = [
        query(q=fixtures["common_word"], page_size=500),
        query(country=fixtures["country"], page_size=500),
        query(page_size=500),
    ]
    problems, cancelled, after = [], None, None
    try:
        server.wait_ready()
        workers_before = server.worker_pids()
        # The detail's queries take well under a millisecond once the connection has read the catalog.
        for _ in range(10):
            if fetch(server.port, detail).status == 200:
                break
        for path in slow_paths * 2:
            response = fetch(server.port, path)
            if response.status != 200:
                cancelled = (path, response)
                break
        if cancelled is not None:
            after = fetch(server.port, detail)
        workers_after = server.worker_pids()
    finally:
        server.stop()
    figure = {
        "key": "statement_timeout",
        "label": f"a request past DJANGO_STATEMENT_TIMEOUT={timeout_ms} ms (second gunicorn, 1 worker)",
        "goal": f"503 JSON within {timeout_ms} + {args.timeout_slack_ms} ms, then 200 from the same worker",
        "worker_alive": bool(workers_before) and workers_before == workers_after,
        "next_path": detail,
        "next_status": after.status if after else None,
    }
    if not figure["worker_alive"]:
        problems.append(f"statement timeout: the worker was replaced ({workers_before} → {workers_after})")
    if cancelled is None:
        figure.update(status=None, met=False, note="no request was cancelled: is DJANGO_STATEMENT_TIMEOUT applied?")
    else:
        path, response = cancelled
        try:
            body = json.loads(response.body)
        except ValueError:
            body = None
        figure.update(
            path=path,
            status=response.status,
            elapsed_ms=round(response.ms, 1),
            body=body if body is not None else response.body[:300].decode(errors="replace"),
            met=(
                response.status == 503
                and isinstance(body, dict)
                and response.ms <= timeout_ms + args.timeout_slack_ms
                and after.status == 200
                and figure["worker_alive"]
            ),
        )
        # A 503 is the goal (or, for the detail after it, a timeout too tight for this machine); a 500 is a crash.
        for label, status in (("a slow request", response.status), ("the request after it", after.status)):
            if status not in (200, 503):
                problems.append(f"statement timeout: {label} answered {status}")
    out("  " + one_line(figure))
    return figure, problems
