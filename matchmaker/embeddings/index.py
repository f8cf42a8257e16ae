"""FAISS inner-product index over composite vectors: exact by default, IVF-SQ8 when large."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

from matchmaker.embeddings.encoders import cpu_threads

# The approximate index is an IVF over 8-bit codes (issue #19). Its lists come from a two-level
# k-means (√nlist coarse clusters, each split again), ~LIST_SIZE vectors a list, and each vector
# goes to the nearest centroid of its own coarse cluster. A query scans the ``nprobe`` lists
# whose centroids (the mean of their members) score highest for it, then the candidates are
# scored again on the exact vectors.
#
# Why not HNSW, as before: at 1,000,000 projects of the benchmark (benchmarks/latency_setup.py:
# ~4,200 noisy copies of each of 240 demo texts; 45,600 distinct rows of the non-text blocks)
# the HNSW-SQ8 graph (M 32, over vectors lifted for L2) found 0.59 of the exact top-20 at ef
# 256 and 0.65 at ef 2048 (each institution's views merged; 11 of 30 institutions below 0.5).
# The non-text blocks carry 0.65 of the weight and split the projects into 57,600 tight clumps
# (rest row × demo text, ~17 projects each) whose members differ only by text noise; the top
# scores are a plateau (~580 projects within 0.02 of the 20th score, ~2,400 within 0.05), 41%
# of the graph's links stay among the ~22 projects of one rest row, and the search settles in
# the plateau of a wrong clump (for the institutions it fails, mostly another demo text). An
# IVF whose lists are about the size of those clumps ranks them by their members' mean score
# and scans the best ones whole. Through this class at 1,000,000 (two shared cores, load ~3):
# IVF15619-SQ8, build 106 s, 0.67 GiB; recall@20 0.989 / 0.995 / 0.998 at nprobe 128 / 192 /
# 256, one institution's 4-view search p50 4.4 / 5.8 / 7.4 ms, p99 5.7 / 9.6 / 18.4 ms.
LIST_SIZE = 64
# Above this many lists the centroids are searched through a small HNSW graph over them (16,384
# lists at 1,000,000, nprobe 256: a 4-view search's p50 13.9 ms with a flat scan of the
# centroids, 7.7 ms through the graph, the same recall); below, exactly.
HNSW_QUANTIZER_LISTS = 2048
HNSW_M = 32
# The approximate index pads vectors with zeros to a multiple of this width (inner products do
# not change): FAISS's SIMD 8-bit code kernels need it. At 641 dimensions, with the scalar
# kernel, an HNSW-SQ8 build of 20,000 vectors took 57 s and a search 10 ms; at 648, 7 s and 1.1
# ms (an HNSW over the floats: 15 s and 2.7 ms).
PAD = 16
ADD_CHUNK = 65_536  # rows padded and added at a time (a padded copy of all would double them)
KMEANS_ITER = 10
COARSE_SAMPLE = 1000  # training points per coarse centroid
# A filter that keeps at most this many vectors is answered by scoring them all exactly (at
# 1,000,000 a session's or a county's projects: scanning lists for them would cost more).
EXACT_POOL = 4096
# GROUPS. Given groups (the projects' places: ``state.build_state``), the approximate index
# builds a second IVF over the same codes whose lists each hold one group (each group split in
# proportion to its size), so a hard region filter keeps whole lists of it: its search scans as
# many lists as an unfiltered one, the best among the kept places' lists, instead of nprobe ÷
# share mixed lists that it keeps a few rows of each. Why two, not one IVF by group: an
# unfiltered (全国) search needs the mixed lists; in lists of one place, near-ties between
# places split each cluster over every place. At 1,000,000 (benchmark data, 10 places, region
# masks keeping 30%, one core, machine shared): unfiltered, the mixed IVF found 0.997 of the
# exact top-20 at nprobe 192, the by-place one 0.965 (0.990 at 384, twice the scan); filtered,
# the mixed IVF scanned 640 lists in ~20 ms for 1.000, the by-place one ~192 in ~5 ms for 0.991.
# At most this many kept lists are scored exactly; more go through the quantizer's graph.
EXACT_LISTS = 4096


@dataclass(frozen=True)
class IndexDefaults:
    """What a :class:`VectorIndex` built without arguments uses (``Settings`` sets them).

    Exact search costs ~1 ms per 1,000 vectors of ~640 floats on these 2-core machines; above
    ``hnsw_threshold`` (10,000: a national project library, not one competition; the name is
    older than the IVF) an approximate IVF-SQ8 index scans ``nprobe`` of its lists. A shortlist
    is one small search; requests, not OpenMP, should use the cores. An OpenMP team on 2 shared
    cores stalls at its barrier whenever the other core is busy: with the machine at load 3, a
    shortlist at 5,000 projects took 24.7 ms with 2 search threads and 5.7 ms with 1
    (benchmarks/shortlist_latency.py). Builds still use every core.

    ``ef_search`` is the search breadth of the HNSW graph over the IVF's centroids (and of an
    HNSW index persisted by an older version).

    ``refine``: the approximate index holds 8-bit codes (a quarter of the floats: at 1,000,000
    projects 0.66 GiB with its lists instead of 2.4 GiB), so it fetches ``refine`` × k candidates
    by their coded score and ranks them again on the exact vectors, which the state keeps anyway
    (memory-mapped after a load); the table of the settings tried is in
    ``benchmarks/shortlist_latency.py``.
    """

    hnsw_threshold: int = 10_000
    ef_search: int = 256
    search_threads: int = 1
    refine: int = 2
    nprobe: int = 192


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
        Above this many vectors an approximate ``IndexIVFScalarQuantizer`` (8-bit codes) is built
        instead of the exact ``IndexFlatIP``; its hits are scored again on the exact vectors, so
        scores are exact and only the candidate set is approximate (recall:
        benchmarks/shortlist_latency.py).
    ef_search : int, optional
        Search breadth of the HNSW graph over the IVF's centroids (or of an older HNSW index).
    search_threads : int, optional
        OpenMP threads of a search (set on every call: OpenMP keeps it per calling thread).
    refine : int, optional
        The approximate index fetches this many times k candidates to rank exactly.
    nprobe : int, optional
        The IVF lists a query scans (more when ``allowed``/``mask`` keep a small share).

    Each defaults to the process's :class:`IndexDefaults` (see :func:`set_defaults`).
    """

    # the approximate index's second IVF, whose lists each hold one group: see use_groups
    _by_group: faiss.IndexIDMap2 | None = None
    _group_inner: faiss.IndexIVF | None = None
    _list_group: np.ndarray | None = None
    _list_sizes: np.ndarray | None = None
    _centroids: np.ndarray | None = None

    def __init__(
        self,
        hnsw_threshold: int | None = None,
        ef_search: int | None = None,
        search_threads: int | None = None,
        refine: int | None = None,
        nprobe: int | None = None,
    ) -> None:
        self.hnsw_threshold = _defaults.hnsw_threshold if hnsw_threshold is None else hnsw_threshold
        self.ef_search = _defaults.ef_search if ef_search is None else ef_search
        self.search_threads = _defaults.search_threads if search_threads is None else search_threads
        self.refine = _defaults.refine if refine is None else refine
        self.nprobe = _defaults.nprobe if nprobe is None else nprobe

    def build(
        self, vectors: np.ndarray, ids: np.ndarray, groups: np.ndarray | None = None
    ) -> VectorIndex:
        """Index ``vectors`` (n, d) float32 under int64 ``ids`` (n,); returns self.

        An approximate index keeps a reference to ``vectors`` (no copy when they are
        C-contiguous float32) to score its candidates exactly: do not change them afterwards.
        ``groups`` (n,) non-negative ints (the projects' places): an approximate index also
        builds a second IVF that never mixes two groups in one list, so a filter that keeps
        whole groups keeps whole lists (``search``'s ``groups``; GROUPS says why two).
        """
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        if vectors.ndim != 2 or ids.shape != (vectors.shape[0],):
            raise ValueError(f"need (n, d) vectors and (n,) ids, got {vectors.shape}, {ids.shape}")
        dim = vectors.shape[1]
        if groups is not None:
            groups = np.ascontiguousarray(groups, dtype=np.int64)
            if groups.shape != ids.shape or (len(groups) and groups.min() < 0):
                raise ValueError(f"need ({len(ids)},) non-negative groups, got {groups.shape}")
        faiss.omp_set_num_threads(cpu_threads())
        self._by_group = None
        try:
            if len(vectors) > self.hnsw_threshold:
                self.index_ = _ivf(vectors, ids, dim + (-dim) % PAD)
                if groups is not None:
                    self._by_group = _ivf(vectors, ids, dim + (-dim) % PAD, groups)
            else:
                flat = faiss.IndexFlatIP(dim)
                self.index_ = faiss.IndexIDMap2(flat)
                for start in range(0, len(vectors), ADD_CHUNK):
                    chunk = slice(start, start + ADD_CHUNK)
                    self.index_.add_with_ids(vectors[chunk], ids[chunk])
        finally:
            faiss.omp_set_num_threads(self.search_threads)
        self._attach(ids, vectors)
        if groups is not None:
            self.use_groups(groups)
        return self

    def use_groups(self, groups: np.ndarray) -> bool:
        """Read which group each list of the by-group IVF holds (``groups`` as given to
        ``build``, row for row); return whether every list holds one group only. Only then do
        searches given ``groups`` pick whole lists of it; otherwise they scan as without.
        (A loaded index does not know its rows' groups: ``build_state`` calls this after a load.)
        """
        self._list_group = self._list_sizes = self._centroids = None
        groups = np.asarray(groups, dtype=np.int64)
        if groups.shape != (self.size,):
            raise ValueError(f"need ({self.size},) groups, got {groups.shape}")
        inner = None if self._by_group is None else faiss.downcast_index(self._by_group.index)
        if not isinstance(inner, faiss.IndexIVF) or inner.invlists is None:
            return False
        inverted = inner.invlists
        nlist = inner.nlist
        sizes = np.array([inverted.list_size(i) for i in range(nlist)], dtype=np.int64)
        of_list = np.full(nlist, -1, dtype=np.int64)
        for i in np.flatnonzero(sizes).tolist():
            held = groups[faiss.rev_swig_ptr(inverted.get_ids(i), int(sizes[i]))]
            if (held != held[0]).any():
                return False
            of_list[i] = held[0]
        quantizer = faiss.downcast_index(inner.quantizer)
        flat = faiss.downcast_index(getattr(quantizer, "storage", quantizer))
        if not isinstance(flat, faiss.IndexFlat):
            return False
        # the lists' centroids, read in place (no copy): a few lists are scored exactly
        self._centroids = faiss.rev_swig_ptr(flat.get_xb(), nlist * flat.d).reshape(nlist, -1)
        self._list_group, self._list_sizes = of_list, sizes
        self._group_inner = inner
        return True

    def _attach(self, ids: np.ndarray, vectors: np.ndarray | None) -> None:
        self.ids_ = ids
        self._inner = faiss.downcast_index(self.index_.index)  # numbers its vectors by row
        self.approximate_ = isinstance(self._inner, (faiss.IndexIVF, faiss.IndexHNSW))
        # the exact vectors of an approximate index, and how to find an id's row among them
        self.vectors_ = vectors if self.approximate_ else None
        self._order = np.argsort(ids, kind="stable") if self.approximate_ else None
        self._list_group = self._list_sizes = self._centroids = None

    @property
    def size(self) -> int:
        """Return the number of indexed vectors."""
        return int(self.index_.ntotal)

    @property
    def nbytes(self) -> int:
        """Return the bytes the FAISS indexes themselves hold (their serialised size: for
        measurement, it makes a passing copy of that size)."""
        extra = [] if self._by_group is None else [self._by_group]
        return sum(int(faiss.serialize_index(index).nbytes) for index in [self.index_, *extra])

    def search(
        self,
        queries: np.ndarray,
        k: int,
        allowed: np.ndarray | None = None,
        mask: np.ndarray | None = None,
        groups: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(ids, scores)``, each (q, k'), k' = min(k, candidates), best first.

        An approximate index may return fewer hits than asked; the missing ones are id -1.

        ``allowed`` restricts the search to those ids (hard filters, exclusions) exactly: FAISS
        skips the others during the scan instead of filtering a truncated list afterwards.
        ``mask`` does the same as an (n,) boolean over the indexed vectors in the order they were
        built: at 1,000,000 projects, turning a shortlist's mask into ids and the ids into a
        bitmap took ~13 ms, packing the mask into the bitmap 0.7 ms. ``groups``, with ``mask``:
        a boolean over the group numbers given to ``build``, True for every group that holds a
        row the mask keeps (a region filter's places); an approximate index built with groups
        then scans only those groups' lists (GROUPS).
        """
        queries = np.ascontiguousarray(np.atleast_2d(queries), dtype=np.float32)
        if mask is not None:
            mask = np.asarray(mask, dtype=bool)
            if mask.shape != (self.size,):
                raise ValueError(f"need a ({self.size},) mask, got {mask.shape}")
            if allowed is not None:
                raise ValueError("give allowed ids or a mask, not both")
        pool = self.size if allowed is None else int(len(allowed))
        if mask is not None:
            pool = int(np.count_nonzero(mask))
        k = max(0, min(k, pool))
        if k == 0:
            empty = np.zeros((len(queries), 0))
            return empty.astype(np.int64), empty.astype(np.float32)
        filtered = mask is not None or allowed is not None
        if filtered and self.approximate_ and self.vectors_ is not None and pool <= EXACT_POOL:
            # a few rows left (a session, a county): score them all exactly
            if mask is not None:
                few = np.flatnonzero(mask)
            else:
                assert allowed is not None
                few = self._rows_of(np.unique(np.asarray(allowed, dtype=np.int64)))
                few = few[few >= 0]
            exact = queries @ self.vectors_[few].T
            best = np.argsort(-exact, axis=1, kind="stable")[:, : min(k, len(few))]
            return self.ids_[few][best], np.take_along_axis(exact, best, axis=1).astype(np.float32)
        fetch = min(pool, k * self.refine) if self.approximate_ else k
        if mask is not None and groups is not None and self._list_group is not None:
            return self._exact(queries, self._grouped(queries, fetch, mask, pool, groups), k)
        params: faiss.SearchParameters | None = None
        bits = None  # FAISS keeps a pointer into the selector's bits, not a copy: hold them here
        # faiss's type stubs leave SearchParametersHNSW out; faiss has it.
        if isinstance(self._inner, faiss.IndexIVF):
            params = faiss.SearchParametersIVF()
            # a filter that keeps a share of the vectors: scan proportionally more lists. At
            # 1,000,000 with masks that keep whole regions, as the hard region filter does (a
            # 10% region leaves kept rows in 5,934 of the 15,619 lists): 10% kept, 1,916 lists,
            # recall@20 1.000, p50 43.6 ms (607 lists: 0.995, 11.6 ms; 192: 0.911); 30% kept,
            # 642 lists, 0.989, 18.5 ms (351: 0.971); a random 1% mask, p50 294 ms. Lists of one
            # group each avoid that for region filters (GROUPS, ``_grouped``).
            share = pool / max(1, self.size)
            params.nprobe = int(min(self._inner.nlist, math.ceil(self.nprobe / max(share, 1e-9))))
            if isinstance(faiss.downcast_index(self._inner.quantizer), faiss.IndexHNSW):
                coarse = faiss.SearchParametersHNSW()  # type: ignore[attr-defined]
                coarse.efSearch = max(self.ef_search, params.nprobe)
                params.quantizer_params = coarse
        elif self.approximate_:
            hnsw = faiss.SearchParametersHNSW()  # type: ignore[attr-defined]
            hnsw.efSearch = max(self.ef_search, fetch)
            params = hnsw
        elif allowed is not None or mask is not None:
            params = faiss.SearchParameters()
        padded = _padded(queries, self.index_.d)
        faiss.omp_set_num_threads(self.search_threads)
        rows: np.ndarray | None = None
        if mask is not None:  # the inner index numbers its vectors by row: a bitmap of rows
            assert params is not None
            bits = np.packbits(mask, bitorder="little")
            params.sel = faiss.IDSelectorBitmap(len(mask), faiss.swig_ptr(bits))
            scores, rows = self._inner.search(padded, fetch, params=params)
            del bits  # the search is over
            ids = np.where(rows >= 0, self.ids_[np.maximum(rows, 0)], -1)
        else:
            if allowed is not None:
                assert params is not None
                params.sel, bits = _bitmap(allowed)
            scores, ids = self.index_.search(padded, fetch, params=params)
            del bits  # the search is over
        if self.approximate_ and self.vectors_ is None:
            # coded scores (an older HNSW index: L2 distances, only their order says anything)
            return ids, scores if isinstance(self._inner, faiss.IndexIVF) else -scores
        if self.approximate_ and self.vectors_ is not None:
            if rows is None:
                rows = self._rows_of(ids)
            return self._exact(queries, rows, k)
        return ids, scores

    def _rows_of(self, ids: np.ndarray) -> np.ndarray:
        """Return the rows of ``ids`` (-1 for -1 or an id not indexed)."""
        assert self._order is not None
        at = np.minimum(np.searchsorted(self.ids_, ids, sorter=self._order), len(self._order) - 1)
        rows = self._order[at]
        return np.where((ids >= 0) & (self.ids_[rows] == ids), rows, -1)

    def _grouped(
        self, queries: np.ndarray, fetch: int, mask: np.ndarray, pool: int, groups: np.ndarray
    ) -> np.ndarray:
        """Return the ``fetch`` best rows per query by their codes, scanning only the lists of
        the kept ``groups``: as many of them, best centroid first, as hold about the rows an
        unfiltered search scans (more when the mask keeps only part of those lists' rows)."""
        assert self._list_group is not None and self._list_sizes is not None
        assert self._centroids is not None
        inner = self._group_inner
        assert inner is not None
        keep = np.asarray(groups, dtype=bool)
        if len(keep) <= int(self._list_group.max(initial=-1)):
            raise ValueError(f"need a boolean over {self._list_group.max() + 1} groups")
        lists = np.flatnonzero((self._list_group >= 0) & keep[np.maximum(self._list_group, 0)])
        if len(lists) == 0:  # no kept place has a list: nothing to find
            return np.full((len(queries), fetch), -1, dtype=np.int64)
        held = int(self._list_sizes[lists].sum())
        width = int(min(len(lists), math.ceil(self.nprobe * held / max(pool, 1))))
        padded = _padded(queries, self.index_.d)
        n = len(padded)
        if width >= len(lists):  # every kept list
            chosen = np.broadcast_to(lists, (n, len(lists)))
        elif len(lists) <= EXACT_LISTS:  # few lists: their centroids scored exactly
            scores = padded @ self._centroids[lists].T
            best = np.argpartition(-scores, width - 1, axis=1)[:, :width]
            chosen = lists[best]
        else:  # the quantizer's graph, told which lists it may return
            list_bits = np.zeros(inner.nlist, dtype=bool)
            list_bits[lists] = True
            packed = np.packbits(list_bits, bitorder="little")
            coarse = faiss.SearchParametersHNSW()  # type: ignore[attr-defined]
            coarse.efSearch = max(self.ef_search, width)
            coarse.sel = faiss.IDSelectorBitmap(inner.nlist, faiss.swig_ptr(packed))
            chosen = faiss.downcast_index(inner.quantizer).search(padded, width, params=coarse)[1]
            del packed
        chosen = np.ascontiguousarray(chosen, dtype=np.int64)
        params = faiss.SearchParametersIVF()
        params.nprobe = chosen.shape[1]
        bits = None
        if pool < held:  # the mask drops rows inside the kept lists too
            bits = np.packbits(mask, bitorder="little")
            params.sel = faiss.IDSelectorBitmap(len(mask), faiss.swig_ptr(bits))
        coarse_scores = np.zeros(chosen.shape, dtype=np.float32)  # unused: codes, not residuals
        scores = np.empty((n, fetch), dtype=np.float32)
        rows = np.empty((n, fetch), dtype=np.int64)
        faiss.omp_set_num_threads(self.search_threads)
        inner.search_preassigned_c(  # type: ignore[attr-defined]  # the wrapper takes no params
            n, faiss.swig_ptr(padded), fetch, faiss.swig_ptr(chosen),
            faiss.swig_ptr(coarse_scores), faiss.swig_ptr(scores), faiss.swig_ptr(rows), False,
            params,
        )  # fmt: skip
        del bits
        return rows

    def _exact(
        self, queries: np.ndarray, rows: np.ndarray, k: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Score each query's candidate rows (-1: none) on the exact vectors; keep the best k."""
        assert self.vectors_ is not None
        found = rows >= 0
        at = np.maximum(rows, 0)
        candidates = self.vectors_[at.ravel()].reshape(*rows.shape, -1)
        exact = np.einsum("qcd,qd->qc", candidates, queries)
        exact = np.where(found, exact, -np.inf).astype(np.float32)
        best = np.argsort(-exact, axis=1, kind="stable")[:, :k]
        out_ids = np.take_along_axis(np.where(found, self.ids_[at], -1), best, axis=1)
        out_scores = np.take_along_axis(exact, best, axis=1)
        return out_ids, np.where(out_ids >= 0, out_scores, -np.inf).astype(np.float32)

    def save(self, path: Path) -> None:
        """Write the index to ``path`` (atomically: a reader never sees half a file), and its
        by-group IVF, if it has one, to ``by_group_file(path)``."""
        path.parent.mkdir(parents=True, exist_ok=True)
        written = [(self._by_group, by_group_file(path))] if self._by_group is not None else []
        if not written:
            by_group_file(path).unlink(missing_ok=True)
        for index, target in [*written, (self.index_, path)]:  # the main file last
            partial = target.with_suffix(f"{target.suffix}.{os.getpid()}-{id(self)}.partial")
            faiss.write_index(index, str(partial))
            os.replace(partial, target)

    @classmethod
    def load(cls, path: Path, vectors: np.ndarray | None = None) -> VectorIndex:
        """Read an index written by :meth:`save`; ``vectors`` are the (n, d) vectors it was built
        from (an approximate index scores its candidates on them; without, on its codes).

        The file is memory-mapped (``IO_FLAG_MMAP_IFC``): the codes and graph stay in the page
        cache, shared by every process that maps the file, and a fresh worker starts at once.
        """
        self = cls()
        loaded = faiss.read_index(str(path), faiss.IO_FLAG_MMAP_IFC)
        if not isinstance(loaded, faiss.IndexIDMap2):
            raise ValueError(f"{path} holds no index written by VectorIndex.save")
        self.index_ = loaded
        ids = faiss.vector_to_array(self.index_.id_map).astype(np.int64)
        if vectors is not None and (
            vectors.shape[0] != len(ids) or not 0 <= loaded.d - vectors.shape[1] <= PAD
        ):
            raise ValueError(f"{path} indexes {len(ids)} vectors, not {vectors.shape}")
        self._attach(ids, vectors)
        if self.approximate_ and by_group_file(path).exists():
            grouped = faiss.read_index(str(by_group_file(path)), faiss.IO_FLAG_MMAP_IFC)
            if isinstance(grouped, faiss.IndexIDMap2) and grouped.ntotal == loaded.ntotal:
                self._by_group = grouped
        return self


def by_group_file(path: Path) -> Path:
    """Return where ``VectorIndex.save(path)`` writes the by-group IVF."""
    return path.with_name(f"{path.name}.groups")


def _padded(vectors: np.ndarray, width: int, norm: float = 0.0) -> np.ndarray:
    """Return float32 ``vectors`` with zero columns up to ``width`` (themselves if as wide);
    with ``norm`` M, the first added column holds √(M² − |x|²) (vectors of an older L2 HNSW
    index; its queries get a 0 there)."""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    if vectors.shape[1] == width:
        return vectors
    out = np.zeros((len(vectors), width), dtype=np.float32)
    out[:, : vectors.shape[1]] = vectors
    if norm > 0:
        squares = np.einsum("ij,ij->i", vectors, vectors)
        out[:, vectors.shape[1]] = np.sqrt(np.maximum(norm * norm - squares, 0.0))
    return out


def _kmeans(x: np.ndarray, k: int, seed: int, max_points: int) -> faiss.Kmeans:
    """Return ``k``-means (L2) trained on ``x``, quietly (``k`` ≤ ``len(x)``)."""
    km = faiss.Kmeans(
        x.shape[1], k, niter=KMEANS_ITER, seed=seed, min_points_per_centroid=1,
        max_points_per_centroid=max_points,
    )  # fmt: skip
    km.train(x)
    return km


def _ivf(
    vectors: np.ndarray, ids: np.ndarray, width: int, groups: np.ndarray | None = None
) -> faiss.IndexIDMap2:
    """Build the approximate index: an IVF over 8-bit codes, inner product, ~LIST_SIZE vectors a
    list, whose lists come from a two-level k-means (see LIST_SIZE), under ``ids``; with
    ``groups``, each group gets its own lists in proportion to its size (see GROUPS)."""
    n = len(vectors)
    nlist = max(1, n // LIST_SIZE)
    rng = np.random.default_rng(0)
    take = min(n, max(1, round(math.sqrt(nlist))) * COARSE_SAMPLE)
    sample = _padded(vectors[np.sort(rng.choice(n, take, replace=False))], width)
    if groups is None:
        parts = [np.arange(n)]
    else:
        order = np.argsort(groups, kind="stable")
        parts = np.split(order, np.flatnonzero(np.diff(groups[order])) + 1)
    assign = np.empty(n, dtype=np.int64)
    centroids, base = [], 0
    for part in parts:
        local, means = _partition(vectors, part, max(1, round(len(part) * nlist / n)), width)
        assign[part] = base + local
        centroids.append(means)
        base += len(means)
    means = np.vstack(centroids)
    quantizer: faiss.Index
    if len(means) > HNSW_QUANTIZER_LISTS:
        quantizer = faiss.IndexHNSWFlat(width, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        quantizer.hnsw.efConstruction = 80
    else:
        quantizer = faiss.IndexFlatIP(width)
    quantizer.add(means)
    inner = faiss.IndexIVFScalarQuantizer(
        quantizer, width, len(means), faiss.ScalarQuantizer.QT_8bit,
        faiss.METRIC_INNER_PRODUCT, False,  # codes of the vectors themselves, not residuals
    )  # fmt: skip
    inner.own_fields = True
    quantizer.this.disown()  # type: ignore[union-attr]  # the IVF frees it (SWIG's handle)
    inner.train(sample)  # the 8-bit codes' range per dimension (the lists are given)
    del sample
    out = faiss.IndexIDMap2(inner)  # wraps it empty; its ids are filled in below
    for start in range(0, n, ADD_CHUNK):
        chunk = _padded(vectors[start : start + ADD_CHUNK], width)
        lists = np.ascontiguousarray(assign[start : start + len(chunk)])
        inner.add_core(len(chunk), faiss.swig_ptr(chunk), None, faiss.swig_ptr(lists))
    faiss.copy_array_to_vector(ids, out.id_map)
    out.ntotal = inner.ntotal
    out.construct_rev_map()
    return out


def _partition(
    vectors: np.ndarray, rows: np.ndarray, nlist: int, width: int
) -> tuple[np.ndarray, np.ndarray]:
    """Split ``rows`` into about ``nlist`` lists by a two-level k-means (√nlist coarse clusters,
    each split again in proportion to its size); return each row's list (0…) and the lists'
    centroids, the means of their members (a centroid's inner product with a query is their mean
    score)."""
    n = len(rows)
    coarse_k = max(1, round(math.sqrt(nlist)))
    rng = np.random.default_rng(0)
    take = min(n, coarse_k * COARSE_SAMPLE)
    sample = _padded(vectors[rows[np.sort(rng.choice(n, take, replace=False))]], width)
    coarse = _kmeans(sample, min(coarse_k, len(sample)), 1, COARSE_SAMPLE)
    del sample
    first = np.empty(n, dtype=np.int64)
    for start in range(0, n, ADD_CHUNK):
        chunk = _padded(vectors[rows[start : start + ADD_CHUNK]], width)
        first[start : start + len(chunk)] = coarse.index.search(chunk, 1)[1][:, 0]
    # each coarse cluster gets lists in proportion to its size (at least one)
    sizes = np.bincount(first, minlength=coarse.k)
    shares = np.maximum(1, np.round(sizes * nlist / n)).astype(np.int64)
    order = np.argsort(first, kind="stable")
    assign = np.empty(n, dtype=np.int64)
    centroids, base, at = [], 0, 0
    for cluster in range(coarse.k):
        members = order[at : at + sizes[cluster]]
        at += sizes[cluster]
        if len(members) == 0:
            continue
        x = _padded(vectors[rows[members]], width)
        k = int(min(shares[cluster], len(members)))
        fine = _kmeans(x, k, 2 + cluster, 256) if k > 1 else None
        local = fine.index.search(x, 1)[1][:, 0] if fine is not None else np.zeros(len(x), int)
        counts = np.bincount(local, minlength=k)
        sums = np.zeros((k, width), dtype=np.float64)
        np.add.at(sums, local, x)
        centroids.append((sums / np.maximum(counts, 1)[:, None]).astype(np.float32))
        assign[members] = base + local
        base += k
    return assign, np.vstack(centroids)


def _bitmap(allowed: np.ndarray) -> tuple[faiss.IDSelector, np.ndarray]:
    """Return a selector over external ids as a bitmap (O(1) a test, cheap to build for 100k)
    and the packed bits it points into, which must outlive it."""
    allowed = np.asarray(allowed, dtype=np.int64)
    size = int(allowed.max()) + 1 if len(allowed) else 1
    bits = np.zeros(size, dtype=bool)
    bits[allowed] = True
    packed = np.packbits(bits, bitorder="little")
    return faiss.IDSelectorBitmap(size, faiss.swig_ptr(packed)), packed
