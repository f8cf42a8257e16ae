"""Shortlist latency through the service at library scale, and the cost of the encode path.

In one run, on this machine:
  1. N projects (default 100,000) and 60 institutions in a SQLite database; their text vectors
     are the real default encoder's vectors of the 240 demo descriptions (plus small noise),
     stored in the service's cache table, so the benchmark measures ranking, not encoding.
  2. Cold start: the time ``Matcher.state`` takes to build (profiles, composite, index) and to
     load the persisted index in a fresh process-like Matcher.
  3. Warm shortlists through ``Matcher.shortlist`` (database session, hard filters, exclusions,
     reasons for 20 items): p50/p99 — beside, measured on the same vectors, a bare FAISS search
     of the same index, an exact ``IndexFlatIP`` search and a numpy matmul + argpartition.
  4. Recall@20 of the approximate index against exact search, with the hard filters applied.
  5. Encode overhead: the service's text-vector path (hashing, cache look-up, database writes)
     against the bare encoder on the same 1,000 texts.
Run: .venv/bin/python benchmarks/shortlist_speed.py [N]
"""

from __future__ import annotations

import csv
import io
import sys
import tempfile
import time
from pathlib import Path

import faiss
import numpy as np
from sqlalchemy import insert, select

from matchmaker.db.engine import make_engine, migrate, session_factory, transaction
from matchmaker.db.models import Event, Institution, Project, TextVector
from matchmaker.domain import InstitutionType, Stage, Track
from matchmaker.embeddings.encoders import get_encoder
from matchmaker.services.demo import demo_file
from matchmaker.services.matching import Matcher, ShortlistQuery
from matchmaker.services.profiles import (
    cached_text_vectors,
    institution_profile,
    project_profile,
    text_hash,
)

REGIONS = [
    "山西省太原市",
    "山西省大同市",
    "广东省深圳市",
    "浙江省杭州市",
    "北京市",
    "陕西省西安市",
    "四川省成都市",
    "江苏省苏州市",
    "山西省晋中市",
    "湖北省武汉市",
]


def percentiles(samples: list[float]) -> str:
    ms = np.array(samples) * 1000
    return f"p50 {np.percentile(ms, 50):7.2f} ms   p99 {np.percentile(ms, 99):7.2f} ms"


def demo_rows() -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(demo_file("projects.csv").decode("utf-8-sig"))))


