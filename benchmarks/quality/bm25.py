"""Okapi BM25 as a baseline: every query against every candidate, as one sparse product.

Candidates are the collection (their document frequencies give the IDF); a query's terms are
weighted 1 + log(tf), so a long portfolio profile ("the portfolio's cards joined") counts a
category it holds ten times more than one it holds once, without letting it drown the rest.
Chinese text is cut into character uni- and bigrams (no segmenter is assumed), English into
words and word bigrams. k1 = 1.2, b = 0.75 and Lucene's IDF log(1 + (N − df + 0.5)/(df + 0.5)),
the usual defaults: nothing is fitted to the evaluation.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer

K1 = 1.2
B = 0.75


def vectorizer(chinese: bool) -> CountVectorizer:
    """Return the tokeniser: character 1–2-grams for Chinese, word 1–2-grams otherwise."""
    if chinese:
        return CountVectorizer(analyzer="char", ngram_range=(1, 2), lowercase=True)
    return CountVectorizer(analyzer="word", ngram_range=(1, 2), lowercase=True)


def bm25(queries: Sequence[str], docs: Sequence[str], chinese: bool) -> np.ndarray:
    """Return the (q, c) BM25 scores of ``queries`` against ``docs``."""
    counter = vectorizer(chinese).fit(docs)
    tf = counter.transform(docs).tocsr().astype(np.float64)
    n = tf.shape[0]
    df = np.bincount(tf.indices, minlength=tf.shape[1])
    idf = np.log1p((n - df + 0.5) / (df + 0.5))
    length = np.asarray(tf.sum(axis=1)).ravel()
    norm = K1 * (1 - B + B * length / max(length.mean(), 1e-9))
    rows = np.repeat(np.arange(n), np.diff(tf.indptr))
    data = tf.data * (K1 + 1) / (tf.data + norm[rows]) * idf[tf.indices]
    weighted = sparse.csr_matrix((data, tf.indices, tf.indptr), shape=tf.shape)
    q = counter.transform(queries).tocsr().astype(np.float64)
    q.data = 1.0 + np.log(q.data)
    return np.asarray((q @ weighted.T).todense())
