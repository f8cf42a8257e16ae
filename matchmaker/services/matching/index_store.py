"""Built indexes kept beside the database, so restarts and other processes skip the rebuild."""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy.engine import make_url

from matchmaker.embeddings.index import VectorIndex, by_group_file

log = logging.getLogger(__name__)
Built = tuple[np.ndarray, np.ndarray, VectorIndex, VectorIndex]
# The files of a set; the .npz is written last. The project vectors are a .npy of their own so
# that a load memory-maps them (an .npz member cannot be mapped): at 1,000,000 projects they are
# 2.6 GB, which a fresh worker then shares with every other process through the page cache.
SUFFIXES = (".npz", ".projects.faiss", ".institutions.faiss", ".projects.npy")
# A large event's project index has a second IVF by place (``VectorIndex.save``), a small one not.
OPTIONAL = ".projects.faiss.groups"
TABLE = "table."  # the prefix of the table's arrays in the .npz


@dataclass(frozen=True)
class IndexStore:
    """One folder of ``event-<id>-<stamp>.{npz,projects.faiss,institutions.faiss,projects.npy}``
    sets.

    A set is keyed by the database stamp it was built from; the ``.npz`` is written last, so its
    presence means the set is complete, and a damaged set is rebuilt, never trusted.
    """

    directory: Path

    @staticmethod
    def key(stamp: tuple[Any, ...]) -> str:
        """Return the file-name key of the set built from ``stamp``."""
        return hashlib.sha256(repr(stamp).encode()).hexdigest()[:16]

    def _paths(self, event_id: int, stamp: tuple[Any, ...]) -> tuple[Path, Path, Path, Path]:
        base = self.directory / f"event-{event_id}-{self.key(stamp)}"
        npz, projects, institutions, vectors = (base.with_suffix(suffix) for suffix in SUFFIXES)
        return npz, projects, institutions, vectors

    def save(
        self,
        event_id: int,
        stamp: tuple[Any, ...],
        p_ids: np.ndarray,
        q_ids: np.ndarray,
        built: Built,
        table: Mapping[str, np.ndarray] | None = None,
    ) -> None:
        """Write a set and remove the event's superseded ones (best effort: never fails a caller).

        ``table``: named arrays kept in the ``.npz`` beside the vectors (the projects' columns,
        ``ProjectTable.arrays``), read back by :meth:`table`.

        The set only saves a rebuild; if the disk is full or another writer races this one, the
        in-memory state is still right, so the failure is logged and the caller goes on.
        """
        try:
            self._write(event_id, stamp, p_ids, q_ids, built, table or {})
        except (OSError, RuntimeError) as exc:  # FAISS reports I/O errors as RuntimeError
            log.warning("could not keep the index beside the database: %s", exc)

    def _write(
        self,
        event_id: int,
        stamp: tuple[Any, ...],
        p_ids: np.ndarray,
        q_ids: np.ndarray,
        built: Built,
        table: Mapping[str, np.ndarray],
    ) -> None:
        p_vectors, q_vectors, p_index, q_index = built
        matrices, p_file, q_file, p_matrix = self._paths(event_id, stamp)
        self.directory.mkdir(parents=True, exist_ok=True)
        for old in self.directory.glob(f"event-{event_id}-*"):
            if old.name.split(".")[0] != matrices.name.split(".")[0]:
                old.unlink(missing_ok=True)
        p_index.save(p_file)
        q_index.save(q_file)
        # unique per writer: two workers may build the same set at once; the last rename wins
        unique = f"{os.getpid()}-{id(built)}"
        partial = p_matrix.with_name(f"{p_matrix.name}.{unique}.partial.npy")
        np.save(partial, p_vectors)
        os.replace(partial, p_matrix)
        partial = matrices.with_name(f"{matrices.name}.{unique}.partial.npz")
        columns = {f"{TABLE}{name}": array for name, array in table.items()}
        np.savez(partial, p_ids=p_ids, q_ids=q_ids, q=q_vectors, **columns)  # type: ignore[arg-type]
        os.replace(partial, matrices)

    def load(
        self, event_id: int, stamp: tuple[Any, ...], p_ids: np.ndarray, q_ids: np.ndarray
    ) -> Built | None:
        """Return the set built from ``stamp`` for exactly these ids, or None.

        The project vectors and the project index are memory-mapped, read-only: nothing of them
        is read until a search touches it, and the page cache holds one copy for every process.
        """
        matrices, p_file, q_file, p_matrix = self._paths(event_id, stamp)
        if not matrices.exists():
            return None
        try:
            with np.load(matrices, allow_pickle=False) as data:
                if not (
                    np.array_equal(data["p_ids"], p_ids) and np.array_equal(data["q_ids"], q_ids)
                ):
                    return None
                q_vectors = data["q"]
            mapped = np.load(p_matrix, mmap_mode="r", allow_pickle=False)
            if mapped.shape[0] != len(p_ids) or mapped.dtype != np.float32:
                return None
            # a plain array over the mapping: np.memmap's own indexing costs ~5 µs a call
            p_vectors = np.asarray(mapped)
            p_index = VectorIndex.load(p_file, p_vectors)
            return p_vectors, q_vectors, p_index, VectorIndex.load(q_file, q_vectors)
        except (OSError, ValueError, RuntimeError, KeyError):
            return None

    def table(self, event_id: int, stamp: tuple[Any, ...]) -> dict[str, np.ndarray] | None:
        """Return the ``table`` arrays saved with the set built from ``stamp``, or None."""
        matrices = self._paths(event_id, stamp)[0]
        try:
            with np.load(matrices, allow_pickle=False) as data:
                names = [name for name in data.files if name.startswith(TABLE)]
                return {name[len(TABLE) :]: data[name] for name in names} or None
        except (OSError, ValueError, KeyError):
            return None

    def files(self, event_id: int, stamp: tuple[Any, ...]) -> dict[str, bytes] | None:
        """Return the set built from ``stamp`` as ``{suffix: content}``, or None when incomplete.

        The ``.npz`` (written last) is read first: the two indexes beside it are its own.
        """
        paths = self._paths(event_id, stamp)
        try:
            out = {suffix: path.read_bytes() for suffix, path in zip(SUFFIXES, paths, strict=True)}
        except OSError:
            return None
        grouped = by_group_file(paths[1])
        if grouped.exists():
            out[OPTIONAL] = grouped.read_bytes()
        return out

    def install(self, event_id: int, stamp: tuple[Any, ...], files: dict[str, bytes]) -> None:
        """Write a set given as :meth:`files` returned it, for ``stamp``; the event's other sets
        go. The ``.npz`` is renamed into place last, so a half-written set is never loaded."""
        self.directory.mkdir(parents=True, exist_ok=True)
        self.clear(event_id)
        paths = dict(zip(SUFFIXES, self._paths(event_id, stamp), strict=True))
        for suffix in SUFFIXES[1:]:
            paths[suffix].write_bytes(files[suffix])
        if OPTIONAL in files:
            by_group_file(paths[".projects.faiss"]).write_bytes(files[OPTIONAL])
        partial = paths[".npz"].with_name(f"{paths['.npz'].name}.{os.getpid()}.partial.npz")
        partial.write_bytes(files[".npz"])
        os.replace(partial, paths[".npz"])

    def clear(self, event_id: int) -> None:
        """Remove every set of the event."""
        for old in self.directory.glob(f"event-{event_id}-*"):
            old.unlink(missing_ok=True)


def index_dir_for(database_url: str, instance_dir: Path) -> Path:
    """Return where a database's indexes live: beside a SQLite file, else in the instance folder;
    one folder per database, since an event id and stamp name a set only within one database
    (two files in one folder, or a backup restored beside its original, must not share sets)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        path = Path(url.database).resolve()
        return path.parent / "index" / path.stem
    name = "-".join(str(p) for p in (url.get_backend_name(), url.host, url.port, url.database) if p)
    return instance_dir.resolve() / "index" / re.sub(r"[^\w.-]", "_", name)