def populate(url: str, n: int, encoder) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    engine = make_engine(url)
    migrate(engine)
    factory = session_factory(engine)
    templates = demo_rows()
    texts = [f"{r['项目名称']}。{r['行业领域']}。{r['项目简介']}" for r in templates]
    base = encoder.encode(texts)
    rng = np.random.default_rng(0)
    tracks, stages = list(Track), [s.value for s in Stage]
    with transaction(factory) as db:
        event = Event(code="BENCH", name="benchmark", year=2026)
        db.add(event)
        db.flush()
        rows = []
        for i in range(n):
            t = templates[i % len(templates)]
            rows.append(
                {
                    "event_id": event.id,
                    "code": f"B-{i:06d}",
                    "name": f"{t['项目名称']}·{i}",
                    "track": tracks[i % 6],
                    "sectors": [s for s in t["行业领域"].split("、") if s],
                    "stage": stages[int(rng.integers(0, 6))],
                    "funding_ask": int(rng.choice([50, 200, 500, 1500, 5000])) * 10_000,
                    "region": REGIONS[int(rng.integers(0, len(REGIONS)))],
                    "needs": ["funding"],
                    "description": t["项目简介"],
                    "search_text": "",
                }
            )
        db.execute(insert(Project), rows)
        inst_rows = []
        for j in range(60):
            inst_rows.append(
                {
                    "event_id": event.id,
                    "code": f"I-{j:03d}",
                    "name": f"机构{j}",
                    "type": list(InstitutionType)[j % 6],
                    "focus_sectors": [
                        "新能源",
                        "先进制造",
                        "人工智能",
                        "智慧养老",
                        "现代农业",
                        "短视频",
                    ][j % 6 : j % 6 + 2],
                    "stages": ["angel", "pre_a", "a"],
                    "ticket_min": 3_000_000,
                    "ticket_max": 30_000_000,
                    "regions": ["山西"] if j % 3 == 0 else ["全国"],
                    "thesis": "看好产业数字化与绿色低碳转型中的早期机会",
                    "search_text": "",
                }
            )
        db.execute(insert(Institution), inst_rows)
        projects = db.scalars(select(Project).where(Project.event_id == event.id)).all()
        vectors = []
        for i, p in enumerate(projects):
            v = base[i % len(templates)] + 0.05 * rng.normal(size=encoder.dim).astype(np.float32)
            v /= np.linalg.norm(v)
            vectors.append(
                {
                    "kind": "project",
                    "entity_id": p.id,
                    "encoder": encoder.name,
                    "text_hash": text_hash(project_profile(p).text),
                    "dim": encoder.dim,
                    "vector": v.astype(np.float32).tobytes(),
                }
            )
        db.execute(insert(TextVector), vectors)
        institutions = db.scalars(select(Institution)).all()
        for q in institutions:
            db.refresh(q)
        q_text = encoder.encode([institution_profile(q).text for q in institutions])
        db.execute(
            insert(TextVector),
            [
                {
                    "kind": "institution",
                    "entity_id": q.id,
                    "encoder": encoder.name,
                    "text_hash": text_hash(institution_profile(q).text),
                    "dim": encoder.dim,
                    "vector": v.tobytes(),
                }
                for q, v in zip(institutions, q_text, strict=True)
            ],
        )
        return event.id, len(projects)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    encoder = get_encoder()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        started = time.perf_counter()
        event_id, count = populate(url, n, encoder)
        print(
            f"{count} projects, 60 institutions, encoder {encoder.name} "
            f"(set-up {time.perf_counter() - started:.0f} s)"
        )
        factory = session_factory(make_engine(url))
        matcher = Matcher(encoder=encoder, index_dir=Path(tmp) / "index")
        with factory() as db:
            event = db.get_one(Event, event_id)
            started = time.perf_counter()
            state = matcher.state(db, event)
            build = time.perf_counter() - started
            fresh = Matcher(encoder=encoder, index_dir=Path(tmp) / "index")
            started = time.perf_counter()
            fresh.state(db, event)
            load = time.perf_counter() - started
            kind = "HNSW (approximate)" if state.project_index.approximate_ else "flat (exact)"
            print(
                f"cold build {build:.1f} s, load of the persisted index {load:.1f} s, "
                f"index {kind}, {state.space.dim} dimensions"
            )
            institutions = db.scalars(select(Institution)).all()
            rng = np.random.default_rng(1)
            picks = [institutions[int(i)] for i in rng.integers(0, len(institutions), 300)]
            for q in picks[:10]:
                matcher.shortlist(db, event, q, ShortlistQuery(k=20))
            service = []
            for q in picks:
                started = time.perf_counter()
                matcher.shortlist(db, event, q, ShortlistQuery(k=20))
                service.append(time.perf_counter() - started)
        queries = np.stack([state.institution_vectors[state.institution_row[q.id]] for q in picks])
        bare = []
        for vector in queries:
            started = time.perf_counter()
            state.project_index.search(vector, 20)
            bare.append(time.perf_counter() - started)
        flat = faiss.IndexFlatIP(state.project_vectors.shape[1])
        flat.add(state.project_vectors)
        exact, numpy_times = [], []
        for vector in queries[:100]:
            started = time.perf_counter()
            flat.search(vector[None, :], 20)
            exact.append(time.perf_counter() - started)
            started = time.perf_counter()
            scores = state.project_vectors @ vector
            np.argpartition(-scores, 20)[:20]
            numpy_times.append(time.perf_counter() - started)
        _, truth = flat.search(queries[:200], 20)
        got, _ = state.project_index.search(queries[:200], 20)
        ids = state.columns.ids
        recall = np.mean([len(set(ids[t]) & set(g)) / 20 for t, g in zip(truth, got, strict=True)])
        print(f"\nshortlist of 20 at {count} projects")
        print(f"  matchmaker service (db, filters, reasons)  {percentiles(service)}")
        print(f"  bare index search (same index)             {percentiles(bare)}")
        print(f"  exact IndexFlatIP                          {percentiles(exact)}")
        print(f"  numpy matmul + argpartition                {percentiles(numpy_times)}")
        print(f"  recall@20 of the index against exact search: {recall:.3f} (200 queries)")
        p99 = float(np.percentile(np.array(service) * 1000, 99))
        print(
            f"  target p99 ≤ 20 ms through the service: {'met' if p99 <= 20 else 'NOT met'}"
            f" ({p99:.1f} ms)"
        )
    encode_overhead(encoder)


def encode_overhead(encoder) -> None:  # type: ignore[no-untyped-def]
    """The service's encode path against the bare encoder on the same 1,000 texts."""
    rows = demo_rows()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'enc.db'}"
        engine = make_engine(url)
        migrate(engine)
        factory = session_factory(engine)
        with transaction(factory) as db:
            event = Event(code="ENC", name="encode", year=2026)
            db.add(event)
            db.flush()
            db.execute(
                insert(Project),
                [
                    {
                        "event_id": event.id,
                        "code": f"E-{i}",
                        "name": f"{rows[i % 240]['项目名称']}{i}",
                        "track": Track.GREEN_ECONOMY,
                        "sectors": [],
                        "needs": [],
                        "description": rows[i % 240]["项目简介"] + f"（第{i}号）",
                        "search_text": "",
                    }
                    for i in range(1000)
                ],
            )
        with factory() as db:
            profiles = [project_profile(p) for p in db.scalars(select(Project))]
        texts = [p.text for p in profiles]
        encoder.encode(texts[:32])  # warm
        started = time.perf_counter()
        encoder.encode(texts)
        bare = time.perf_counter() - started
        with transaction(factory) as db:
            started = time.perf_counter()
            cached_text_vectors(db, encoder, "project", profiles)
            service = time.perf_counter() - started
    print(
        f"\nencoding 1,000 texts: bare encoder {bare:.2f} s, service path {service:.2f} s, "
        f"overhead {100 * (service / bare - 1):+.1f}% (target ≤ 10%)"
    )


if __name__ == "__main__":
    main()
