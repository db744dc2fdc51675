"""The words the synthetic rows are made of: the files under `data/`, and the words planted in the texts.

Each `.tsv` file is tab-separated with a header line, `#` lines being the curators' comments; the
English vocabulary, most frequent word first, leaves out any word that a search for a planted word
would also find, so the planted words keep the shares the benchmarks count on.
"""

import functools
from pathlib import Path

DATA = Path(__file__).with_name("data")

RARE_WORD = "rapprochement"
RARE_SHARE = 0.0001
COMMON_WORD = "sovereignty"
COMMON_SHARE = 0.04
CJK_WORD = "中国"


@functools.cache
def read_table(name):
    """The rows of a tab-separated data file as dicts keyed by its header; `#` lines are comments."""
    lines = [line for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line and line[0] != "#"]
    header = lines[0].split("\t")
    return tuple(dict(zip(header, line.split("\t"), strict=False)) for line in lines[1:])


@functools.cache
def vocabulary():
    """The English words texts are drawn from, most frequent first, without any that a planted word would match."""
    text = (DATA / "vocabulary.txt").read_text(encoding="utf-8")
    return tuple(word for word in text.splitlines() if word and word[0] != "#" and not resembles_planted(word))


def resembles_planted(word):
    """Whether a search for a planted word could find `word` too: it holds it, or shares the start of its stem."""
    word = word.lower()
    return any(planted in word or word[:6] == planted[:6] for planted in (RARE_WORD, COMMON_WORD))


def rows_where(name, column, value):
    return [row for row in read_table(name) if row[column] == value]


def aliases(text):
    """`name@language|…` as (name, language) pairs."""
    return [tuple(part.rsplit("@", 1)) for part in text.split("|") if part]
