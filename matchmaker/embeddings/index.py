"""FAISS inner-product index over composite vectors: exact by default, HNSW above a threshold."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

from matchmaker.embeddings.encoders import cpu_threads

HNSW_M = 32


@dataclass(frozen=True)
class IndexDefaults:
    """What a :class:`VectorIndex` built without arguments uses (``Settings`` sets them).

    Exact search costs ~1 ms per 1,000 vectors of ~640 floats on these 2-core machines; above
    ``hnsw_threshold`` (10,000: a national project library, not one competition) HNSW keeps a
    query near 1 ms. A shortlist is one small search; requests, not OpenMP, should use the
    cores. An OpenMP team on 2 shared cores stalls at its barrier whenever the other core is
    busy: with the machine at load 3, a shortlist at 5,000 projects took 24.7 ms with 2 search
    threads and 5.7 ms with 1 (benchmarks/shortlist_latency.py). Builds still use every core.
    """

    hnsw_threshold: int = 10_000
    ef_search: int = 256
    search_threads: int = 1


_defaults = IndexDefaults()


def set_defaults(defaults: IndexDefaults) -> IndexDefaults:
    """Make ``defaults`` this process's index defaults; return the previous ones.

    The composition root (``matchmaker/wiring.py``) calls it with the values of ``Settings``
    (``hnsw_threshold``, ``hnsw_ef``, ``faiss_search_threads``).
    """
    global _defaults
    previous, _defaults = _defaults, defaults
    return previous


class VectorIndex:
    """Search vectors by inner product, returning ``(ids, scores)`` best first.

    Parameters
    ----------
    hnsw_threshold : int, optional
        Above this many vectors an approximate ``IndexHNSWFlat`` is built instead of the exact
        ``IndexFlatIP``; its recall is measured by ``benchmarks/shortlist_latency.py``.
    ef_search : int, optional
        HNSW's search breadth.
    search_threads : int, optional
        OpenMP threads of a search (set on every call: OpenMP keeps it per calling thread).

    Each defaults to the process's :class:`IndexDefaults` (see :func:`set_defaults`).
    """

    def __init__(
        self,
        hnsw_threshold: int | None = None,
        ef_search: int | None = None,
        search_threads: int | None = None,
    ) -> None:
        self.hnsw_threshold = _defaults.hnsw_threshold if hnsw_threshold is None else hnsw_threshold
        self.ef_search = _defaults.ef_search if ef_search is None else ef_search
        self.search_threads = _defaults.search_threads if search_threads is None else search_threads

    def build(self, vectors: np.ndarray, ids: np.ndarray) -> VectorIndex:
        """Index ``vectors`` (n, d) float32 under int64 ``ids`` (n,); returns self."""
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        if vectors.ndim != 2 or ids.shape != (vectors.shape[0],):
            raise ValueError(f"need (n, d) vectors and (n,) ids, got {vectors.shape}, {ids.shape}")
        dim = vectors.shape[1]
        faiss.omp_set_num_threads(cpu_threads())
        inner: faiss.Index
        if len(vectors) > self.hnsw_threshold:
            hnsw = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
            hnsw.hnsw.efSearch = self.ef_search
            inner = hnsw
        else:
            inner = faiss.IndexFlatIP(dim)
        self.index_ = faiss.IndexIDMap2(inner)
        try:
            if len(vectors):
                self.index_.add_with_ids(vectors, ids)
        finally:
            faiss.omp_set_num_threads(self.search_threads)
        self.ids_ = ids
        self.approximate_ = isinstance(inner, faiss.IndexHNSWFlat)
        return self

    @property
    def size(self) -> int:
        """Return the number of indexed vectors."""
        return int(self.index_.ntotal)

    def search(
        self, queries: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(ids, scores)``, each (q, k'), k' = min(k, candidates), best first.

        An approximate index may return fewer hits than asked; the missing ones are id -1.

        ``allowed`` restricts the search to those ids (hard filters, exclusions) exactly: FAISS
        skips the others during the scan instead of filtering a truncated list afterwards.
        """
        queries = np.ascontiguousarray(np.atleast_2d(queries), dtype=np.float32)
        pool = self.size if allowed is None else int(len(allowed))
        k = max(0, min(k, pool))
        if k == 0:
            empty = np.zeros((len(queries), 0))
            return empty.astype(np.int64), empty.astype(np.float32)
        params: faiss.SearchParameters | None = None
        bits = None  # FAISS keeps a pointer into the selector's bits, not a copy: hold them here
        if allowed is not None:
            if self.approximate_:
                # faiss's type stubs leave SearchParametersHNSW out; faiss has it.
                hnsw = faiss.SearchParametersHNSW()  # type: ignore[attr-defined]
                hnsw.efSearch = max(self.ef_search, k)
                params = hnsw
            else:
                params = faiss.SearchParameters()
            params.sel, bits = _bitmap(allowed)
        faiss.omp_set_num_threads(self.search_threads)
        scores, ids = self.index_.search(queries, k, params=params)
        del bits  # the search is over
        return ids, scores

    def save(self, path: Path) -> None:
        """Write the index to ``path`` (atomically: a reader never sees half a file)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f"{path.suffix}.{os.getpid()}-{id(self)}.partial")
        faiss.write_index(self.index_, str(partial))
        os.replace(partial, path)

    @classmethod
    def load(cls, path: Path) -> VectorIndex:
        """Read an index written by :meth:`save`."""
        self = cls()
        loaded = faiss.read_index(str(path))
        if not isinstance(loaded, faiss.IndexIDMap2):
            raise ValueError(f"{path} holds no index written by VectorIndex.save")
        self.index_ = loaded
        inner = faiss.downcast_index(self.index_.index)
        self.approximate_ = isinstance(inner, faiss.IndexHNSWFlat)
        self.ids_ = faiss.vector_to_array(self.index_.id_map).astype(np.int64)
        return self


def _bitmap(allowed: np.ndarray) -> tuple[faiss.IDSelector, np.ndarray]:
    """Return a selector over external ids as a bitmap (O(1) a test, cheap to build for 100k)
    and the packed bits it points into, which must outlive it."""
    allowed = np.asarray(allowed, dtype=np.int64)
    size = int(allowed.max()) + 1 if len(allowed) else 1
    bits = np.zeros(size, dtype=bool)
    bits[allowed] = True
    packed = np.packbits(bits, bitorder="little")
    return faiss.IDSelectorBitmap(size, faiss.swig_ptr(packed)), packed
