"""Duplicate-registration detection on pairs we wrote: paraphrases, Traditional copies, reorders,
renames, and same-sector projects that are not duplicates.

Data: tests/data/duplicate_pairs.csv (written before the detector's code was read; see its
commit): 40 duplicate pairs and 17 negative pairs (same narrow sector, same city, similar ask,
figures of the same size). All 114 rows are checked as one batch, as an event's duplicate check
does, so a false alarm between two pairs counts too. Then the packaged demo's 240 registrations,
whose three planted pairs are the only duplicates: no other pair may be flagged.

Path: each row becomes the ``Project`` the importer stores (ask parsed to yuan, sectors split),
the service's :func:`~matchmaker.services.matching.duplicates.registration` turns it into what
the detector sees, and the text vectors are the matcher's own: the default encoder
(``get_encoder()``) on the project's profile text. Only the database is left out (in an event
the import would refuse the same-name copies outright; the detector is measured on them anyway).

Baselines, measured in the same run: plain TF-IDF (char 1-3, fitted on the batch) cosine and
the encoder's cosine, each with the threshold that gives its best F1 on these very pairs (which
flatters them: the detector's threshold was not chosen on this file's scores alone). The
baseline thresholds are then carried to the demo to count their false alarms there.

Last, real descriptions nobody here wrote or tuned on: the 820 itjuzi_ai820 companies that
have a description (../shared/benchdata, read at run time; name, description, location as the
place; no contacts or asks) with the same encoder. Every flagged pair is listed with whether
the two rows share a legal name (the same company listed twice) or not (a false alarm).

Precision and recall carry Wilson 95 % intervals (pairs are the unit; they are not independent
draws, so read the intervals as a size guide).

Then the library's linking across contests (#19): each pair's second row registers in a new
contest, its first is in a sharing contest's library, and the detector runs as linking runs it
(lexical, only across, contacts blanked), with its time beside scoring every pair of the pool.

Run: PYTHONPATH=. .venv/bin/python benchmarks/duplicates_quality.py [--data ../shared/benchdata]
(about 30 s, most of it loading the encoder and embedding 1,221 texts)
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

import numpy as np

import matchmaker.demo
from matchmaker.db.models import Project
from matchmaker.domain import YUAN_PER_WAN, parse_amount, split_multi
from matchmaker.embeddings import Encoder, TfidfEncoder, get_encoder
from matchmaker.ranking.duplicates import (
    DEFAULT_THRESHOLD,
    DuplicatePair,
    Registration,
    find_duplicates,
)
from matchmaker.services.matching.duplicates import registration
from matchmaker.services.matching.profiles import project_profile

ROOT = Path(__file__).resolve().parents[1]
BENCHDATA = ROOT.parent / "shared" / "benchdata"
PAIRS = ROOT / "tests" / "data" / "duplicate_pairs.csv"
DEMO = Path(matchmaker.demo.__file__).parent / "data" / "projects.csv"
DEMO_PLANTED = {
    ("XH2026-P190", "XH2026-P206"): "traditional_copy",
    ("XH2026-P099", "XH2026-P171"): "paraphrase",
    ("XH2026-P188", "XH2026-P227"): "renamed",
}
KIND_ORDER = ("paraphrase", "traditional_copy", "reordered", "renamed")
Pair = tuple[str, str]


@dataclass(frozen=True)
class Batch:
    """Registrations as stored, their text vectors, and what is true about their pairs."""

    projects: list[Project]
    vectors: np.ndarray
    duplicates: dict[Pair, str]  # a duplicate pair -> its kind
    negatives: set[Pair]  # the pairs written as look-alikes that are not duplicates


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def as_project(row: dict[str, str]) -> Project:
    """Return the project the importer would store for a sheet row (not saved anywhere)."""
    return Project(
        code=row["报名编号"],
        name=row["项目名称"],
        track=row["赛道"],
        sectors=split_multi(row["行业领域"]),
        stage=None,
        funding_ask=parse_amount(row["融资需求(万元)"], YUAN_PER_WAN),
        region=row["所在地区"],
        description=row["项目简介"],
        contact_phone=row["联系电话"],
        contact_email=row["电子邮箱"],
    )


def load(path: Path, encoder: Encoder) -> tuple[list[dict[str, str]], list[Project], np.ndarray]:
    rows = read_rows(path)
    projects = [as_project(r) for r in rows]
    vectors = encoder.encode([project_profile(p).text for p in projects])
    return rows, projects, vectors


def pairs_batch(encoder: Encoder) -> Batch:
    rows, projects, vectors = load(PAIRS, encoder)
    members: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        members.setdefault(row["对编号"], []).append(row)
    duplicates, negatives = {}, set()
    for group in members.values():
        a, b = sorted(r["报名编号"] for r in group)
        if group[0]["类型"] == "negative":
            negatives.add((a, b))
        else:
            duplicates[(a, b)] = group[0]["类型"]
    return Batch(projects, vectors, duplicates, negatives)


def demo_batch(encoder: Encoder) -> Batch:
    _rows, projects, vectors = load(DEMO, encoder)
    return Batch(projects, vectors, dict(DEMO_PLANTED), set())


def wilson(hits: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval of a proportion (0, 1 when n is 0)."""
    if n == 0:
        return 0.0, 1.0
    p = hits / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def rate(hits: int, n: int) -> str:
    lo, hi = wilson(hits, n)
    value = hits / n if n else float("nan")
    return f"{value:.3f} [{lo:.2f}, {hi:.2f}] ({hits}/{n})"


