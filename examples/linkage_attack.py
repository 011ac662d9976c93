"""Sweeney's linkage attack on a synthetic population, before and after de-identification.

A synthetic population of 1,000,000 people, a hospital sample of 50,000 of them, and an
identified voter list holding 60% of the population (name, ZIP code, birth date, sex). The
attacker links the hospital records to the voter list on the quasi-identifiers that survive
each release:

1. as collected: 5-digit ZIP, birth date, sex (Sweeney's classic attack);
2. after HIPAA Safe Harbor (``deid.tabular.Policy.safe_harbor()``): ZIP3 (restricted
   prefixes -> 000), birth year (top-coded for ages over 89), sex;
3. after k-anonymization of the Safe Harbor release (``deid.anonymize``, k = 5, at most 1%
   of records suppressed).

The attacker holds raw values; ``deid.risk.linkage_attack`` matches them to the generalized
released values through the same generalizers, given as ``hierarchies``. The hospital
records carry the person's id (never released) so the script can tell right links from
wrong ones. It prints a table and saves a plot of the match-count distributions to
``examples/output/linkage_attack.png``.

Everything is synthetic. Simplifications, said plainly:

* ZIP codes are the real 5-digit codes of the six New England states (package ``zipcodes``),
  but that package has no population counts, so people are spread over them with a skewed,
  Zipf-like weight (a few dense ZIPs, a long tail of sparse ones) in a random order: the
  dense ZIPs are not the real dense ones. 1,000,000 people over ~2,800 ZIP codes is about
  the density of a small state.
* Ages follow a flat-then-declining pyramid (flat to 60, then falling by e every 12 years);
  birth days are uniform within the year; sex is 51% female. Hospital patients are drawn with
  weight 1 + age / 20 (older people are admitted more often). The voter list is drawn from
  adults (18+) only, 600,000 of them, about three in four adults.
* Names come from Faker (``en_US``, fixed seed): pools of first names by sex and of last
  names, combined at random (calling Faker a million times would take minutes). They are on
  the voter list for realism and play no part in the matching.

Run from the repository root (needs matplotlib for the plot, an example-only dependency):

    PYTHONPATH=. python examples/linkage_attack.py            # about 15 s
    PYTHONPATH=. python examples/linkage_attack.py --population 200000 --sample 10000
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from deid.anonymize import Hierarchy, anonymize  # noqa: E402
from deid.risk import linkage_attack  # noqa: E402
from deid.tabular import Policy, scrub_frame  # noqa: E402

REFERENCE = "2025-01-01"  # "today" for ages and Safe Harbor's top-coding
NEW_ENGLAND = ("MA", "CT", "RI", "NH", "ME", "VT")
ON = ["zip5", "birth_date", "sex"]
OUTPUT = ROOT / "examples" / "output" / "linkage_attack.png"


# ----------------------------------------------------------------------------- the population


def _zip_codes() -> np.ndarray:
    import zipcodes

    found = {z["zip_code"] for z in zipcodes.list_all()
             if z["state"] in NEW_ENGLAND and z["zip_code_type"] == "STANDARD" and z["active"]}
    return np.array(sorted(found))


def _names(n: int, sex: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    from faker import Faker

    fake = Faker("en_US")
    fake.seed_instance(7)
    female = np.array(sorted({fake.first_name_female() for _ in range(3000)}))
    male = np.array(sorted({fake.first_name_male() for _ in range(3000)}))
    last = np.array(sorted({fake.last_name() for _ in range(5000)}))
    first = np.where(sex == "F", female[rng.integers(0, len(female), n)], male[rng.integers(0, len(male), n)])
    return np.char.add(np.char.add(first.astype(str), " "), last[rng.integers(0, len(last), n)])


def make_population(n: int, rng: np.random.Generator) -> pd.DataFrame:
    zips = _zip_codes()
    weights = 1.0 / (1.0 + rng.permutation(len(zips))) ** 0.7
    ages = np.arange(101)
    age_weights = np.where(ages < 60, 1.0, np.exp(-(ages - 60) / 12.0))
    age = rng.choice(ages, n, p=age_weights / age_weights.sum())
    reference = np.datetime64(REFERENCE, "D")
    birth = reference - (age * 365.25).astype("timedelta64[D]") - rng.integers(1, 366, n).astype("timedelta64[D]")
    sex = np.where(rng.random(n) < 0.51, "F", "M")
    return pd.DataFrame({
        "person_id": np.arange(n),
        "name": pd.Series(_names(n, sex, rng), dtype="str"),
        "zip5": pd.Series(zips[rng.choice(len(zips), n, p=weights / weights.sum())], dtype="str"),
        "birth_date": birth.astype("datetime64[us]"),
        "sex": pd.Series(sex, dtype="str"),
        "age": age,
    })


# ----------------------------------------------------------------------------- releases


SAFE_HARBOR = Policy.safe_harbor(dates="year", reference=REFERENCE).with_columns(
    zip5="zip", birth_date="birth_date", sex="attribute")


def safe_harbor_zip3(zips: pd.Series) -> pd.Series:
    """The Safe Harbor policy's own ZIP generalizer (ZIP3, restricted prefixes -> 000)."""
    policy = Policy.safe_harbor(dates="year", reference=REFERENCE).with_columns(zip5="zip")
    return scrub_frame(zips.to_frame("zip5"), policy)["zip5"]


def safe_harbor_year(dates: pd.Series) -> pd.Series:
    """The Safe Harbor policy's own birth-date generalizer (year, top-coded over 89)."""
    policy = Policy.safe_harbor(dates="year", reference=REFERENCE).with_columns(birth_date="birth_date")
    return scrub_frame(dates.to_frame("birth_date"), policy)["birth_date"]


