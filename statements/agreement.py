"""Agreement between curators who tagged the same statements blind: observed agreement, Cohen's kappa per pair,
Krippendorff's alpha across all (the `krippendorff` package), confusion tables, and agreement with the gold set.

What is compared. A *unit* is one statement, one target (an actor, a topic, or none) and one stance family:
the place where a curator either chose an act of that family toward that target, or chose none. A unit exists
when at least one curator who submitted an annotation of the statement chose an act there; every curator who
submitted one is a coder of it, and "—" (no act) is a value like any other. So two curators who both leave a
statement untagged toward China do not count as agreeing about it: agreement is measured where tagging happened.

- per family: the act chosen in the unit (nominal);
- per act: whether that act was chosen in its family's units (yes/no, nominal);
- intensity (ordinal) and polarity (nominal): on the tags every coder of the unit applied with the same act.

The functions take plain rows, so they are checked against textbook figures without a database.
"""

import itertools
import math
from collections import Counter, defaultdict
from dataclasses import dataclass

import krippendorff
import numpy

NONE = "—"


@dataclass(frozen=True)
class Tag:
    """One curator's tag in an annotation (or a gold tag, with coder "gold")."""

    statement: int
    coder: str
    act: str
    family: str
    target: str
    polarity: str
    intensity: int | None


def cohen_kappa(pairs):
    """Cohen's kappa of two coders over [(value of the first, value of the second)]; None when undefined.

    Undefined when chance alone would make them agree always (one value used by both throughout), or with no
    pairs. Kappa = (p_o - p_e) / (1 - p_e), with p_e from each coder's own distribution of values.
    """
    n = len(pairs)
    if not n:
        return None
    observed = sum(1 for first, second in pairs if first == second) / n
    firsts, seconds = Counter(first for first, _ in pairs), Counter(second for _, second in pairs)
    expected = sum(firsts[value] * seconds[value] for value in firsts) / (n * n)
    if math.isclose(expected, 1.0):
        return None
    return (observed - expected) / (1 - expected)


def krippendorff_alpha(units, level="nominal", order=None):
    """Krippendorff's alpha over {unit: {coder: value}} (missing values allowed), or None when undefined.

    Values are labels; for `ordinal`, `order` lists them from lowest to highest (they are ranked by it).
    Undefined when fewer than two values occur, or no unit has two coders.
    """
    units = {unit: values for unit, values in units.items() if len(values) >= 2}
    labels = sorted({value for values in units.values() for value in values.values()}, key=str)
    if order is not None:
        labels = [label for label in order if label in set(labels)]
    if len(labels) < 2 or not units:
        return None
    rank = {label: index for index, label in enumerate(labels)}
    coders = sorted({coder for values in units.values() for coder in values})
    data = numpy.full((len(coders), len(units)), numpy.nan)
    for column, values in enumerate(units.values()):
        for coder, value in values.items():
            data[coders.index(coder), column] = rank[value]
    return float(
        krippendorff.alpha(reliability_data=data, value_domain=list(range(len(labels))), level_of_measurement=level)
    )


def observed_agreement(units):
    """The share of coder pairs within units that agree (each unit's pairs counted), or None without pairs."""
    agreeing = total = 0
    for values in units.values():
        for first, second in itertools.combinations(values.values(), 2):
            total += 1
            agreeing += first == second
    return agreeing / total if total else None


def act_units(tags, coders_of, family=None):
    """{(statement, target, family): {coder: act or NONE}} for the units where someone chose an act."""
    chosen = defaultdict(lambda: defaultdict(list))
    for tag in tags:
        if family is None or tag.family == family:
            chosen[(tag.statement, tag.target, tag.family)][tag.coder].append(tag.act)
    units = {}
    for unit, by_coder in chosen.items():
        units[unit] = {coder: "+".join(sorted(by_coder.get(coder, ()))) or NONE for coder in coders_of[unit[0]]}
    return units


