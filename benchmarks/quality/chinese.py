"""Chinese semantic matching: smoothnlp investors (介绍, 行业) against itjuzi company descriptions.

Not a time split: queries are smoothnlp investors (介绍 ≥ 20 chars, ≥ 3 portfolio companies),
candidates itjuzi companies, ≤ 40 per 行业 in a fixed sha1 order (a deterministic sub-sample:
硬件 and 企业服务 would otherwise be most of the pool). Relevant: the company's itjuzi industry
is one of the investor's top sectors (≥ 10 % of its portfolio, at most 3) through
SMOOTHNLP_TO_ITJUZI. "labels": the query is 介绍 + its 行业 names and the company its
description + industry/sub-industry (the composite's sector block gets them, count-weighted on
the investor side); "sector overlap (same label)" nearly restates the relevance rule. "no
labels": 介绍 alone vs description alone; sectors only as the taxonomy infers them from text.
Default weights (nothing to fit them on). Popularity = funding events of the company.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from chinese_labels import SMOOTHNLP_TO_ITJUZI
from quality.bm25 import bm25
from quality.common import (
    CN_ROUND_STAGE,
    Company,
    histogram_text,
    load_itjuzi,
    product_fits,
    read_csv,
    stable_key,
    stage_names,
    weighted,
)
from quality.metrics import Table, evaluate, random_order

from matchmaker.embeddings import TfidfEncoder, get_encoder
from matchmaker.embeddings.composite import (
    CompositeSpace,
    InstitutionProfile,
    ProjectProfile,
    Weights,
)
from matchmaker.embeddings.views import build_views

METHOD = "composite (text+sector+stage)"
CEILING = "profile share (行业 histogram; restates relevance)"


def _pool(data: Path) -> tuple[list[Company], dict[str, str | None], int]:
    """Return the candidate pool, each company's latest-round stage, and the pool it came from."""
    companies, events, _investments = load_itjuzi(data)
    latest: dict[str, tuple[str, str]] = {}
    for e in events:
        if e["date"] >= latest.get(e["company_id"], ("", ""))[0]:
            latest[e["company_id"]] = (e["date"], e["round"])
    stage = {c: CN_ROUND_STAGE.get(r) for c, (_d, r) in latest.items()}
    described = [c for c in companies if c.description]
    pool, per = [], Counter()
    for c in sorted(described, key=lambda c: stable_key(c.cid)):
        if per[c.industry] < 40:
            per[c.industry] += 1
            pool.append(c)
    return pool, stage, len(described)


