"""A synthetic event at library scale for shortlist_latency.py: registrations and cached vectors.

Projects and institutions are the packaged demo's, repeated with numbered names; each
institution gets four portfolio entries whose descriptions are demo project descriptions. Text
vectors are the real encoder's vectors of the demo texts plus small noise, written to the
service's cache under the hash of the text each profile really has, so the service finds them
and encodes nothing.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import numpy as np
from sqlalchemy import insert, select
from sqlalchemy.orm import selectinload

from matchmaker.db.engine import make_engine, migrate, session_factory, transaction
from matchmaker.db.models import Event, Institution, PortfolioEntry, Project, TextVector
from matchmaker.domain import InstitutionType, Role, Stage, Track, parse_amount_range, split_multi
from matchmaker.embeddings.portfolio import project_text, view_text
from matchmaker.services.matching.profiles import institution_profile, text_hash
from matchmaker.services.operations.demo import demo_file
from matchmaker.services.registry.accounts import create_user, issue_token

REGIONS = [
    "山西省太原市", "山西省大同市", "广东省深圳市", "浙江省杭州市", "北京市",
    "陕西省西安市", "四川省成都市", "江苏省苏州市", "山西省晋中市", "湖北省武汉市",
]  # fmt: skip
ENTRIES = 4
CHUNK = 50_000


def demo_rows(kind: str = "projects") -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(demo_file(f"{kind}.csv").decode("utf-8-sig"))))


def _noisy(base: np.ndarray, rng: np.random.Generator) -> bytes:
    v = base + 0.05 * rng.normal(size=base.shape).astype(np.float32)
    return (v / np.linalg.norm(v)).astype(np.float32).tobytes()


def _vector_row(kind: str, entity: int, text: str, encoder: Any, blob: bytes) -> dict[str, Any]:
    return {
        "kind": kind,
        "entity_id": entity,
        "encoder": encoder.name,
        "text_hash": text_hash(text),
        "dim": encoder.dim,
        "vector": blob,
    }


def populate(url: str, n: int, m: int, encoder: Any) -> tuple[int, str]:
    """Create the event with ``n`` projects and ``m`` institutions; return its id and an
    organiser's bearer token."""
    engine = make_engine(url)
    migrate(engine)
    factory = session_factory(engine)
    projects, institutions = demo_rows("projects"), demo_rows("institutions")
    p_base = encoder.encode(
        [f"{r['项目名称']}。{r['行业领域']}。{r['项目简介']}" for r in projects]
    )
    q_base = encoder.encode([f"{r['投资逻辑']}。{r['关注领域']}" for r in institutions])
    rng = np.random.default_rng(0)
    stages = [s.value for s in Stage]
    with transaction(factory) as db:
        event = Event(code="BENCH", name="benchmark", year=2026)
        db.add(event)
        db.flush()
        event_id = event.id
    # In chunks, from plain rows (no ORM objects), so a million projects fit in little memory
    for start in range(0, n, CHUNK):
        end = min(n, start + CHUNK)
        rows = [
            {"event_id": event_id, "code": f"B-{i:06d}", "name": f"{t['项目名称']}·{i}",
             "track": list(Track)[i % 6], "sectors": split_multi(t["行业领域"]),
             "stage": stages[int(rng.integers(0, 6))],
             "funding_ask": int(rng.choice([50, 200, 500, 1500, 5000])) * 10_000,
             "region": REGIONS[int(rng.integers(0, len(REGIONS)))], "needs": ["funding"],
             "description": t["项目简介"], "search_text": ""}
            for i, t in ((i, projects[i % len(projects)]) for i in range(start, end))
        ]  # fmt: skip
        with transaction(factory) as db:
            db.execute(insert(Project), rows)
            newest = select(Project.id).where(Project.event_id == event_id)
            ids = db.scalars(newest.order_by(Project.id.desc()).limit(len(rows))).all()[::-1]
            noise = 0.05 * rng.normal(size=(len(rows), p_base.shape[1])).astype(np.float32)
            base = p_base[[i % len(projects) for i in range(start, start + len(rows))]] + noise
            base /= np.linalg.norm(base, axis=1, keepdims=True)
            db.execute(insert(TextVector), [
                _vector_row("project", pid, project_text(r["name"], r["sectors"], r["description"]),
                            encoder, v.tobytes())
                for pid, r, v in zip(ids, rows, base.astype(np.float32), strict=True)
            ])  # fmt: skip
    with transaction(factory) as db:
        rows = []
        for j in range(m):
            t = institutions[j % len(institutions)]
            low, high = parse_amount_range(t["单笔投资额(万元)"])
            rows.append({
                "event_id": event_id, "code": f"I-{j:04d}", "name": f"{t['机构名称']}·{j}",
                "type": InstitutionType.parse(t["机构类型"]),
                "focus_sectors": split_multi(t["关注领域"]), "stages": ["angel", "pre_a", "a"],
                "ticket_min": low, "ticket_max": high, "regions": split_multi(t["关注地区"]),
                "thesis": t["投资逻辑"], "search_text": "",
            })  # fmt: skip
        db.execute(insert(Institution), rows)
        ids = db.scalars(select(Institution.id).order_by(Institution.id)).all()
        db.execute(insert(PortfolioEntry), [
            {"institution_id": q, "position": e, "company": f"{t['项目名称']}·被投{j}-{e}",
             "sectors": split_multi(t["行业领域"]), "description": t["项目简介"]}
            for j, q in enumerate(ids) for e in range(ENTRIES)
            for t in [projects[(7 * j + 13 * e) % len(projects)]]
        ])  # fmt: skip
        vectors = []
        query = select(Institution).options(selectinload(Institution.portfolio))
        for j, q in enumerate(db.scalars(query.order_by(Institution.id))):
            profile = institution_profile(q)
            blob = _noisy(q_base[j % len(institutions)], rng)
            vectors.append(_vector_row("institution", q.id, profile.text, encoder, blob))
            for e, item in enumerate(profile.portfolio):
                blob = _noisy(p_base[(7 * j + 13 * e) % len(projects)], rng)
                vectors.append(_vector_row("portfolio", item.id, view_text(item), encoder, blob))
        for start in range(0, len(vectors), 20_000):
            db.execute(insert(TextVector), vectors[start : start + 20_000])
        user = create_user(db, "bench", Role.ORGANISER)
        token, _row = issue_token(db, user, "benchmark")
        return event_id, token
