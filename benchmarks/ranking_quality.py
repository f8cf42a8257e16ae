"""Ranking quality on real investment records: the matchmaker composite beside honest baselines.

Reads ``--data`` (default ../shared/benchdata) at run time; nothing is copied into the repo.
Every number is computed in the same run. Ties in any ranking are broken by one fixed random
order (seed 0) shared by all methods, so no method profits from file order. Per query: nDCG@10
(binary gains), R@10 and R@50 (hits in the top k / min(k, positives)) and MRR. Each table prints
its numbers of queries, candidates and positives; under it, per metric, the method (*) − the best
baseline, and the ratio of means, each with a paired bootstrap 95 % interval over queries (2,000
resamples, seed 0), and how many queries the method wins, ties and loses; hits@10/@50 count
the positives found in the top 10/50 over all queries (the small tables' plainest numbers).
Rows marked (ref) are printed for reference and are not baselines: variants of the method, and
"follow-on (portfolio first)", an honest signal outside content matching that the
all-candidates tables need.

1  crunchbase2013 (quality/crunchbase.py, crunchbase_tables.py), time splits 2013-01-01 and
   2013-07-01: all candidates, and new companies only (the matchmaking case). Baselines: random,
   popularity known at the split, category (sector) overlap, state/metro/city (location) overlap,
   category+location overlap, round overlap, TF-IDF on the portfolio's cards.
2  Chinese semantic matching (quality/chinese.py): smoothnlp investor texts → itjuzi companies.
3  itjuzi_ai820 (quality/itjuzi.py), time split 2017-07-01 — new companies (main), all
   candidates (with follow-ons) — and 2018-01-01 new companies (sensitivity); and the new-company
   case pooled over every calendar half-year with ≥ 10 new companies except the validation one
   (rolling origin: 68 queries from 34 investors instead of 22; intervals resample investors,
   since an investor is a query in several half-years). Baselines: random,
   popularity known at the split, 行业 and 子行业 overlap, province overlap, 行业+province
   overlap, TF-IDF on the portfolio's texts (joined, and nearest entry). The method is the
   product as shipped (default weights, s = 0.75, described entries' labels out of the sector
   block), built through its own profile code.

No parameter is chosen on a test window: the weights on a validation period before it; the
portfolio share s of the text fit (embeddings/views.py) and the sector block's rule for
described portfolio entries (embeddings/composite.py ``sector_labels``) on the itjuzi validation
window, whose tables are printed. The itjuzi verdict under the summary says, per metric, whether
"not worse" can be claimed (paired interval ≥ 0) or not (the interval spans 0 or lies below).

Run: .venv/bin/python benchmarks/ranking_quality.py [--data DIR] [--only crunchbase|chinese|itjuzi]
[--quick]   (--quick: crunchbase at 2013-01-01 only and 500 bootstrap resamples)
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from quality import chinese, crunchbase_tables, itjuzi
from quality.common import DEFAULT_DATA
from quality.crunchbase import load_crunchbase
from quality.metrics import METRICS, SEED, Summary, Table, compare, print_summary, print_table

from matchmaker.embeddings.views import PORTFOLIO_SHARE


def issue_checks(tables: list[Table], rounds: int) -> None:
    """Print the itjuzi verdicts: the default against the best simple baseline, on the main
    table (2017-07-01, new companies) and on the rolling half-years.

    Per metric: Δ with its paired interval, queries better/tie/worse and the positives found
    (hits). "not worse" is claimed only where the interval's lower end is ≥ 0; where it spans 0
    the line says so and gives the point estimate's side, since 20–70 queries cannot tell a
    small loss from a small gain.
    """
    for title in (f"itjuzi_ai820 split {itjuzi.SPLIT}, new companies", itjuzi.ROLLING):
        table = next((t for t in tables if t.title == title), None)
        if table is not None:
            verdicts(table, rounds)


def verdicts(main: Table, rounds: int) -> None:
    """Print one table's verdict lines (the method, and the fitted weights where they are)."""
    print(f"\n## {main.title}: is the default worse than the best simple baseline? ({main.counts})")
    for name in [main.method, *(n for n in main.extra if n.startswith("composite, fitted"))]:
        for metric, label in METRICS.items():
            best = main.best(metric)
            mine, theirs = main.results[name], main.results[best]
            c = compare(getattr(mine, metric), getattr(theirs, metric), best, rounds, main.clusters)
            if c.delta_ci[0] >= 0:
                verdict = "not worse (interval ≥ 0)"
            elif c.delta_ci[1] < 0:
                verdict = "WORSE (interval < 0)"
            else:
                side = "ahead" if c.delta > 1e-12 else "behind" if c.delta < -1e-12 else "level"
                verdict = f"{side} on the mean; interval spans 0: neither better nor worse shown"
            hits = "hits50" if metric == "r50" else "hits10"
            print(
                f"  {name} − {best}, {label}: {c.delta:+.4f} [95% {c.delta_ci[0]:+.4f}, "
                f"{c.delta_ci[1]:+.4f}], queries better/tie/worse {c.wins}/{c.ties}/{c.losses}, "
                f"{hits} {int(getattr(mine, hits).sum())} vs {int(getattr(theirs, hits).sum())}"
                f" — {verdict}"
            )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--only", choices=("crunchbase", "chinese", "itjuzi"))
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--encoder", default=None, help="text encoder (default: the product's)")
    args = parser.parse_args(argv)
    rounds = 500 if args.quick else 2000
    started = time.perf_counter()
    print(
        f"# ranking quality — {time.strftime('%Y-%m-%d')}; data {args.data}; seed {SEED}; "
        f"bootstrap {rounds}"
    )
    summary: list[tuple[str, Summary]] = []
    itjuzi_tables: list[Table] = []

    def run(tables: list[Table]) -> None:
        for table in tables:
            summary.append((table.title, print_table(table, rounds)))

    if args.only in (None, "crunchbase"):
        rows = load_crunchbase(args.data)
        texts = crunchbase_tables.card_vectors(rows, args.encoder)
        print(
            f"\n# crunchbase2013: {len(rows):,} dated investment rows (duplicates dropped), "
            f"{len(texts):,} distinct cards embedded [{time.perf_counter() - started:.0f} s]"
        )
        weights = {}
        plan = (
            ("text", texts, 0.0),
            ("no text", None, 0.0),
            ("card views", texts, PORTFOLIO_SHARE),
        )
        for name, vectors, share in plan:
            weights[name], account = crunchbase_tables.fit_weights(rows, vectors, share)
            print(
                f"weights ({name}) fitted on the validation period (profiles < "
                f"{crunchbase_tables.VALIDATION[0]}, outcomes until "
                f"{crunchbase_tables.VALIDATION[1]}):\n{account}"
            )
        crunchbase_tables.print_validation(rows, texts, weights)
        splits = crunchbase_tables.SPLITS[:1] if args.quick else crunchbase_tables.SPLITS
        for start in splits:
            run(crunchbase_tables.tables(rows, start, weights, texts))
        print(f"[crunchbase done at {time.perf_counter() - started:.0f} s]")
    if args.only in (None, "chinese"):
        run(chinese.tables(args.data, args.encoder))
    if args.only in (None, "itjuzi"):
        itjuzi_tables = itjuzi.tables(args.data, args.encoder)
        run(itjuzi_tables)

    print_summary(summary)
    issue_checks(itjuzi_tables, rounds)
    print(f"\ntotal {time.perf_counter() - started:.0f} s")
    command = " ".join([".venv/bin/python benchmarks/ranking_quality.py", *sys.argv[1:]])
    print(f"reproduce: {command}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