def detector(batch: Batch) -> list[DuplicatePair]:
    """Every pair the detector scores above a floor, so margins can be read off too."""
    registrations = [registration(p) for p in batch.projects]
    return find_duplicates(registrations, batch.vectors, threshold=0.05)


def cosine_scores(vectors: np.ndarray, codes: Sequence[str]) -> dict[Pair, float]:
    unit = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    sims = unit @ unit.T
    out: dict[Pair, float] = {}
    for i, j in combinations(range(len(codes)), 2):
        a, b = sorted((codes[i], codes[j]))
        out[(a, b)] = float(sims[i, j])
    return out


def tfidf_vectors(projects: Sequence[Project]) -> np.ndarray:
    texts = [f"{p.name}\n{p.description}" for p in projects]
    return TfidfEncoder(analyzer="char", ngram_range=(1, 3)).fit(texts).encode(texts)


def best_f1(scores: dict[Pair, float], truth: Iterable[Pair]) -> float:
    """The threshold with the best F1 on these scores (ties: the higher threshold)."""
    truth = set(truth)
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    best, chosen, hits = -1.0, 1.0, 0
    for k, (pair, score) in enumerate(ranked, start=1):
        hits += pair in truth
        f1 = 2 * hits / (k + len(truth))
        if f1 > best:
            best, chosen = f1, score
    return chosen


def report(name: str, flagged: set[Pair], batch: Batch) -> None:
    hits = len(flagged & set(batch.duplicates))
    print(f"  {name:<34} precision {rate(hits, len(flagged))}")
    print(f"  {'':<34} recall    {rate(hits, len(batch.duplicates))}")


def margins(scores: dict[Pair, float], batch: Batch) -> None:
    weakest = min(batch.duplicates, key=lambda pair: scores.get(pair, 0.0))
    nearest = max((p for p in scores if p not in batch.duplicates), key=lambda p: scores[p])
    print(
        f"  {'':<34} weakest duplicate {scores.get(weakest, 0.0):.3f} {weakest}; "
        f"strongest non-duplicate {scores[nearest]:.3f} {nearest}"
    )


