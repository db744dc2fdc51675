"""The codebook of the default taxonomy (codebook.toml beside this module): what each act means, with an
example, and what intensity means in each family. Read by the stance tag form and a data migration."""

import functools
import tomllib
from pathlib import Path

from statements.models import Intensity

DATA = Path(__file__).with_name("codebook.toml")


@functools.cache
def codebook():
    with DATA.open("rb") as file:
        return tomllib.load(file)


def descriptions():
    """{code: description} of DST v1."""
    return codebook()["descriptions"]


def intensity_labels(family):
    """The five intensity labels (0 to 4) for an act of `family` (its letter); the generic scale otherwise."""
    labels = codebook()["intensity"].get(family)
    return labels if labels is not None else [label for _, label in Intensity.choices]


def intensity_help():
    """The scale of every family, one line each: what the tag form shows beside intensity."""
    return [(family, ", ".join(labels)) for family, labels in codebook()["intensity"].items()]
