"""Text encoder quality and speed on real Chinese records: which encoder ships as the default.

Reads ../shared/benchdata (itjuzi_ai820, smoothnlp_cn) at run time; nothing is copied into the
repo. Relevance always comes from labels the text under test does not contain:

  A   investor → company: a smoothnlp investor's 介绍 + its 行业 names (no counts) as the query;
      itjuzi companies as documents, graded gain = the share of the investor's portfolio in the
      company's itjuzi 行业 (shares ≥ 10 %, through the mapping below; AI/智能制造/高科技-style
      labels have no itjuzi counterpart and are left out). The pool caps each 行业 at
      --per-industry companies (硬件 and 企业服务 would otherwise be 77 % of it).
  B   子行业 → company: 17 itjuzi sub-industries; the label itself (B-label) or a thesis we wrote
      that avoids the label (B-thesis) as the query; relevant = the companies of that
      sub-industry. "masked": every label word of every query is deleted from every
      description, so the text must be understood, not string-matched.
  C   the A and B-thesis-masked queries in Traditional characters (OpenCC s2t): "folded" is the
      product path (encode() folds to Simplified); "raw" feeds Traditional to the model as is.
  D   an English thesis we wrote → the same sub-industry's Chinese companies (B pool, unmasked).

smoothnlp companies carry no sector and cannot be joined to the labelled files (SOURCE.md), so
they serve only as the Chinese text for the speed columns. Metrics: nDCG@10 (graded for A,
binary otherwise) and R@50 = hits / min(50, relevant). TF-IDF is fitted on each pool's
documents plus that pool's queries (the product fits on the event's whole corpus). Ensembles
are built from the members' vectors exactly as EnsembleEncoder does (checked below).

Run: .venv/bin/python benchmarks/encoder_quality.py [--e5-passage] [--speed-only]  (431 s with
the 2 cores shared with other work at load 3.5; e5-small takes most of it)
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import os
import re
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import opencc
from chinese_labels import SMOOTHNLP_TO_ITJUZI as INVESTOR_TO_ITJUZI

from matchmaker.embeddings import (
    E5Encoder,
    Encoder,
    EnsembleEncoder,
    TfidfEncoder,
    UseEncoder,
    get_encoder,
    minilm_encoder,
    normalize_rows,
)

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "benchdata"


# sub_industry: (label words masked out of descriptions, Chinese thesis, English thesis).
SUBSECTORS: dict[str, tuple[tuple[str, ...], str, str]] = {
    "机器人": (("机器人",), "能自主感知环境、移动并完成作业的智能机械装备",
               "Machines that sense, move and do physical work on their own"),
    "数据服务": (("数据服务", "数据"), "为企业采集、清洗、分析和挖掘信息，提供决策洞察",
                 "Companies that collect, clean and analyse business information for insight"),
    "车联网及硬件": (("车联网", "硬件"), "让汽车联网并辅助驾驶的车载终端与系统",
                     "Connected-car devices and driver-assistance systems"),
    "智能家居": (("智能家居", "家居"), "让家里的灯光、家电和门锁可以远程或用语音控制的产品",
                 "Smart home: lights, appliances and locks controlled by phone or voice"),
    "飞行器": (("飞行器",), "无人驾驶的航空器及其飞控和航拍系统",
               "Drones: unmanned aircraft, flight control and aerial imaging"),
    "传感器及中间件": (("传感器", "中间件"), "感知温度、位置、图像等信号的元件模组和物联网连接软件",
                       "Sensing components and IoT connectivity middleware"),
    "IT基础设施": (("IT基础设施", "基础设施"), "云计算、服务器、存储与网络等企业底层算力平台",
                   "Cloud computing, servers, storage and networks for enterprises"),
    "消费电子": (("消费电子",), "面向个人的智能电子产品，如耳机、音箱、手机配件",
                 "Consumer gadgets such as earphones, speakers and phone accessories"),
    "医疗信息化": (("医疗", "信息化"), "医院管理系统、电子病历和医学影像辅助诊断软件",
                   "Hospital information systems, health records and imaging diagnosis software"),
    "芯片半导体": (("芯片", "半导体"), "集成电路设计与处理器研发，包括人工智能专用计算单元",
                   "Chip design and processors, including AI accelerators"),
    "客户服务": (("客户服务", "客服"), "帮企业自动应答顾客咨询的智能坐席与呼叫中心系统",
                 "Software that answers customer enquiries for businesses: chatbots, call centres"),
    "交通出行": (("交通", "出行"), "城市里的通勤、共享乘车和道路调度服务",
                 "Urban mobility: commuting, ride sharing and road traffic management"),
    "B2D开发者服务": (("开发者",), "给程序员用的接口、工具包和应用开发平台",
                      "APIs, SDKs and platforms for software developers"),
    "医疗器械及硬件": (("医疗器械", "器械", "医疗", "硬件"), "用于诊断、治疗和康复的仪器设备",
                       "Medical devices for diagnosis, treatment and rehabilitation"),
    "教育信息化": (("教育", "信息化"), "学校和培训机构用的教学、批改与管理软件",
                   "Software for schools: teaching, homework grading and administration"),
    "人力资源": (("人力资源",), "招聘、人才测评和员工管理服务",
                 "Recruiting, talent assessment and employee management"),
    "企业安全": (("企业安全", "安全"), "防御网络攻击、保护数据和身份认证的产品",
                 "Cyber security: attack defence, data protection and identity"),
}  # fmt: skip

SPEED_SENTENCES = 96
LATENCY_CALLS = 20


@dataclass
class Task:
    name: str
    queries: list[str]
    pool: str
    gains: np.ndarray  # (queries, documents) float
    raw: bool = False  # feed the queries to the model without folding to Simplified


# ---- data ------------------------------------------------------------------------------------


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def stable_order(rows: list[dict[str, str]], key: str) -> list[dict[str, str]]:
    """Return ``rows`` in a fixed pseudo-random order (sha1 of ``key``): deterministic samples."""
    return sorted(rows, key=lambda r: hashlib.sha1(r[key].encode()).hexdigest())


def capped(rows: list[dict[str, str]], label: str, cap: int) -> list[dict[str, str]]:
    seen: dict[str, int] = {}
    out = []
    for row in rows:
        if seen.get(row[label], 0) < cap:
            seen[row[label]] = seen.get(row[label], 0) + 1
            out.append(row)
    return out


def mask(text: str) -> str:
    for word in sorted({w for words, _, _ in SUBSECTORS.values() for w in words}, key=len)[::-1]:
        text = text.replace(word, "")
    return text


def investor_queries(limit: int) -> list[tuple[str, dict[str, float]]]:
    """Return (query text, {itjuzi 行业: portfolio share}) for investors with a real intro."""
    out = []
    rows = stable_order(read_csv(DATA / "smoothnlp_cn" / "investors.csv"), "org_id")
    for row in rows:
        intro = row["介绍"].strip()
        counts = [(s, int(c)) for s, c in re.findall(r"(\S+?)(\d+)家", row["行业"])]
        total = sum(c for _, c in counts)
        if len(intro) < 20 or "暂无" in intro or total < 3:
            continue
        shares: dict[str, float] = {}
        for sector, count in counts:
            if sector in INVESTOR_TO_ITJUZI and count / total >= 0.1:
                target = INVESTOR_TO_ITJUZI[sector]
                shares[target] = shares.get(target, 0.0) + count / total
        if shares:
            names = "、".join(s for s, _ in counts)
            out.append((f"{intro}\n关注领域：{names}", shares))
    return out[:limit]


def build(args: argparse.Namespace) -> tuple[dict[str, list[str]], list[Task]]:
    companies = stable_order(read_csv(DATA / "itjuzi_ai820" / "companies.csv"), "company_id")
    companies = [c for c in companies if c["description"].strip()]
    s2t = opencc.OpenCC("s2t")

    a_docs = capped(companies, "industry", args.per_industry)
    inv = investor_queries(args.investors)
    a_gain = np.array([[shares.get(c["industry"], 0.0) for c in a_docs] for _, shares in inv])
    keep = a_gain.sum(axis=1) > 0
    a_queries = [q for (q, _), k in zip(inv, keep, strict=True) if k]
    a_gain = a_gain[keep]

    in_b = capped(
        [c for c in companies if c["sub_industry"] in SUBSECTORS],
        "sub_industry",
        args.per_subsector,
    )
    chosen = {c["company_id"] for c in in_b}
    others = [c for c in companies if c["company_id"] not in chosen]
    b_docs = in_b + others[: max(0, args.pool - len(in_b))]
    subs = [s for s in SUBSECTORS if any(c["sub_industry"] == s for c in b_docs)]
    b_gain = np.array([[float(c["sub_industry"] == s) for c in b_docs] for s in subs])
    theses = [SUBSECTORS[s][1] for s in subs]

    pools = {
        "A": [c["description"] for c in a_docs],
        "B": [c["description"] for c in b_docs],
        "B-masked": [mask(c["description"]) for c in b_docs],
    }
    tasks = [
        Task("A investor→company", a_queries, "A", a_gain),
        Task("B label", subs, "B", b_gain),
        Task("B label, masked", subs, "B-masked", b_gain),
        Task("B thesis, masked", theses, "B-masked", b_gain),
        Task("C A in Traditional, folded", [s2t.convert(q) for q in a_queries], "A", a_gain),
        Task("C A in Traditional, raw", [s2t.convert(q) for q in a_queries], "A", a_gain, True),
        Task("C B-thesis-m Trad., folded", [s2t.convert(q) for q in theses], "B-masked", b_gain),
        Task("C B-thesis-m Trad., raw", [s2t.convert(q) for q in theses], "B-masked", b_gain, True),
        Task("D English thesis→zh", [SUBSECTORS[s][2] for s in subs], "B", b_gain),
    ]
    return pools, tasks


# ---- methods ---------------------------------------------------------------------------------


VECTORS: dict[tuple[str, bool, str], np.ndarray] = {}  # (encoder tag, raw, text) → row


class Cached:
    """One method: its encoder(s), with vectors cached per text (pools share documents)."""

    def __init__(self, label: str, make: Callable[[], Encoder], doc_side: Encoder | None = None):
        self.label, self.make, self.doc_side = label, make, doc_side
        self.encoders: dict[str, Encoder] = {}  # per pool: TF-IDF is fitted on each
        self.seconds = 0.0

    def encoder(self, pool: str, corpus: Sequence[str]) -> Encoder:
        if pool not in self.encoders:
            enc = self.make()
            if isinstance(enc, TfidfEncoder):
                enc.fit(corpus)
            self.encoders[pool] = enc
        return self.encoders[pool]

    def vectors(self, texts: list[str], pool: str, corpus: list[str], raw: bool, doc: bool):
        enc = self.encoder(pool, corpus)
        if doc and self.doc_side is not None:
            enc = self.doc_side
        scope = pool if isinstance(enc, TfidfEncoder) else ""
        tag = f"{scope}|{enc.name}"
        todo = list(dict.fromkeys(t for t in texts if (tag, raw, t) not in VECTORS))
        if todo:
            start = time.perf_counter()
            if raw:  # the model on the text as given: what folding saves us from
                vecs = normalize_rows(enc._embed([t.strip() for t in todo], 32))
            else:
                vecs = enc.encode(todo)
            self.seconds += time.perf_counter() - start
            VECTORS.update({(tag, raw, t): v for t, v in zip(todo, vecs, strict=True)})
        return np.vstack([VECTORS[(tag, raw, t)] for t in texts])


def ensemble(parts: Sequence[np.ndarray], weights: Sequence[float]) -> np.ndarray:
    """Rows as EnsembleEncoder builds them: blocks × √(w/Σw), then renormalised."""
    w = np.asarray(weights, float) / sum(weights)
    return normalize_rows(np.hstack([np.sqrt(wi) * p for p, wi in zip(parts, w, strict=True)]))


# ---- metrics ---------------------------------------------------------------------------------


def metrics(scores: np.ndarray, gains: np.ndarray, k: int = 10, r: int = 50) -> tuple[float, float]:
    """Mean nDCG@k and R@r (hits / min(r, relevant)) over the queries."""
    order = np.argsort(-scores, axis=1, kind="stable")
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    ndcg, recall = [], []
    for q in range(scores.shape[0]):
        g = gains[q]
        ideal = np.sort(g)[::-1][:k] @ discounts[: min(k, len(g))]
        ndcg.append(g[order[q, :k]] @ discounts[: min(k, len(g))] / ideal)
        relevant = int((g > 0).sum())
        recall.append((g[order[q, :r]] > 0).sum() / min(r, relevant))
    return float(np.mean(ndcg)), float(np.mean(recall))


def random_metrics(gains: np.ndarray, rounds: int = 50) -> tuple[float, float]:
    rng = np.random.default_rng(0)
    runs = [metrics(rng.random(gains.shape), gains) for _ in range(rounds)]
    return float(np.mean([a for a, _ in runs])), float(np.mean([b for _, b in runs]))


# ---- speed -----------------------------------------------------------------------------------


def speed(make: Callable[[], Encoder], texts: list[str]) -> dict[str, float]:
    """Load (first call), sentences/s at batch 32 (best of 2), median one-query latency.

    Best-of and median because the machine is shared: other processes only ever slow a run.
    """
    enc = make()
    start = time.perf_counter()
    if isinstance(enc, TfidfEncoder):
        enc.fit(texts)
    enc.encode(["预热"])
    load = time.perf_counter() - start
    runs = []
    for _ in range(2):
        start = time.perf_counter()
        enc.encode(texts, batch_size=32)
        runs.append(time.perf_counter() - start)
    lat = []
    for i in range(LATENCY_CALLS):
        start = time.perf_counter()
        enc.encode([f"关注工业机器人与智能制造方向的早期项目{i}"])
        lat.append(time.perf_counter() - start)
    return {
        "load": load,
        "rate": len(texts) / min(runs),
        "latency_ms": 1000 * statistics.median(lat),
    }


# ---- main ------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pool", type=int, default=300, help="itjuzi documents in the B pool")
    parser.add_argument("--per-industry", type=int, default=30, help="A pool cap per 行业")
    parser.add_argument("--investors", type=int, default=100, help="A queries (at most)")
    parser.add_argument("--per-subsector", type=int, default=20, help="B pool cap per 子行业")
    parser.add_argument(
        "--skip-minilm", action="store_true", help="MiniLM is slow and English-only"
    )
    parser.add_argument("--speed-only", action="store_true", help="only the speed table")
    parser.add_argument(
        "--e5-passage", action="store_true", help="also e5 with 'passage: ' on documents (+2 min)"
    )
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    pools, tasks = build(args)

    base: dict[str, Cached] = {
        "tfidf": Cached("TF-IDF", lambda: TfidfEncoder()),
        "use": Cached("USE", UseEncoder),
        "e5": Cached("e5-small", E5Encoder),
    }
    if args.e5_passage:
        base["e5qp"] = Cached("e5 q/p", E5Encoder, doc_side=E5Encoder(prefix="passage"))
    if not args.skip_minilm:
        base["minilm"] = Cached("MiniLM", minilm_encoder)
    combos = {
        "USE+e5": (("use", "e5"), (1, 1)),
        "USE+tfidf": (("use", "tfidf"), (1, 1)),
        "USE.7+tfidf.3": (("use", "tfidf"), (0.7, 0.3)),
        "e5+tfidf": (("e5", "tfidf"), (1, 1)),
        "USE+e5+tfidf": (("use", "e5", "tfidf"), (1, 1, 1)),
    }
    speed_texts = [  # Chinese company descriptions, median 112 characters
        r["公司介绍"] for r in read_csv(DATA / "smoothnlp_cn" / "companies.csv") if r["公司介绍"]
    ][:SPEED_SENTENCES]
    load_before = os.getloadavg()[0]
    speeds = {key: speed(m.make, speed_texts) for key, m in base.items() if key != "e5qp"}
    load_before = (load_before + os.getloadavg()[0]) / 2
    if args.speed_only:
        report(
            args, pools, [], {}, speeds, (load_before, os.getloadavg()[0]), time.perf_counter() - t0
        )
        return 0

    check_ensemble(pools["B"][:6])
    corpus = {
        pool: docs + [q for t in tasks if t.pool == pool and not t.raw for q in t.queries]
        for pool, docs in pools.items()
    }
    results: dict[str, dict[str, tuple[float, float]]] = {t.name: {} for t in tasks}
    for task in tasks:
        docs = pools[task.pool]
        results[task.name]["random"] = random_metrics(task.gains)
        q_vecs, d_vecs = {}, {}
        for key, m in base.items():
            q_vecs[key] = m.vectors(task.queries, task.pool, corpus[task.pool], task.raw, False)
            d_vecs[key] = m.vectors(docs, task.pool, corpus[task.pool], False, True)
            results[task.name][m.label] = metrics(q_vecs[key] @ d_vecs[key].T, task.gains)
        for label, (keys, weights) in combos.items():
            q = ensemble([q_vecs[k] for k in keys], weights)
            d = ensemble([d_vecs[k] for k in keys], weights)
            results[task.name][label] = metrics(q @ d.T, task.gains)

    load = (load_before, os.getloadavg()[0])
    report(args, pools, tasks, results, speeds, load, time.perf_counter() - t0)
    print(
        "encoding time in the quality part: "
        + ", ".join(f"{m.label} {m.seconds:.0f} s" for m in base.values())
    )
    return 0


def check_ensemble(texts: list[str]) -> None:
    """The benchmark's ensemble rows equal EnsembleEncoder.encode (so the table is the product)."""
    use, e5 = UseEncoder(), E5Encoder()
    direct = EnsembleEncoder([use, e5], [0.7, 0.3]).encode(texts)
    composed = ensemble([use.encode(texts), e5.encode(texts)], [0.7, 0.3])
    assert np.allclose(direct, composed, atol=1e-5), "ensemble composition drifted"
    assert get_encoder("use+e5-small").name == "use-multilingual-v3+multilingual-e5-small-q4"