def evaluate_pairs(encoder: Encoder) -> dict[str, float]:
    batch = pairs_batch(encoder)
    codes = [p.code for p in batch.projects]
    scored = detector(batch)
    score = {(p.a, p.b): p.similarity for p in scored}
    found = {(p.a, p.b): p for p in scored if p.similarity >= DEFAULT_THRESHOLD}

    print(f"\n== Our pairs: {len(codes)} registrations checked as one batch ==")
    print(f"  {'kind':<18} {'pairs':>5} {'found':>6} {'kind named':>11}")
    for kind in KIND_ORDER:
        mine = [pair for pair, k in batch.duplicates.items() if k == kind]
        hit = [pair for pair in mine if pair in found]
        named = [pair for pair in hit if found[pair].kind == kind]
        print(f"  {kind:<18} {len(mine):>5} {len(hit):>6} {len(named):>11}")
    alarms = sorted(set(found) - set(batch.duplicates))
    inside = [pair for pair in alarms if pair in batch.negatives]
    print(f"  {'negative':<18} {len(batch.negatives):>5} {len(inside):>6}  (flagged)")
    print(f"  false alarms between any two rows: {len(alarms)} {alarms[:5]}")

    print(f"\n  detector (threshold {DEFAULT_THRESHOLD}), against baselines at their best-F1 cut:")
    report("detector", set(found), batch)
    margins(score, batch)
    cuts = {}
    for name, vectors in (
        ("TF-IDF char 1-3 cosine", tfidf_vectors(batch.projects)),
        (f"encoder cosine ({encoder.name})", batch.vectors),
    ):
        scores = cosine_scores(vectors, codes)
        cut = best_f1(scores, batch.duplicates)
        cuts[name] = cut
        report(f"{name} ≥ {cut:.3f}", {pair for pair, s in scores.items() if s >= cut}, batch)
        margins(scores, batch)
    return cuts


def evaluate_demo(encoder: Encoder, cuts: dict[str, float]) -> None:
    batch = demo_batch(encoder)
    codes = [p.code for p in batch.projects]
    scored = detector(batch)
    found = {(p.a, p.b): p.kind for p in scored if p.similarity >= DEFAULT_THRESHOLD}
    others = [p for p in scored if (p.a, p.b) not in batch.duplicates]
    print(f"\n== Demo: {len(codes)} registrations, {len(batch.duplicates)} planted pairs ==")
    print(f"  detector flags: {found}")
    print(f"  planted pairs found with their kind: {found == batch.duplicates}")
    top = others[0] if others else None
    print(
        f"  strongest other pair: {top.similarity:.3f} ({top.a}, {top.b})"
        if top
        else "  no other pair scores above 0.05"
    )
    for name, vectors in (
        ("TF-IDF char 1-3 cosine", tfidf_vectors(batch.projects)),
        (f"encoder cosine ({encoder.name})", batch.vectors),
    ):
        scores = cosine_scores(vectors, codes)
        flagged = {pair for pair, s in scores.items() if s >= cuts[name]}
        extra = len(flagged - set(batch.duplicates))
        caught = len(flagged & set(batch.duplicates))
        print(
            f"  {name} ≥ {cuts[name]:.3f} (its cut on our pairs): "
            f"{caught}/3 planted, {extra} false alarms"
        )


def evaluate_real(encoder: Encoder, data: Path, cuts: dict[str, float]) -> None:
    companies = data / "itjuzi_ai820" / "companies.csv"
    if not companies.exists():
        print(f"\n(itjuzi companies not found at {companies}: skipped; see --data)")
        return
    with companies.open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["description"].strip()]
    registrations = [
        Registration(r["company_id"], r["name"], r["description"], region=r["location"])
        for r in rows
    ]
    texts = [project_profile(as_project(_sheet_row(r))).text for r in rows]
    vectors = encoder.encode(texts)
    pairs = find_duplicates(registrations, vectors)
    legal = {r["company_id"]: r["legal_name"].strip() for r in rows}
    same = [p for p in pairs if legal[p.a] and legal[p.a] == legal[p.b]]
    print(f"\n== Real descriptions: {len(rows)} itjuzi companies, nothing tuned on them ==")
    others = len(pairs) - len(same)
    print(f"  flagged {len(pairs)}: {len(same)} the same legal company, {others} not")
    names = {r["company_id"]: r["name"] for r in rows}
    for p in pairs:
        verdict = "same company" if p in same else "different companies"
        print(f"  {p.similarity:.3f} {p.kind:<12} {names[p.a]} / {names[p.b]}: {verdict}")
    codes = [r["company_id"] for r in rows]
    baselines = (
        ("TF-IDF char 1-3 cosine", tfidf_vectors([as_project(_sheet_row(r)) for r in rows])),
        (f"encoder cosine ({encoder.name})", vectors),
    )
    for name, matrix in baselines:
        flagged = [pair for pair, s in cosine_scores(matrix, codes).items() if s >= cuts[name]]
        alike = sum(1 for a, b in flagged if legal[a] and legal[a] == legal[b])
        print(
            f"  {name} ≥ {cuts[name]:.3f} (its cut on our pairs): flags {len(flagged)}, "
            f"{alike} the same legal company"
        )


