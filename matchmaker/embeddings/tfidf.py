"""TF-IDF over character n-grams: a fitted, lexical text encoder (the classic baseline)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import numpy as np

from matchmaker.embeddings.encoders import Encoder
from matchmaker.text import to_simplified


class TfidfEncoder(Encoder):
    """Character n-gram TF-IDF, L2-normalised, as dense float32 rows.

    A fitted component: ``fit(corpus)`` learns the vocabulary and idf weights of the pool it will
    rank (for matching, the event's project descriptions and institution theses) and returns
    ``self``; the learned state lives in ``vectorizer_``. Its ``name`` carries a fingerprint of
    the vocabulary, so vectors from two different fits are never mistaken for each other.

    Parameters
    ----------
    analyzer, ngram_range, min_df, max_features, sublinear_tf
        Passed to :class:`sklearn.feature_extraction.text.TfidfVectorizer`. ``char_wb`` n-grams
        need no Chinese word segmentation. ``dim`` is the vocabulary size: cap it with
        ``max_features`` for large pools, since rows come back dense.
    """

    def __init__(
        self,
        analyzer: str = "char_wb",
        ngram_range: tuple[int, int] = (1, 3),
        min_df: int = 1,
        max_features: int | None = None,
        sublinear_tf: bool = True,
    ) -> None:
        self.analyzer = analyzer
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.max_features = max_features
        self.sublinear_tf = sublinear_tf

    @property
    def name(self) -> str:
        lo, hi = self.ngram_range
        base = f"tfidf-{self.analyzer}-{lo}-{hi}"
        vectorizer = getattr(self, "vectorizer_", None)
        if vectorizer is None:
            return base
        vocabulary = "\n".join(sorted(vectorizer.vocabulary_)).encode()
        return f"{base}-{hashlib.sha1(vocabulary).hexdigest()[:10]}"

    @property
    def dim(self) -> int:
        return len(self._fitted().vocabulary_)

    def fit(self, corpus: Sequence[str]) -> TfidfEncoder:
        """Learn the vocabulary and idf of ``corpus`` (a sequence of texts); return ``self``."""
        from sklearn.feature_extraction.text import TfidfVectorizer

        texts = [to_simplified(t) for t in self._check_texts(corpus)]
        if not any(t.strip() for t in texts):
            raise ValueError("TfidfEncoder.fit needs at least one non-empty text")
        vectorizer = TfidfVectorizer(
            analyzer=self.analyzer,
            ngram_range=self.ngram_range,
            min_df=self.min_df,
            max_features=self.max_features,
            sublinear_tf=self.sublinear_tf,
            dtype=np.float32,
        )
        vectorizer.fit(texts)
        self.vectorizer_ = vectorizer
        return self

    def _embed(self, texts: list[str], batch_size: int) -> np.ndarray:
        vectorizer = self._fitted()
        parts = [
            vectorizer.transform(texts[i : i + batch_size]).toarray()
            for i in range(0, len(texts), batch_size)
        ]
        return np.vstack(parts)

    def _fitted(self) -> Any:
        vectorizer = getattr(self, "vectorizer_", None)
        if vectorizer is None:
            from sklearn.exceptions import NotFittedError

            raise NotFittedError(
                "TfidfEncoder is not fitted: call fit(corpus) with the texts of the pool "
                "(e.g. the event's project descriptions and theses) before encode() or dim"
            )
        return vectorizer

    def __repr__(self) -> str:
        state = "fitted" if hasattr(self, "vectorizer_") else "unfitted"
        return f"TfidfEncoder({self.name!r}, {state})"
