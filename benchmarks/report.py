"""The table per dataset (printed, in results/latest.md and in the README) and the facts of the machine."""

import json
import os
import pathlib
import platform
import subprocess

from benchmarks.databases import ROOT, maintenance_connection, one

RESULTS_DIR = ROOT / "benchmarks" / "results"
# The project's README and the benchmark's own both show the latest table, between these markers.
READMES = [ROOT / "README.md", ROOT / "benchmarks" / "README.md"]
TABLE_START, TABLE_END = "<!-- bench:table:start -->", "<!-- bench:table:end -->"


def fmt_ms(side):
    return f"{side['p50_ms']:.1f} ({side['p95_ms']:.1f})"


def verdict(figure):
    if figure.get("bodies_equal") is False:
        return "BODY MISMATCH"
    if figure.get("no_goal"):
        return "–"
    return "met" if figure["met"] else "NOT MET"


def cells(figure):
    """figure | project | baseline | ratio | goal | met, as table cells."""
    key = figure["key"]
    if key == "throughput":
        project = f"{figure['project']['rps']:.1f} req/s"
        baseline = f"{figure['baseline']['rps']:.1f} req/s"
        ratio = f"{figure['ratio']:.2f}×"
    elif key == "queries":
        project = "; ".join(
            f"{figure['names'].get(path, path)}: {', '.join(str(n) for n in counts.values())}"
            for path, counts in figure["counts"].items()
        )
        baseline, ratio = "–", "–"
    elif key == "statement_timeout":
        if figure.get("status") is None:
            project = figure["note"]
        else:
            project = f"{figure['status']} in {figure['elapsed_ms']:.1f} ms, then {figure['next_status']}"
            project += ", worker alive" if figure["worker_alive"] else ", WORKER REPLACED"
        baseline, ratio = "–", "–"
    elif "project_text" in figure:
        project, baseline, ratio = figure["project_text"], figure["baseline_text"], f"{figure['ratio']:.2f}×"
    elif "baseline" in figure:
        project, baseline = fmt_ms(figure["project"]), fmt_ms(figure["baseline"])
        if figure.get("baseline_is"):
            baseline += " (page 1)"
        ratio = f"{figure['ratio']:.2f}×"
    else:
        project, baseline, ratio = fmt_ms(figure["project"]), "–", "–"
    label = figure["label"] + (f" [{figure['rows']} rows]" if figure.get("rows") is not None else "")
    if figure.get("total") is not None:  # stats/stances/: the groups, if any, and the total
        rows = f"{figure['rows']} rows, " if figure.get("rows") else ""
        label = figure["label"] + f" [{rows}total {figure['total']:,}]"
    return [label, project, baseline, ratio, figure["goal"], verdict(figure)]


def one_line(figure):
    label, project, baseline, ratio, goal, met = cells(figure)
    return f"{label}: project {project} | baseline {baseline} | {ratio} | {goal}: {met}"


def machine_line(result):
    machine, server = result["machine"], result["server"]
    return (
        f"{result['size']:,} statements ({result['fixtures']['published']:,} published), seed {result['seed']}; "
        f"{machine['cpu']} × {machine['cores']} cores, {machine['memory_gb']} GB; PostgreSQL {machine['postgresql']}; "
        f"gunicorn {server['gunicorn']}, {server['workers']} {server['worker_class']} workers; "
        f"Python {machine['python']}, orjson {'yes' if machine['orjson'] else 'no (json fallback)'}; "
        f"project {result['project_commit']}; {result['finished_at']}"
    )


def markdown(result):
    lines = [
        f"### {result['size']:,} statements",
        "",
        machine_line(result),
        "",
        "| figure | project p50 (p95) ms | baseline p50 (p95) ms | ratio | goal | |",
        "|---|---|---|---|---|---|",
    ]
    for figure in result["figures"]:
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells(figure)) + " |")
    return "\n".join(lines) + "\n"


def machine_facts(server_url):
    cpu = "unknown CPU"
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gb = "?"
    try:
        kilobytes = int(pathlib.Path("/proc/meminfo").read_text().split()[1])
        memory_gb = round(kilobytes / 1024 / 1024, 1)
    except (OSError, ValueError, IndexError):
        pass
    with maintenance_connection(server_url) as connection:
        postgresql = one(connection, "SHOW server_version")
    try:
        import orjson  # noqa: F401

        has_orjson = True
    except ImportError:
        has_orjson = False
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": memory_gb,
        "postgresql": postgresql,
        "python": platform.python_version(),
        "orjson": has_orjson,
        "platform": platform.platform(),
    }


def project_commit():
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True).stdout
        return commit + ("+uncommitted" if dirty.strip() else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def gunicorn_version():
    from importlib.metadata import version

    return version("gunicorn")


def write_results(results, results_dir, out):
    results_dir.mkdir(parents=True, exist_ok=True)
    for result in results:
        path = results_dir / f"{result['stamp']}-{result['size']}.json"
        path.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
        out(f"wrote {path}")
    if any(result["problems"] for result in results):
        out("latest.md and the README's table left as they were: this run had problems")
        return
    tables = "\n".join(markdown(result) for result in results)
    (results_dir / "latest.md").write_text("## Latest `make bench`\n\n" + tables)
    out(f"wrote {results_dir / 'latest.md'}")
    # Only a run into the committed results updates the READMEs' tables.
    if results_dir.resolve() == RESULTS_DIR.resolve():
        for readme in READMES:
            update_table(readme, tables, out)


def update_table(readme, tables, out):
    text = readme.read_text()
    if TABLE_START in text and TABLE_END in text:
        head, rest = text.split(TABLE_START, 1)
        _, tail = rest.split(TABLE_END, 1)
        readme.write_text(f"{head}{TABLE_START}\n{tables}{TABLE_END}{tail}")
        out(f"updated the table in {readme}")
