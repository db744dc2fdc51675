"""Synthetic statements on top of the demo, for benchmarks at up to a million statements.

`generate(count=…, seed=…)` loads the demo (idempotent), then adds `count` statements and what
they need, in one transaction:

- actors, about clamp(count // 20, 400, 5,000) of them, of every kind: real states by their ISO
  3166 alpha-3 code (with the same three letters as CAMEO code, as the demo does; the demo's
  states are reused), their government bodies and military units (parent and country set), a
  tree of about 200 under `STATE_WITH_BODIES` four levels deep, international organizations,
  parties, media, and persons holding one to three dated roles. Japanese, Chinese and Korean
  persons and bodies also carry their name in ja, zh-Hans or ko;
- a few hundred topics with aliases, some in CJK scripts; sources shared by two or three
  statements each (URLs under example.org: nothing beyond the demo is real);
- statements over 2006–2025: Zipf-skewed speakers (the busiest, `BUSY_STATE_SLUG`, far above
  the median), recipients and stance targets, one citation each, one to four stance tags over the
  whole default taxonomy, texts drawn from an English diplomatic vocabulary (4% in Japanese or
  Chinese), about 5% not yet published.

Benchmarks search for `RARE_WORD` (in about 0.01% of statements), `COMMON_WORD` (about 4%) and
`CJK_WORD` (in most Japanese and Chinese texts).

The rows are a pure function of the seed and of what the database held before (`Base`):
`random.Random(seed)`, never the clock, nothing read in set order. They hold what `save()` would
set: folded names, dates at the first day of their precision, `version` 1, timestamps derived from
each statement's date and capped at `REFERENCE_TIME`. Curators are users like the demo curator:
inactive, with an unusable password (whose random suffix, Django's, is the one value no seed
fixes). No history rows (django-simple-history) are written: the synthetic data has no past.

The rows are built by pure, deterministic code (`rows` for the actors, roles and topics,
`statement_rows` for the statements and what hangs on them, both drawing with `draws` from the
files that `vocabulary` reads) and written by `writers`; `tables` names the tables filled and reads
what the database already holds. This package exposes what the command, the tests and the
benchmarks use.
"""

from django.db import connection, transaction

from statements.demo import load_demo
from statements.synthetic.draws import FIRST_DAY, LAST_DAY, RECORDED_AT, REFERENCE_TIME
from statements.synthetic.rows import BUSY_STATE_SLUG, STATE_BODIES, STATE_WITH_BODIES, SyntheticData
from statements.synthetic.statement_rows import StatementRows
from statements.synthetic.tables import (
    REFERENCE_TABLES,
    STATEMENT_TABLES,
    TABLES,
    Base,
    ExistingActor,
    GenerationRefused,
    read_base,
)
from statements.synthetic.vocabulary import CJK_WORD, COMMON_SHARE, COMMON_WORD, RARE_SHARE, RARE_WORD
from statements.synthetic.writers import (
    CURATOR_COUNT,
    CURATOR_USERNAME_PREFIX,
    Report,
    create_curators,
    lock_tables,
    write,
)

__all__ = [
    "BUSY_STATE_SLUG",
    "CJK_WORD",
    "COMMON_SHARE",
    "COMMON_WORD",
    "CURATOR_COUNT",
    "CURATOR_USERNAME_PREFIX",
    "FIRST_DAY",
    "LAST_DAY",
    "RARE_SHARE",
    "RARE_WORD",
    "RECORDED_AT",
    "REFERENCE_TABLES",
    "REFERENCE_TIME",
    "STATEMENT_TABLES",
    "STATE_BODIES",
    "STATE_WITH_BODIES",
    "TABLES",
    "Base",
    "ExistingActor",
    "GenerationRefused",
    "Report",
    "StatementRows",
    "SyntheticData",
    "create_curators",
    "generate",
    "read_base",
    "write",
]


def generate(*, count, seed, progress=None, rebuild_indexes=None):
    """Load the demo and add `count` synthetic statements from `seed`, in one transaction; return the Report.

    `progress(n)` is told of every n statements written. Raises GenerationRefused, writing
    nothing, if the database already holds synthetic data; any failure writes nothing.
    """
    if count < 1:
        raise ValueError("count must be at least 1")
    with transaction.atomic():
        demo = load_demo()
        curators = create_curators()
        report = Report(demo_created=demo.total("created"), curators=len(curators))
        if connection.vendor == "postgresql":
            lock_tables()
        with report.step("building actors and topics"):
            data = SyntheticData(read_base(curators), count, seed)
        write(data, report, progress, rebuild_indexes)
    return report
