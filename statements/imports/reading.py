"""The file read as statements: the rows of each statement gathered, a chunk of statements at a time.

`statement_groups()` gathers the rows of each statement: one row in the `statements` shape; in the
`tags` shape, the rows that follow each other with the same uuid (or, without one, the same
identifiers). A statement whose rows are apart in the file becomes two, which the import then
refuses as a statement given twice.
"""

import itertools
from dataclasses import dataclass


@dataclass(slots=True)
class Group:
    """The rows of one statement as the file has them: [(line, row, reader errors)], in a shape."""

    shape: str
    rows: list


def statement_groups(rows):
    """Groups of rows, one per statement, from what `exchange.read` yields, in file order."""
    group = key = None
    for line, shape, row, errors in rows:
        shape = shape or "statements"
        if shape == "tags":
            row_key = row.get("uuid")
            row_key = row_key.strip() if isinstance(row_key, str) else row_key
            if not row_key:
                identifiers = row.get("identifiers")
                row_key = tuple(identifiers) if isinstance(identifiers, list) and identifiers else None
            if group is not None and row_key is not None and row_key == key and group.shape == "tags":
                group.rows.append((line, row, errors))
                continue
            key = row_key
        if group is not None:
            yield group
        group = Group(shape, [(line, row, errors)])
    if group is not None:
        yield group


def chunks(iterable, size):
    """Lists of up to `size` items of `iterable`, read as they are asked for."""
    iterator = iter(iterable)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk
