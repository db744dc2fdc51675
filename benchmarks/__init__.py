"""`make bench`: the project's read path against the raw-SQL limit (see benchmarks/README.md)."""


class BenchError(Exception):
    """Something the benchmark cannot go on from (the server did not start, a setup step failed)."""
