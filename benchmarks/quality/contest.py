"""The independent contest set: registrations and institutions written by hand, graded by hand.

``benchmarks/data/cn_contest`` (see its README) holds ≥ 150 project registrations and ≥ 20
institutions in the product's own sheet formats, and an analyst's grades (3 must meet, 2 good
fit, 1 marginal, 0 unlisted) for every pair. It was written by someone who had not read the
ranking code or the taxonomy, after the taxonomy was frozen; it is used for evaluation only.

The method is the product as shipped, end to end: both sheets go through the product's import
into a fresh SQLite event (preset 中国创翼), the matcher builds the event's state with the
default encoder, and each institution's ranking is its best view's score with the hard limits
applied as the shortlist applies them (a project an institution's regions exclude is ranked
last). "labels removed" blanks 行业领域 and 关注领域 in both sheets before the import.

Metrics on grades: nDCG@10 with gains 2^g − 1; R@10, R@50 and MRR count grade ≥ 2 as relevant.
Baselines, none fitted: BM25 and TF-IDF on the same texts the product embeds; the structured
baseline (sector overlap + stage + ticket + region, each 0, ½ when a side does not say, or 1;
sector overlap through the frozen taxonomy's nodes, or by the label strings); and the
multilingual text cosine plus a quarter of the structured sum.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from quality.bm25 import bm25
from quality.common import ROOT
from quality.metrics import Scored, Table, random_order
from sklearn.feature_extraction.text import TfidfVectorizer

from matchmaker.db.engine import make_engine, migrate, session_factory, transaction
from matchmaker.embeddings import composite, get_encoder, regions
from matchmaker.embeddings.composite import InstitutionProfile, ProjectProfile
from matchmaker.embeddings.taxonomy import SectorMapper
from matchmaker.errors import ImportRejected
from matchmaker.ranking.shortlist import allowed_projects
from matchmaker.services.matching.matcher import Matcher
from matchmaker.services.registry.events import create_event
from matchmaker.services.registry.registrations import import_registrations
from matchmaker.text import fold

DATA = ROOT / "benchmarks" / "data" / "cn_contest"
METHOD = "matchmaker default"
BLANKED = {"projects": "行业领域", "institutions": "关注领域"}
NO_CORE = "composite, every focus sector alike (no core rule)"


def read(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8-sig") as fh:
        header, *rows = list(csv.reader(fh))
    return header, rows


def sheet(kind: str, labelled: bool, data: Path) -> bytes:
    """Return the sheet as the import reads it: no sessions, labels blanked when asked."""
    header, rows = read(data / f"{kind}.csv")
    drop = {"对接专场", "参加专场"} | (set() if labelled else {BLANKED[kind]})
    cols = [i for i, h in enumerate(header) if h not in drop]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([header[i] for i in cols])
    writer.writerows([[r[i] for i in cols] for r in rows])
    return out.getvalue().encode("utf-8")


def grades(data: Path) -> dict[tuple[str, str], int]:
    _header, rows = read(data / "judgements.csv")
    return {(r[0].strip(), r[1].strip()): int(r[2]) for r in rows}


def product_scores(
    labelled: bool, encoder_name: str | None, data: Path
) -> tuple[list[str], list[str], np.ndarray, list[InstitutionProfile], list[ProjectProfile]]:
    """Import both sheets into a fresh event and return codes, scores with the hard limits
    applied (−inf where excluded), and the profiles the product built."""
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'eval.db'}")
        migrate(engine)
        matcher = Matcher(encoder_factory=lambda: get_encoder(encoder_name))
        with transaction(session_factory(engine)) as db:
            event = create_event(db, "CNEVAL", "独立评测", 2026)
            for kind in ("projects", "institutions"):
                try:
                    import_registrations(db, event, kind, sheet(kind, labelled, data), "x.csv")
                except ImportRejected as refused:  # the set must import as an organiser's would
                    details = "; ".join(str(p.to_dict("zh")) for p in refused.problems[:5])
                    raise SystemExit(f"{kind}.csv refused by the import: {details}") from None
        with transaction(session_factory(engine)) as db:
            state = matcher.state(db, event)
            q_rows = list(range(len(state.institutions)))
            scores = state.score_matrix(q_rows, list(range(len(state.projects)))).astype(float)
            for row, q in enumerate(state.institutions):
                mask = allowed_projects(state.columns, q, state.hard[q.id])
                scores[row, ~mask] = -np.inf
            q_codes = [state.codes[("institution", q.id)] for q in state.institutions]
            p_codes = [state.codes[("project", p.id)] for p in state.projects]
            return q_codes, p_codes, scores, list(state.institutions), list(state.projects)


def core_rule_off(labelled: bool, encoder_name: str | None, data: Path) -> np.ndarray:
    """Return the product's scores with ``composite.EXTRA_FOCUS`` = 1: what the core rule
    (fixed at 0.35 before this set was written) adds."""
    kept = composite.EXTRA_FOCUS
    composite.EXTRA_FOCUS = 1.0
    try:
        return product_scores(labelled, encoder_name, data)[2]
    finally:
        composite.EXTRA_FOCUS = kept


def evaluate_graded(scores: np.ndarray, grade: np.ndarray, tiebreak: np.ndarray) -> Scored:
    """nDCG@10 with gains 2^g − 1; R@k and MRR with grade ≥ 2 as relevant."""
    order = np.lexsort((tiebreak, -np.asarray(scores, np.float64)), axis=1)
    ranked = np.take_along_axis(grade, order, axis=1)
    gains = 2.0**ranked - 1
    discounts = 1.0 / np.log2(np.arange(2, 2 + min(10, grade.shape[1])))
    best_first = -np.sort(-grade, axis=1)
    ideal = (2.0 ** best_first[:, :10] - 1) @ discounts
    hits = ranked >= 2
    n_rel = np.maximum((grade >= 2).sum(axis=1), 1)
    return Scored(
        ndcg=gains[:, :10] @ discounts / np.where(ideal > 0, ideal, 1),
        r10=hits[:, :10].sum(axis=1) / np.minimum(10, n_rel),
        r50=hits[:, :50].sum(axis=1) / np.minimum(50, n_rel),
        mrr=1.0 / (np.argmax(hits, axis=1) + 1),
        hits10=hits[:, :10].sum(axis=1),
        hits50=hits[:, :50].sum(axis=1),
    )


def structured(
    institutions: Sequence[InstitutionProfile],
    projects: Sequence[ProjectProfile],
    by_nodes: bool,
) -> np.ndarray:
    """Return (q, c): sector overlap + stage + ticket + region, each in {0, ½, 1}."""
    mapper = SectorMapper()

    def nodes(labels: Sequence[str], text: str) -> set[int]:
        return {n for _l, n in mapper.nodes_for(labels, text)}

    out = np.zeros((len(institutions), len(projects)))
    p_nodes = [nodes(p.sectors, p.text) for p in projects]
    p_labels = [{fold(s) for s in p.sectors} for p in projects]
    p_place = [regions.place_of(p.region) if p.region else None for p in projects]
    for i, q in enumerate(institutions):
        q_nodes = nodes(q.sectors, q.thesis)
        q_labels = {fold(s) for s in q.sectors}
        covered = regions.targets(q.regions) if q.regions else frozenset()
        nationwide = not q.regions or regions.is_nationwide(q.regions)
        for j, p in enumerate(projects):
            if by_nodes:
                sector = float(bool(q_nodes & p_nodes[j]))
            else:
                sector = float(
                    any(a in b or b in a for a in q_labels for b in p_labels[j] if a and b)
                )
            stage = 0.5 if not q.stages or not p.stage else float(p.stage in q.stages)
            if p.ask is None or (q.ticket_min is None and q.ticket_max is None):
                ticket = 0.5
            else:
                ticket = float((q.ticket_min or 0) <= p.ask <= (q.ticket_max or 10**15))
            if nationwide:
                region = 1.0
            elif p_place[j] is None:
                region = 0.5
            else:
                region = regions.fit(p_place[j], covered)
            out[i, j] = sector + stage + ticket + region
    return out


def tables(data: Path | None, encoder_name: str | None) -> list[Table]:
    """Return the two tables (labels on both sides; labels removed)."""
    data = data or DATA
    if not (data / "judgements.csv").exists():
        print(f"\n# independent contest set: {data} not found; skipped")
        return []
    graded = grades(data)
    encoder = get_encoder(encoder_name)
    out = []
    for labelled in (True, False):
        q_codes, p_codes, product, institutions, projects = product_scores(
            labelled, encoder_name, data
        )
        grade = np.array([[graded.get((q, p), 0) for p in p_codes] for q in q_codes])
        keep = (grade >= 2).any(axis=1)
        q_text = [q.text for q in institutions]
        p_text = [p.text for p in projects]
        q_vec, p_vec = encoder.encode(q_text), encoder.encode(p_text)
        cosine = q_vec @ p_vec.T
        tfidf = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True)
        tfidf.fit(p_text + q_text)
        by_nodes = structured(institutions, projects, by_nodes=True)
        scores = {
            "random": np.zeros(product.shape),
            "BM25 char 1-2": bm25(q_text, p_text, chinese=True),
            "TF-IDF char 1-3": (tfidf.transform(q_text) @ tfidf.transform(p_text).T).toarray(),
            "structured (taxonomy nodes + stage + ticket + region)": by_nodes,
            f"text ({encoder.name}) + structured/4": cosine + by_nodes / 4,
        }
        if labelled:
            scores["structured (label strings + stage + ticket + region)"] = structured(
                institutions, projects, by_nodes=False
            )
        scores[f"text only ({encoder.name})"] = cosine
        scores[NO_CORE] = core_rule_off(labelled, encoder_name, data)
        scores[METHOD] = product
        tiebreak = random_order(product.shape)
        results = {
            name: evaluate_graded(s[keep], grade[keep], tiebreak[keep])
            for name, s in scores.items()
        }
        extra = [f"text only ({encoder.name})", NO_CORE]
        baselines = [n for n in scores if n != METHOD and n not in extra]
        counts = (
            f"queries {int(keep.sum())} institutions, candidates {len(p_codes)} projects, graded "
            f"pairs {int((grade > 0).sum())} (grade 3: {int((grade == 3).sum())}, 2: "
            f"{int((grade == 2).sum())}, 1: {int((grade == 1).sum())}); nDCG gains 2^g − 1"
        )
        title = "independent contest set, " + (
            "labels on both sides" if labelled else "sector labels removed (free text only)"
        )
        out.append(Table(title, counts, results, METHOD, baselines, extra))
    return out
