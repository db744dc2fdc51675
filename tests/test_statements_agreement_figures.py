"""The agreement figures (statements.agreement) against textbook values and hand counts, without a database."""

import pytest

from statements.agreement import NONE, Tag, agreement, agreement_with_gold, cohen_kappa, krippendorff_alpha


def pairs(*counts):
    """Two coders' yes/no judgements from the cells of a 2×2 table: both yes, first only, second only, both no."""
    yes_yes, yes_no, no_yes, no_no = counts
    return [("yes", "yes")] * yes_yes + [("yes", "no")] * yes_no + [("no", "yes")] * no_yes + [("no", "no")] * no_no


@pytest.mark.parametrize(
    ("cells", "kappa"),
    [
        # Cohen's kappa as Wikipedia works it out (50 grant proposals, two readers), and its two examples of the
        # same observed agreement (60%) with different marginals.
        ((20, 5, 10, 15), 0.4),
        ((45, 15, 25, 15), 0.1304),
        ((25, 35, 5, 35), 0.2593),
    ],
)
def test_cohens_kappa_equals_the_published_examples(cells, kappa):
    assert cohen_kappa(pairs(*cells)) == pytest.approx(kappa, abs=5e-5)


def test_krippendorffs_alpha_equals_his_worked_example():
    # K. Krippendorff, "Computing Krippendorff's Alpha-Reliability" (2011): four observers, twelve units,
    # missing values; alpha is 0.743 for nominal data and 0.815 for ordinal data.
    rows = {
        "A": [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
        "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
        "C": [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
        "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
    }
    units = {
        unit: {coder: values[unit] for coder, values in rows.items() if values[unit] is not None} for unit in range(12)
    }
    assert round(krippendorff_alpha(units), 3) == 0.743
    assert round(krippendorff_alpha(units, "ordinal", order=[1, 2, 3, 4, 5]), 3) == 0.815


def test_perfect_agreement_is_one_and_chance_agreement_is_zero():
    perfect = [("K1", "K1"), ("W1", "W1"), (NONE, NONE), ("K1", "K1")]
    assert cohen_kappa(perfect) == 1
    assert krippendorff_alpha({unit: {"a": x, "b": y} for unit, (x, y) in enumerate(perfect)}) == 1
    # Each coder says yes half the time, independently of the other: they agree exactly as often as chance would.
    chance = [("yes", "yes"), ("yes", "no"), ("no", "yes"), ("no", "no")] * 25
    assert cohen_kappa(chance) == 0
    assert krippendorff_alpha({unit: {"a": x, "b": y} for unit, (x, y) in enumerate(chance)}) == pytest.approx(
        0, abs=0.01
    )
    # One value throughout: chance agreement is certain, kappa says nothing.
    assert cohen_kappa([("K1", "K1")] * 3) is None


def tag(statement, coder, act, target="china", polarity="against", intensity=2):
    return Tag(statement, coder, act, act[0], target, polarity, intensity)


def test_the_agreement_table_counts_units_where_someone_tagged_and_none_as_a_value():
    tags = [
        # Statement 1: both chose K1 toward China (intensities 3 and 2); ana also W1 toward Russia.
        tag(1, "ana", "K1", intensity=3),
        tag(1, "ben", "K1", intensity=2),
        tag(1, "ana", "W1", target="russia"),
        # Statement 2: ana K1, ben K2 toward China.
        tag(2, "ana", "K1"),
        tag(2, "ben", "K2"),
    ]
    table = agreement(tags, {1: ["ana", "ben"], 2: ["ana", "ben"]}, {"K1": "K", "K2": "K", "W1": "W"})
    rows = {(row["level"], row["code"]): row for row in table["rows"]}

    # Units: (1, china, K), (1, russia, W), (2, china, K); they agree on one of three.
    overall = rows[("all", None)]
    assert (overall["units"], overall["statements"], overall["pairs"]) == (3, 2, 3)
    assert overall["observed"] == pytest.approx(1 / 3, abs=1e-4)
    # ana: K1, W1, K1; ben: K1, —, K2. p_o = 1/3; p_e = (2/3·1/3) = 2/9; kappa = (1/3 - 2/9) / (7/9) = 1/7.
    assert overall["kappa"] == [{"coders": ["ana", "ben"], "kappa": pytest.approx(1 / 7, abs=1e-4), "units": 3}]
    assert rows[("family", "K")]["units"] == 2 and rows[("family", "K")]["observed"] == 0.5
    # Per act: K1 yes/yes on statement 1, yes/no on statement 2.
    assert rows[("act", "K1")]["observed"] == 0.5 and rows[("act", "W1")]["observed"] == 0
    # Intensity and polarity only where both applied the same act: K1 on statement 1 alone (one unit, 3 vs 2).
    assert rows[("act", "K1")]["intensity_alpha"] is not None
    cells = {(cell["first"], cell["second"]): cell["count"] for cell in table["confusion"][0]["cells"]}
    assert cells == {("K1", "K1"): 1, ("K1", "K2"): 1, ("W1", NONE): 1}


def test_each_curator_is_compared_with_the_gold_set():
    tags = [tag(1, "ana", "K1"), tag(1, "ben", "K2"), tag(2, "ana", "W1"), tag(2, "ben", "W1")]
    gold = [tag(1, "gold", "K1"), tag(2, "gold", "W1")]
    results = agreement_with_gold(tags, gold, {1: ["ana", "ben"], 2: ["ana", "ben"]}, adjudicated={1, 2})
    assert [(row["coder"], row["observed"]) for row in results] == [("ana", 1.0), ("ben", 0.5)]