def _star(values: pd.Series) -> pd.Series:
    return pd.Series(["*"] * len(values))


def k_anonymized(safe: pd.DataFrame, population: pd.DataFrame, k: int):
    """deid.anonymize on the Safe Harbor release, with hierarchies over the whole population's
    Safe Harbor values (so that the attacker's raw values can be generalized the same way)."""
    zip3 = safe_harbor_zip3(population["zip5"])
    years = safe_harbor_year(population["birth_date"])
    zip_h = Hierarchy.redaction(zip3.unique())
    year_h = Hierarchy.intervals(years.unique().astype(int), widths=(5, 10, 20))
    result = anonymize(safe, ON, {"zip5": zip_h, "birth_date": year_h}, k=k, max_suppression=0.01)

    # the attacker's generalizers: raw -> Safe Harbor -> each level of the same hierarchies
    def zip_level(level):
        return lambda zips: pd.Series(zip_h.generalize(safe_harbor_zip3(zips).tolist(), level))

    def year_level(level):
        return lambda dates: pd.Series(year_h.generalize(safe_harbor_year(dates).astype(int).tolist(), level))

    hierarchies = {
        "zip5": [zip_level(level) for level in range(zip_h.height)],
        "birth_date": [year_level(level) for level in range(year_h.height)],
        "sex": [_star],
    }
    return result, hierarchies


# ----------------------------------------------------------------------------- main


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--population", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=50_000)
    parser.add_argument("--voters", type=float, default=0.6, help="share of the population on the voter list")
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)

    rng = np.random.default_rng(args.seed)
    population = make_population(args.population, rng)
    sample_weights = 1.0 + population["age"].to_numpy() / 20.0
    hospital = population.iloc[rng.choice(len(population), args.sample, replace=False,
                                          p=sample_weights / sample_weights.sum())]
    adults = np.flatnonzero(population["age"].to_numpy() >= 18)
    n_voters = min(int(args.voters * len(population)), len(adults))
    voters = population.iloc[np.sort(rng.choice(adults, n_voters, replace=False))]
    voters = voters[["person_id", "name"] + ON].reset_index(drop=True)
    hospital = hospital.reset_index(drop=True)
    in_voters = hospital["person_id"].isin(voters["person_id"]).mean()

    releases = {}
    releases["ZIP5, birth date, sex (as collected)"] = (hospital[ON], None)
    safe = scrub_frame(hospital[ON], SAFE_HARBOR)
    releases["ZIP3, birth year, sex (Safe Harbor)"] = (
        safe, {"zip5": safe_harbor_zip3, "birth_date": safe_harbor_year})
    anonymized, k_hierarchies = k_anonymized(safe, population, args.k)
    levels = ", ".join(f"{c} {level}" for c, level in anonymized.levels.items())
    releases[f"Safe Harbor + {args.k}-anonymity (levels {levels}; {anonymized.suppressed} suppressed)"] = (
        anonymized.data[ON], k_hierarchies)

    reports = {}
    for label, (released, hierarchies) in releases.items():
        reports[label] = linkage_attack(released.assign(person_id=hospital["person_id"]), voters, ON,
                                        hierarchies=hierarchies, released_id="person_id", auxiliary_id="person_id")

    print(f"population {len(population):,}; hospital sample {len(hospital):,}; voter list {len(voters):,} "
          f"({len(voters) / len(population):.0%} of the population); {in_voters:.1%} of the sample is on it")
    rows = []
    for label, report in reports.items():
        rows.append({
            "release": label,
            "unique links": f"{report.unique_links:,} ({report.unique_link_rate:.1%})",
            "re-identified (correct unique links)": f"{report.correct_links:,} ({report.correct_link_rate:.1%})",
            "precision of unique links": f"{report.unique_link_precision:.1%}" if report.unique_links else "-",
            "expected correct guesses": f"{report.expected_correct:,.0f} ({report.expected_correct_rate:.1%})",
            "median matches": int(np.median(report.match_counts)),
        })
    table = pd.DataFrame(rows).set_index("release")
    with pd.option_context("display.width", 200, "display.max_colwidth", 80):
        print(table.to_string())

    shares = pd.DataFrame({label: report.match_count_shares()["share"].to_numpy() for label, report in reports.items()},
                          index=next(iter(reports.values())).match_count_shares()["matches"])
    print("\nshare of hospital records by number of consistent voter records")
    print((shares * 100).round(1).rename(columns=lambda c: c.split(" (")[0]).to_string())
    _plot(shares, args.output)
    return 0


def _plot(shares: pd.DataFrame, output: Path) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no plot (pip install matplotlib)")
        return
    fig, ax = plt.subplots(figsize=(8, 4.2), dpi=100)
    width = 0.8 / shares.shape[1]
    x = np.arange(len(shares.index))
    for j, label in enumerate(shares.columns):
        ax.bar(x + (j - (shares.shape[1] - 1) / 2) * width, shares[label] * 100, width, label=label.split(" (levels")[0])
    ax.set_xticks(x, shares.index)
    ax.set_xlabel("voter-list records consistent with a hospital record")
    ax.set_ylabel("share of hospital records (%)")
    ax.set_title("Linkage attack: hospital sample vs voter list")
    ax.legend(fontsize=8)
    fig.tight_layout()
    output.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(output)
    print(f"\nplot: {output.relative_to(ROOT) if output.is_relative_to(ROOT) else output}")


if __name__ == "__main__":
    sys.exit(main())