def report(args, pools, tasks, results, speeds, load, elapsed) -> None:  # type: ignore[no-untyped-def]
    methods = list(next(iter(results.values()), {}).keys())
    width = max((len(m) for m in methods), default=0) + 1
    print(f"# encoder quality — {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores")
    print(f"# python benchmarks/encoder_quality.py {' '.join(sys.argv[1:])}".rstrip())
    print(
        f"# pools: A={len(pools['A'])} itjuzi companies (≤{args.per_industry} per 行业), "
        f"B={len(pools['B'])} itjuzi companies (≤{args.per_subsector} per queried 子行业 "
        "+ others); deterministic samples"
    )
    for i, metric in enumerate(("nDCG@10", "R@50") if tasks else ()):
        print(f"\n{metric:<28} {'q':>4} {'docs':>4} " + " ".join(f"{m:>{width}}" for m in methods))
        for task in tasks:
            row = " ".join(f"{results[task.name][m][i]:>{width}.3f}" for m in methods)
            print(f"{task.name:<28} {len(task.queries):>4} {len(pools[task.pool]):>4} {row}")
    print(
        f"\nspeed on {SPEED_SENTENCES} smoothnlp company descriptions (Chinese, median 112 chars), "
        "batch 32, "
        f"1-min load average {load[0]:.1f} while timing, {load[1]:.1f} at the end (2 cores, shared)"
    )
    print(f"{'encoder':<10} {'load s':>7} {'sent/s':>7} {'1 query ms':>10} {'100k index':>10}")
    for key, s in speeds.items():
        hours = 100_000 / s["rate"] / 3600
        print(
            f"{key:<10} {s['load']:>7.1f} {s['rate']:>7.1f} {s['latency_ms']:>10.1f} {hours:>9.2f}h"
        )
    print(f"\ntotal {elapsed:.0f} s")


if __name__ == "__main__":
    raise SystemExit(main())
