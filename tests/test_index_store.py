"""Indexes kept beside the database: loaded when the stamp matches, rebuilt otherwise."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from matchmaker.embeddings.index import VectorIndex
from matchmaker.services.matching.index_store import (
    OPTIONAL,
    SUFFIXES,
    IndexStore,
    index_dir_for,
)


def built(n: int = 20) -> tuple[np.ndarray, np.ndarray, tuple]:  # type: ignore[type-arg]
    rng = np.random.default_rng(n)
    p = rng.normal(size=(n, 8)).astype(np.float32)
    q = rng.normal(size=(3, 8)).astype(np.float32)
    p_ids, q_ids = np.arange(n, dtype=np.int64) + 1, np.arange(3, dtype=np.int64) + 1
    return p_ids, q_ids, (p, q, VectorIndex().build(p, p_ids), VectorIndex().build(q, q_ids))


def test_a_saved_set_loads_for_the_same_stamp_only(tmp_path: Path) -> None:
    store = IndexStore(tmp_path)
    p_ids, q_ids, data = built()
    store.save(1, (5, "use", "w"), p_ids, q_ids, data)
    loaded = store.load(1, (5, "use", "w"), p_ids, q_ids)
    assert loaded is not None
    assert np.array_equal(loaded[0], data[0])
    assert list(loaded[2].search(data[0][4], 1)[0][0]) == [5]
    assert store.load(1, (6, "use", "w"), p_ids, q_ids) is None  # registrations changed
    assert store.load(1, (5, "use", "w"), p_ids[:-1], q_ids) is None  # other rows


def test_a_large_set_loads_memory_mapped_and_ranks_as_built(tmp_path: Path) -> None:
    # above the threshold: HNSW over 8-bit codes, its candidates scored on the exact vectors
    rng = np.random.default_rng(4)
    p = rng.normal(size=(400, 16)).astype(np.float32)
    q = rng.normal(size=(3, 16)).astype(np.float32)
    p_ids, q_ids = np.arange(400, dtype=np.int64) * 2 + 7, np.arange(3, dtype=np.int64)
    places = np.arange(400) % 3
    index = VectorIndex(hnsw_threshold=100).build(p, p_ids, places)
    store = IndexStore(tmp_path)
    store.save(1, (1,), p_ids, q_ids, (p, q, index, VectorIndex().build(q, q_ids)))
    loaded = store.load(1, (1,), p_ids, q_ids)
    assert loaded is not None
    vectors, _q, projects, _institutions = loaded
    assert isinstance(vectors.base, np.memmap) and not vectors.flags.writeable
    assert projects.approximate_ and projects.vectors_ is vectors
    assert projects.use_groups(places)  # its lists by place came with it
    # a backup carries the set, the lists by place included, to another folder
    files = store.files(1, (1,))
    assert files is not None and files.keys() == {*SUFFIXES, OPTIONAL}
    other = IndexStore(tmp_path / "restored")
    other.install(1, (1,), files)
    again = other.load(1, (1,), p_ids, q_ids)
    assert again is not None and again[2].use_groups(places)
    for query in q:
        ids, scores = projects.search(query, 10)
        assert np.array_equal(ids, index.search(query, 10)[0])
        rows = (ids[0] - 7) // 2
        assert np.allclose(scores[0], p[rows] @ query, atol=1e-5)  # exact, not the codes' scores


def test_a_new_stamp_replaces_the_old_files_and_damage_is_not_trusted(tmp_path: Path) -> None:
    store = IndexStore(tmp_path)
    p_ids, q_ids, data = built()
    store.save(1, (1,), p_ids, q_ids, data)
    store.save(1, (2,), p_ids, q_ids, data)
    assert len(list(tmp_path.glob("event-1-*"))) == 4  # one set: npz, two indexes, vectors
    npz = next(tmp_path.glob("event-1-*.npz"))
    npz.write_bytes(b"half a file")
    assert store.load(1, (2,), p_ids, q_ids) is None
    store.clear(1)
    assert list(tmp_path.glob("event-1-*")) == []


def test_saving_into_an_unwritable_place_does_not_raise(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    p_ids, q_ids, data = built()
    IndexStore(blocker / "index").save(1, (1,), p_ids, q_ids, data)  # logged, not raised


def test_indexes_live_beside_a_sqlite_file_else_in_the_instance(tmp_path: Path) -> None:
    assert index_dir_for(f"sqlite:///{tmp_path}/x/app.db", tmp_path / "inst") == (
        tmp_path / "x" / "index" / "app"
    )
    assert index_dir_for("postgresql://u@h/db", tmp_path / "inst") == (
        tmp_path / "inst" / "index" / "postgresql-h-db"
    )


def test_two_databases_never_share_index_sets(tmp_path: Path) -> None:
    # the same event id and stamp name different sets in two databases (a restored backup)
    beside = {index_dir_for(f"sqlite:///{tmp_path}/{n}.db", tmp_path) for n in ("a", "b")}
    servers = {
        index_dir_for(f"postgresql://u@h:{port}/{db}", tmp_path)
        for port, db in ((5432, "a"), (5432, "b"), (5433, "a"))
    }
    assert len(beside) == 2 and len(servers) == 3


def test_settings_give_every_index_of_the_process_its_defaults() -> None:
    from matchmaker.config import Settings
    from matchmaker.embeddings import index
    from matchmaker.wiring import Parts

    environ = {
        "MATCHMAKER_HNSW_THRESHOLD": "10",
        "MATCHMAKER_HNSW_EF": "64",
        "MATCHMAKER_FAISS_SEARCH_THREADS": "2",
    }
    previous = index.set_defaults(index.IndexDefaults())
    try:
        Parts(Settings.from_env(environ))  # what every process's edge does first
        p_ids, _q_ids, (p, _q, projects, institutions) = built(20)
        assert projects.approximate_ and not institutions.approximate_  # 20 above 10, 3 not
        assert (projects.ef_search, projects.search_threads) == (64, 2)
        assert list(projects.search(p[4], 1, allowed=p_ids)[0][0]) == [5]
        assert VectorIndex(hnsw_threshold=100).build(p, p_ids).approximate_ is False
        Parts(Settings.from_env({}))
        assert index.set_defaults(previous) == index.IndexDefaults()  # the defaults of old
    finally:
        index.set_defaults(previous)