def figures(units, coders):
    """Observed agreement, kappa per pair, alpha across all, and how many units and pairs stand behind them."""
    kappas = []
    for first, second in itertools.combinations(coders, 2):
        pairs = [(values[first], values[second]) for values in units.values() if first in values and second in values]
        if pairs:
            kappas.append({"coders": [first, second], "kappa": rounded(cohen_kappa(pairs)), "units": len(pairs)})
    pair_count = sum(math.comb(len(values), 2) for values in units.values())
    return {
        "units": len(units),
        "statements": len({unit[0] for unit in units}),
        "pairs": pair_count,
        "observed": rounded(observed_agreement(units)),
        "kappa": kappas,
        "alpha": rounded(krippendorff_alpha(units)),
    }


def same_act_units(tags, coders_of, attribute):
    """{(statement, target, act): {coder: value}} of `attribute` for the tags every coder of it applied."""
    values = defaultdict(dict)
    for tag in tags:
        values[(tag.statement, tag.target, tag.act)][tag.coder] = getattr(tag, attribute)
    return {
        unit: by_coder
        for unit, by_coder in values.items()
        if len(by_coder) >= 2 and set(by_coder) == set(coders_of[unit[0]]) and None not in by_coder.values()
    }


def agreement(tags, coders_of, acts):
    """The agreement table: overall, per family, per act; each with intensity and polarity on shared tags.

    `tags`: every Tag of submitted annotations; `coders_of`: {statement: [coders who submitted one]};
    `acts`: {act code: family code} of the taxonomy (acts nobody chose are left out).
    """
    coders = sorted({coder for statement_coders in coders_of.values() for coder in statement_coders})
    rows = []

    def row(kind, code, units, shared_tags):
        entry = {"level": kind, "code": code, **figures(units, coders)}
        entry["intensity_alpha"] = rounded(
            krippendorff_alpha(same_act_units(shared_tags, coders_of, "intensity"), "ordinal", order=list(range(5)))
        )
        entry["polarity_alpha"] = rounded(krippendorff_alpha(same_act_units(shared_tags, coders_of, "polarity")))
        rows.append(entry)

    row("all", None, act_units(tags, coders_of), tags)
    families = sorted({tag.family for tag in tags})
    for family in families:
        family_tags = [tag for tag in tags if tag.family == family]
        row("family", family, act_units(family_tags, coders_of, family), family_tags)
    for act in sorted({tag.act for tag in tags}):
        family = acts[act]
        units = {
            unit: {coder: "yes" if act in value.split("+") else "no" for coder, value in values.items()}
            for unit, values in act_units(tags, coders_of, family).items()
        }
        row("act", act, units, [tag for tag in tags if tag.act == act])
    return {"coders": coders, "rows": rows, "confusion": confusion(act_units(tags, coders_of), coders)}


def confusion(units, coders):
    """Per pair of coders: how often the first chose one act where the second chose another (NONE: no act)."""
    tables = []
    for first, second in itertools.combinations(coders, 2):
        counts = Counter(
            (values[first], values[second]) for values in units.values() if first in values and second in values
        )
        if counts:
            cells = [{"first": a, "second": b, "count": n} for (a, b), n in sorted(counts.items())]
            tables.append({"coders": [first, second], "cells": cells})
    return tables


def agreement_with_gold(tags, gold, coders_of, adjudicated):
    """Each coder against the adjudicated gold set (`gold`: the gold Tags; `adjudicated`: the statements
    adjudicated, an empty gold set included), over the statements they annotated: observed agreement and kappa."""
    results = []
    for coder in sorted({coder for names in coders_of.values() for coder in names}):
        statements = {
            statement for statement, names in coders_of.items() if coder in names and statement in adjudicated
        }
        if not statements:
            continue
        mine = [tag for tag in tags if tag.coder == coder and tag.statement in statements]
        reference = [
            Tag(tag.statement, "gold", tag.act, tag.family, tag.target, tag.polarity, tag.intensity)
            for tag in gold
            if tag.statement in statements
        ]
        units = act_units(mine + reference, {statement: [coder, "gold"] for statement in statements})
        pairs = [(values[coder], values["gold"]) for values in units.values()]
        results.append(
            {
                "coder": coder,
                "statements": len(statements),
                "units": len(units),
                "observed": rounded(observed_agreement(units)),
                "kappa": rounded(cohen_kappa(pairs)),
            }
        )
    return results


def rounded(value):
    return None if value is None else round(value, 4)
