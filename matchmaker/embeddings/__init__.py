"""Text → vectors: encoders and their registry, profile → composite vector, the FAISS index.

Importing this package loads no model; an encoder loads its model on first ``encode``.
"""

from matchmaker.embeddings.encoders import (
    E5Encoder,
    Encoder,
    EnsembleEncoder,
    SentenceTransformerEncoder,
    UseEncoder,
    minilm_encoder,
    normalize_rows,
)
from matchmaker.embeddings.registry import DEFAULT_ENCODER, get_encoder
from matchmaker.embeddings.tfidf import TfidfEncoder

__all__ = [
    "DEFAULT_ENCODER",
    "E5Encoder",
    "Encoder",
    "EnsembleEncoder",
    "SentenceTransformerEncoder",
    "TfidfEncoder",
    "UseEncoder",
    "get_encoder",
    "minilm_encoder",
    "normalize_rows",
]
