"""No cold start: a server loads the matching state before it answers its first request."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import numpy as np
from fakes import HashingEncoder
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from tests_support import MATCHMAKER, api_json, server

from matchmaker.db.engine import transaction
from matchmaker.db.models import Event, Institution
from matchmaker.embeddings import index
from matchmaker.services.matching.index_store import index_dir_for
from matchmaker.services.matching.matcher import Matcher, ShortlistQuery
from matchmaker.services.matching.warmup import warm
from matchmaker.services.registry.events import create_event, get_event

LOADED = "matching state loaded"


def test_warm_loads_each_event_with_registrations_and_skips_empty_ones(
    factory: sessionmaker[Session], registered: str, db_url: str, tmp_path: Path
) -> None:
    with transaction(factory) as db:
        create_event(db, "EMPTY26", "空活动", 2026)  # nothing to rank: not loaded
    matcher = Matcher(encoder=HashingEncoder(), index_dir=index_dir_for(db_url, tmp_path))
    with factory() as db:
        event = get_event(db, registered)
        assert warm(matcher, db) == [event.id]
        state = matcher.states[event.id]
        empty = get_event(db, "EMPTY26")
        assert empty.id not in matcher.states
        # the next caller finds the state current: nothing is built again
        assert matcher.state(db, db.get_one(Event, event.id)) is state
    fresh = Matcher(encoder=HashingEncoder(), index_dir=index_dir_for(db_url, tmp_path))
    with factory() as db:  # a second process loads the set the first one kept on disk
        assert warm(fresh, db) == [event.id]
        assert fresh.states[event.id].stamp == state.stamp


def test_a_started_server_has_loaded_the_state_before_its_first_shortlist(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "MATCHMAKER_INSTANCE_DIR": str(tmp_path / "instance"),
        "MATCHMAKER_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}",
    }
    subprocess.run([MATCHMAKER, "demo", "--reset"], env=env, check=True, capture_output=True)
    log = tmp_path / "server.log"
    with server(env, log=log) as (base, _process):
        # /healthz answers only once a worker is ready: by then the state is in memory
        booted = log.read_text(encoding="utf-8")
        assert "event 1: " + LOADED in booted
        assert "ready for 1 event(s)" in booted and "before the first request" in booted
        token = api_json(
            base, "/api/v1/auth/token", body={"username": "investor", "password": "demo1234"}
        )["token"]
        shortlist = api_json(base, "/api/v1/institutions/XH2026-I01/shortlist?k=5", token)
        assert len(shortlist["items"]) == 5
        after = log.read_text(encoding="utf-8")
        assert after.count(LOADED) == booted.count(LOADED) == 1  # the request loaded nothing


def test_a_fresh_process_ranks_from_the_mapped_set_as_the_builder_did(
    factory: sessionmaker[Session], registered: str, db_url: str, tmp_path: Path
) -> None:
    # a low threshold makes the project index approximate (HNSW over 8-bit codes) here too
    previous = index.set_defaults(index.IndexDefaults(hnsw_threshold=3))
    try:
        builder = Matcher(encoder=HashingEncoder(), index_dir=index_dir_for(db_url, tmp_path))
        fresh = Matcher(encoder=HashingEncoder(), index_dir=index_dir_for(db_url, tmp_path))
        queries = [
            ShortlistQuery(k=2),
            ShortlistQuery(k=2, page=2),
            ShortlistQuery(track="green_economy"),
        ]
        queries.append(ShortlistQuery(session="S1"))
        with factory() as db:
            event = get_event(db, registered)
            institutions = db.scalars(
                select(Institution).where(Institution.event_id == event.id)
            ).all()
            built = [builder.shortlist(db, event, i, q) for i in institutions for q in queries]
            state = fresh.state(db, event)  # loaded from the set the builder kept
            assert state.project_index.approximate_ and isinstance(
                state.project_vectors.base, np.memmap
            )
            loaded = [fresh.shortlist(db, event, i, q) for i in institutions for q in queries]
        assert any(items for items, _total in built)
        for (want, want_total), (got, got_total) in zip(built, loaded, strict=True):
            assert got_total == want_total
            assert [m.to_dict("en") for m in got] == [m.to_dict("en") for m in want]
    finally:
        index.set_defaults(previous)