def tables(data: Path, encoder_name: str | None) -> list[Table]:
    pool, stage, described = _pool(data)
    investors = []
    for row in sorted(
        read_csv(data / "smoothnlp_cn" / "investors.csv"), key=lambda r: stable_key(r["org_id"])
    ):
        intro, sectors = row["介绍"].strip(), histogram_text(row["行业"])
        total = sum(n for _, n in sectors)
        if len(intro) < 20 or "暂无" in intro or total < 3:
            continue
        top = [
            SMOOTHNLP_TO_ITJUZI[s]
            for s, n in sorted(sectors, key=lambda x: -x[1])
            if s in SMOOTHNLP_TO_ITJUZI and n / total >= 0.1
        ][:3]
        if top:
            investors.append((row, intro, sectors, set(top)))
    relevant = np.array([[c.industry in top for c in pool] for *_r, top in investors])
    keep = relevant.any(axis=1)
    investors = [inv for inv, k in zip(investors, keep, strict=True) if k]
    relevant = relevant[keep]
    tiebreak = random_order(relevant.shape)
    encoder = get_encoder(encoder_name)
    space = CompositeSpace(encoder.dim)
    popularity = np.broadcast_to(np.array([c.events for c in pool], float), relevant.shape)
    out = []
    for labelled in (True, False):
        queries = [
            intro + ("\n关注领域：" + "、".join(s for s, _ in sectors) if labelled else "")
            for _row, intro, sectors, _top in investors
        ]
        docs = [
            c.description + (f"\n行业：{c.industry}·{c.sub_industry}" if labelled else "")
            for c in pool
        ]
        q_vec, d_vec = encoder.encode(queries), encoder.encode(docs)
        tfidf = TfidfEncoder().fit(docs + queries)
        scores = {
            "random": np.zeros(relevant.shape),
            "popularity (funding events)": popularity,
            "TF-IDF char 1-3": tfidf.encode(queries) @ tfidf.encode(docs).T,
            "BM25 char 1-2": bm25(queries, docs, chinese=True),
        }
        if labelled:
            names = [{s for s, _ in sectors} for _r, _i, sectors, _t in investors]
            scores["sector overlap (taxonomy nodes)"] = node_overlap(space, names, pool)
            scores["sector overlap (same label)"] = np.array(
                [[bool({c.industry, c.sub_industry} & n) for c in pool] for n in names], float
            )
            # the investor's 行业 histogram, mapped to itjuzi names: its share of the
            # company's 行业 (this restates the relevance rule: a ceiling, not a rival)
            shares = np.zeros(relevant.shape)
            for qi, (_row, _intro, sectors, _top) in enumerate(investors):
                total = sum(n for _s, n in sectors)
                mapped = Counter()
                for name, n in sectors:
                    mapped[SMOOTHNLP_TO_ITJUZI.get(name, name)] += n
                shares[qi] = [mapped[c.industry] / total for c in pool]
            scores[CEILING] = shares
            scores["profile share (taxonomy nodes)"] = node_share(space, investors, pool)
            stages = [set(stage_names(histogram_text(r["轮次"]))) for r, *_ in investors]
            scores["structured (sector overlap + stage)"] = scores[
                "sector overlap (same label)"
            ] + np.array([[stage.get(c.cid) in st for c in pool] for st in stages], float)
        scores[f"text only ({encoder.name})"] = q_vec @ d_vec.T
        # the product's portfolio sectors: one label per company held, so counts weigh
        held = [
            tuple(s for s, n in inv[2] for _ in range(n)) if labelled else () for inv in investors
        ]
        institutions = [
            InstitutionProfile(
                i,
                portfolio_sectors=held[i],
                stages=stage_names(histogram_text(row["轮次"])),
                text=intro,
            )
            for i, (row, intro, sectors, _t) in enumerate(investors)
        ]
        projects = [
            ProjectProfile(
                i,
                sectors=(c.industry, c.sub_industry) if labelled else (),
                stage=stage.get(c.cid),
                text=c.description,
            )
            for i, c in enumerate(pool)
        ]
        q = space.encode_institutions(institutions, q_vec)
        views = build_views(space, q, [np.zeros((0, encoder.dim))] * len(q))  # no portfolio texts
        fits = product_fits(space, q, views, space.encode_projects(projects, d_vec))
        scores[METHOD] = weighted(fits, Weights())
        results = {n: evaluate(s, relevant, tiebreak) for n, s in scores.items()}
        extra = [n for n in (CEILING, f"text only ({encoder.name})") if n in scores]
        baselines = [n for n in scores if n != METHOD and n not in extra]
        counts = (
            f"queries {len(investors)}, candidates {len(pool)} (≤ 40 per 行业 of {described}: "
            f"deterministic sub-sample), positives {int(relevant.sum())}"
        )
        title = "Chinese semantic, " + (
            "labels on both sides" if labelled else "sector labels removed (free text only)"
        )
        out.append(Table(title, counts, results, METHOD, baselines, extra))
    return out


def node_overlap(space: CompositeSpace, names: list[set[str]], pool: list[Company]) -> np.ndarray:
    def nodes(labels: Sequence[str]) -> set[int]:
        return {n for _l, n in space.mapper.nodes_for(labels)}

    company_nodes = [nodes((c.industry, c.sub_industry)) for c in pool]
    return np.array([[bool(nodes(sorted(n)) & c) for c in company_nodes] for n in names], float)


def node_share(space: CompositeSpace, investors: list, pool: list[Company]) -> np.ndarray:
    """Return (q, c): the investor's 行业 histogram share of each company's taxonomy nodes (the
    audit's shortcut, through the frozen taxonomy; labels that map to no node count nothing)."""
    out = np.zeros((len(investors), len(pool)))
    company_nodes = [
        {n for _l, n in space.mapper.nodes_for((c.industry, c.sub_industry))} for c in pool
    ]
    for qi, (_row, _intro, sectors, _top) in enumerate(investors):
        total = sum(n for _s, n in sectors)
        per_node: Counter[int] = Counter()
        for name, n in sectors:
            for _l, node in space.mapper.nodes_for((name,)):
                per_node[node] += n
        out[qi] = [sum(per_node[n] for n in nodes) / total for nodes in company_nodes]
    return out
