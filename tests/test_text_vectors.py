"""The text-vector cache: unchanged texts are never encoded twice, changed ones are, and the rows
of replaced portfolio entries go at the next full rebuild (SQLite and PostgreSQL, real encoder)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from matchmaker.db.engine import transaction
from matchmaker.db.models import PortfolioEntry, Project, TextVector
from matchmaker.embeddings import get_encoder
from matchmaker.services.matching.profiles import cached_text_vectors, project_profile


@dataclass
class CountingEncoder:
    """The default encoder, counting the texts it is asked to encode."""

    inner: Any
    texts: int = 0

    @property
    def name(self) -> str:
        return str(self.inner.name)

    @property
    def dim(self) -> int:
        return int(self.inner.dim)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.texts += len(texts)
        return np.asarray(self.inner.encode(texts))


def test_unchanged_texts_come_from_the_cache_and_changed_ones_are_encoded_again(
    factory: sessionmaker[Session], registered: str
) -> None:
    encoder = CountingEncoder(get_encoder())
    with factory() as db:
        profiles = [project_profile(p) for p in db.scalars(select(Project).order_by(Project.id))]
    with transaction(factory) as db:
        first = cached_text_vectors(db, encoder, "project", profiles)
    assert encoder.texts == len(profiles) > 3
    assert np.allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-5)

    with transaction(factory) as db:
        again = cached_text_vectors(db, encoder, "project", profiles)
    assert encoder.texts == len(profiles)  # nothing encoded the second time
    assert np.array_equal(again, first)

    edited = replace(profiles[1], text="社区养老服务机器人，陪护与跌倒监测。")
    with transaction(factory) as db:
        mixed = cached_text_vectors(db, encoder, "project", [profiles[0], edited, profiles[2]])
    assert encoder.texts == len(profiles) + 1  # only the edited text
    assert np.array_equal(mixed[[0, 2]], first[[0, 2]])
    assert np.allclose(mixed[1], encoder.inner.encode([edited.text])[0], atol=1e-6)
    assert float(mixed[1] @ first[1]) < 0.95

    with factory() as db:
        rows = db.scalar(select(func.count()).select_from(TextVector))
        stored = db.scalar(select(TextVector.vector).where(TextVector.entity_id == edited.id))
    assert rows == len(profiles)  # the edit replaced its row
    assert np.array_equal(np.frombuffer(stored, np.float32), mixed[1])


def test_a_rebuild_drops_the_vectors_of_replaced_portfolio_entries(
    client,
    accounts,
    factory: sessionmaker[Session],  # type: ignore[no-untyped-def]
) -> None:
    investor, organiser = accounts.headers("investor"), accounts.headers("organiser")

    def scores(body: dict[str, Any]) -> list[tuple[str, float]]:
        return [(i["project_id"], round(i["score"], 5)) for i in body["items"]]

    def hold(company: str, description: str) -> list[tuple[str, float]]:
        held = {"company": company, "sectors": ["储能"], "description": description}
        response = client.patch(
            "/api/v1/institutions/T-I01", headers=investor, json={"portfolio": [held]}
        )
        assert response.status_code == 200, response.get_json()
        shortlist = client.get("/api/v1/institutions/T-I01/shortlist", headers=investor)
        assert shortlist.status_code == 200 and shortlist.get_json()["items"]
        return scores(shortlist.get_json())

    def portfolio_rows() -> tuple[set[int], set[int]]:
        with factory() as db:
            cached = set(
                db.scalars(select(TextVector.entity_id).where(TextVector.kind == "portfolio"))
            )
            live = set(db.scalars(select(PortfolioEntry.id)))
        return cached, live

    hold("晋能储能电池管理系统", "工商业储能电站电池管理系统，园区试点中。")
    before = hold("吕梁光伏运维", "分布式光伏电站的无人机巡检与运维服务。")
    cached, live = portfolio_rows()
    assert len(live) == 1 and live <= cached
    assert len(cached - live) == 1, "the replaced entry's vector is left behind until a rebuild"

    response = client.post("/api/v1/events/T2026/index/rebuild", headers=organiser)
    assert response.status_code == 202 and response.get_json()["status"] == "done"
    cached_after, live_after = portfolio_rows()
    assert live_after == live
    assert cached_after == live
    with factory() as db:
        kinds = dict(
            db.execute(select(TextVector.kind, func.count()).group_by(TextVector.kind)).all()
        )
        projects = db.scalar(select(func.count()).select_from(Project))
    assert kinds["project"] == projects  # the live registrations keep theirs
    after = client.get("/api/v1/institutions/T-I01/shortlist", headers=investor).get_json()
    assert scores(after) == before  # the same shortlist, from the kept vectors
