"""Fakes for tests that need some vectors but do not measure ranking: a hashing text encoder.

A fake is fine for a fast test of a path whose subject is not the ranking (an API's roles, a
page, the ledger, an agenda's bookkeeping); it is never the only test of a path. Ranking
quality, reasons, shortlist order, learning, duplicates and the notebooks keep the real
encoder. Tests choose per module: ``pytestmark = pytest.mark.fake_encoder`` (conftest.py
builds the app's Matcher with :class:`HashingEncoder`), else the real default is used.
"""

from __future__ import annotations

import hashlib

import numpy as np
from numpy.typing import NDArray

from matchmaker.embeddings import Encoder

NGRAMS = (1, 2, 3)


class HashingEncoder(Encoder):
    """Character 1-3-grams hashed into ``dim`` signed buckets: deterministic, instant, no model.

    Texts that share characters and short phrases score closer (a bag of n-grams, like a TF
    model), unrelated ones near 0; meaning is not modelled. Folding to Simplified, empty texts
    as zero rows and L2-normalised float32 rows come from :class:`Encoder`, as for every
    encoder (tests/test_encoders.py runs the shared contract on this one too).
    """

    name = "test-hashed-char-ngrams-256"
    dim = 256

    def _embed(self, texts: list[str], batch_size: int) -> NDArray[np.float32]:
        out = np.zeros((len(texts), self.dim), np.float32)
        for row, text in enumerate(texts):
            for n in NGRAMS:
                for start in range(len(text) - n + 1):
                    bucket, sign = _bucket(text[start : start + n], self.dim)
                    out[row, bucket] += sign
        return out


def _bucket(gram: str, dim: int) -> tuple[int, float]:
    """Return the bucket of ``gram`` and its sign (stable across processes, unlike ``hash``)."""
    digest = int.from_bytes(hashlib.blake2b(gram.encode(), digest_size=8).digest(), "little")
    return digest % dim, 1.0 if digest >> 63 else -1.0