def evaluate_across(data: Path) -> None:
    """The library's linking (#19): a new contest's rows against a sharing contest's, lexical
    (linking runs at import, without text vectors), contacts blanked (a re-entrant may change
    them; a shared contact is a proposal of its own), kinds other than ``same_contact``."""
    batch_rows = read_rows(PAIRS)
    first: dict[str, dict[str, str]] = {}
    for row in batch_rows:
        first.setdefault(row["对编号"], row)
    library = [r for r in batch_rows if first[r["对编号"]] is r]
    entrants = [r for r in batch_rows if first[r["对编号"]] is not r]

    def blank(row: dict[str, str]) -> Registration:
        return registration(as_project({**row, "联系电话": "", "电子邮箱": ""}))

    regs = [blank(r) for r in entrants] + [blank(r) for r in library]
    found = {
        (p.a, p.b) for p in find_duplicates(regs, across=len(entrants)) if p.kind != "same_contact"
    }
    truth = {
        tuple(sorted((first[r["对编号"]]["报名编号"], r["报名编号"])))
        for r in entrants
        if r["类型"] != "negative"
    }
    hits = len(found & truth)
    print(
        f"\n== Across contests (library linking): {len(entrants)} new rows against "
        f"{len(library)} library rows, lexical, contacts blanked =="
    )
    print(f"  precision {rate(hits, len(found))}")
    print(f"  recall    {rate(hits, len(truth))}")
    print(f"  flagged not duplicates: {sorted(found - truth)[:5]}")

    # the cost: one new contest against a library, across only, beside every pair of the pool
    pool = [registration(as_project(r)) for r in read_rows(DEMO)] + regs
    companies = data / "itjuzi_ai820" / "companies.csv"
    if companies.exists():
        with companies.open(encoding="utf-8", newline="") as handle:
            pool += [
                Registration(r["company_id"], r["name"], r["description"], region=r["location"])
                for r in csv.DictReader(handle)
                if r["description"].strip()
            ]
    new = 200
    started = time.perf_counter()
    find_duplicates(pool, across=new)
    across = time.perf_counter() - started
    started = time.perf_counter()
    find_duplicates(pool)
    every = time.perf_counter() - started
    print(
        f"  time, {new} new rows against a library of {len(pool) - new}: across {across:.2f} s; "
        f"every pair of all {len(pool)} (baseline) {every:.2f} s; ratio {every / across:.1f}×"
    )


def _sheet_row(company: dict[str, str]) -> dict[str, str]:
    """An itjuzi company written as a registration sheet row (for the profile text)."""
    return {
        "报名编号": company["company_id"],
        "项目名称": company["name"],
        "赛道": company["industry"],
        "行业领域": company["industry"],
        "融资需求(万元)": "",
        "所在地区": company["location"],
        "项目简介": company["description"],
        "联系电话": "",
        "电子邮箱": "",
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=BENCHDATA, help="the benchdata folder")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    encoder = get_encoder()
    cuts = evaluate_pairs(encoder)
    evaluate_demo(encoder, cuts)
    evaluate_real(encoder, args.data, cuts)
    evaluate_across(args.data)
    print(f"\n({time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
