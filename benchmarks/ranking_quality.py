"""Ranking quality on real investment records: the matchmaker composite beside honest baselines.

Reads ``--data`` (default ../shared/benchdata) at run time; nothing is copied into the repo.
Every number is computed in the same run. Ties in any ranking are broken by one fixed random
order (seed 0) shared by all methods, so no method profits from file order. Per query: nDCG@10
(binary gains), R@10 and R@50 (hits in the top k / min(k, positives)) and MRR. Each table prints
its numbers of queries, candidates and positives; under it, per metric, the method (*) − the best
baseline, and the ratio of means, each with a paired bootstrap 95 % interval over queries (2,000
resamples, seed 0), and how many queries the method wins, ties and loses; hits@10/@50 count
the positives found in the top 10/50 over all queries (the small tables' plainest numbers).
Every simple method is a baseline, and "best baseline" is the best of all of them per metric:
BM25 on the same text a baseline may use (quality/bm25.py) and the untuned profile shares are
baselines, not references. Rows marked (ref) are only variants of the method, the follow-on
signal (an honest signal outside content matching) and, on the Chinese semantic set, the
investor's 行业 histogram share, which restates that table's relevance rule. The taxonomy is
frozen (embeddings/sector_nodes.py): the names once added for IT桔子's industries are out.

1  crunchbase2013 (quality/crunchbase.py, crunchbase_tables.py), time splits 2013-01-01 and
   2013-07-01: all candidates, and new companies only (the matchmaking case). Baselines: random,
   popularity known at the split, category / place / round overlaps, TF-IDF and BM25 on the
   portfolio's cards, profile shares (category + region + round + amount). Disclosed: a
   candidate's round size is that of the round the positives joined (outcome information).
   A contender row, "learned rerank (trained on windows before the split)"
   (quality/crunchbase_rerank.py): boosted trees over the composite's block fits, the baselines'
   scores and history features, trained on the four yearly windows before the split; settings
   chosen on the 2012 validation window, whose figures are printed; it stands against the best
   baseline with the same paired intervals as the method.
2  Chinese semantic matching (quality/chinese.py): smoothnlp investor texts → itjuzi companies;
   baselines add BM25, the taxonomy-node profile share and a structured overlap (sector + stage).
3  itjuzi_ai820 (quality/itjuzi.py), time split 2017-07-01 — new companies (main), all
   candidates (with follow-ons) — and 2018-01-01 new companies (sensitivity); and the new-company
   case pooled over every calendar half-year with ≥ 10 new companies except the validation one
   (rolling origin: intervals resample investors, since an investor is a query in several
   half-years). Baselines: random, popularity known at the split, 行业 / 子行业 / province
   overlaps, TF-IDF (joined, nearest entry) and BM25 on the portfolio's texts, profile shares
   (行业 + 子行业 + 省). The method is the product as shipped (default weights, s = 0.75),
   built through its own profile code.
4  The independent contest set (quality/contest.py, benchmarks/data/cn_contest): hand-written
   registrations and institutions, graded 0–3 by hand, imported through the product into a
   fresh event; with labels and with 行业领域/关注领域 blanked. Baselines: BM25, TF-IDF, the
   structured baseline (sector overlap + stage + ticket + region), text cosine + structured/4.
   The verdict lines under the summary compare the default with the structured baseline.

No parameter is chosen on a test window: the weights on a validation period before it; the
portfolio share s of the text fit (embeddings/views.py) and the sector block's rule for
described portfolio entries (embeddings/composite.py ``sector_labels``) on the itjuzi validation
window, whose tables are printed. The itjuzi verdict under the summary says, per metric, whether
"not worse" can be claimed (paired interval ≥ 0) or not (the interval spans 0 or lies below).

Run: .venv/bin/python benchmarks/ranking_quality.py [--data DIR]
[--only crunchbase|chinese|itjuzi|contest] [--contest DIR] [--quick]
(--quick: crunchbase at 2013-01-01 only and 500 bootstrap resamples)
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from quality import chinese, contest, crunchbase_rerank, crunchbase_tables, itjuzi
from quality.common import DEFAULT_DATA
from quality.crunchbase import load_crunchbase
from quality.metrics import (
    METRICS,
    SEED,
    Summary,
    Table,
    compare,
    print_contenders,
    print_summary,
    print_table,
)

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


STRUCTURED = "structured (taxonomy nodes + stage + ticket + region)"


def against(table: Table, baseline: str, rounds: int) -> None:
    """Print the method against one named baseline on nDCG@10: Δ with its paired interval."""
    mine, theirs = table.results[table.method].ndcg, table.results[baseline].ndcg
    c = compare(mine, theirs, baseline, rounds, table.clusters)
    verdict = "interval above 0" if c.delta_ci[0] > 0 else "interval does not clear 0"
    print(
        f"\n## {table.title}: {table.method} − {baseline}, nDCG@10 {c.delta:+.4f} "
        f"[95% {c.delta_ci[0]:+.4f}, {c.delta_ci[1]:+.4f}], ratio {c.ratio:.2f}×, queries "
        f"better/tie/worse {c.wins}/{c.ties}/{c.losses} — {verdict}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--only", choices=("crunchbase", "chinese", "itjuzi", "contest"))
    parser.add_argument(
        "--contest", type=Path, default=None, help="the independent set (default: its folder)"
    )
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--no-rerank",
        action="store_true",
        help="skip the crunchbase learned-rerank contender (its fits and scoring take ~15 min)",
    )
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
            summary.extend(print_contenders(table, rounds))

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
        reranker = None
        if not args.no_rerank:
            reranker = crunchbase_rerank.SplitReranker(rows, weights["text"], texts, args.data)
            crunchbase_rerank.print_validation(reranker, rounds)
        splits = crunchbase_tables.SPLITS[:1] if args.quick else crunchbase_tables.SPLITS
        for start in splits:
            reranked = None
            if reranker is not None:
                model, account = reranker.fit(start)
                print(f"reranker for the split {start}:\n{account}")
                scored = crunchbase_rerank.score(model, reranker.features(start)[0])
                reranked = (crunchbase_rerank.RERANK, scored)
            run(crunchbase_tables.tables(rows, start, weights, texts, reranked))
        print(f"[crunchbase done at {time.perf_counter() - started:.0f} s]")
    if args.only in (None, "chinese"):
        run(chinese.tables(args.data, args.encoder))
    if args.only in (None, "itjuzi"):
        itjuzi_tables = itjuzi.tables(args.data, args.encoder)
        run(itjuzi_tables)

    contest_tables: list[Table] = []
    if args.only in (None, "contest"):
        contest_tables = contest.tables(args.contest, args.encoder)
        run(contest_tables)

    print_summary(summary)
    issue_checks(itjuzi_tables, rounds)
    for table in contest_tables:
        against(table, STRUCTURED, rounds)
        verdicts(table, rounds)
    print(f"\ntotal {time.perf_counter() - started:.0f} s")
    command = " ".join([".venv/bin/python benchmarks/ranking_quality.py", *sys.argv[1:]])
    print(f"reproduce: {command}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
