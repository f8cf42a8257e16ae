"""Encoders by name: the built-ins, their aliases, ``a+b`` ensembles, and any model by path.

Adding an encoder: write its class (an :class:`~matchmaker.embeddings.encoders.Encoder`), then
``register("short-name", factory, "its-own-name")`` here, in :data:`BUILTINS` below, or from
the code that brings it (a test's fake encoder registers itself).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from matchmaker.embeddings.encoders import (
    E5Encoder,
    Encoder,
    EnsembleEncoder,
    SentenceTransformerEncoder,
    UseEncoder,
    minilm_encoder,
)
from matchmaker.embeddings.tfidf import TfidfEncoder
from matchmaker.errors import InvalidInput

DEFAULT_ENCODER = "use"  # why: benchmarks/encoder_quality.md
ENSEMBLE = "use+e5-small"

Factory = Callable[[], Encoder]

BUILTINS: dict[str, Factory] = {
    "use": UseEncoder,
    "e5-small": E5Encoder,
    "minilm": minilm_encoder,
    "tfidf": TfidfEncoder,
}
# An encoder's own ``name`` (stored beside its vectors) and other spellings → its short name.
ALIASES: dict[str, str] = {
    "use-multilingual-v3": "use",
    "multilingual-e5-small-q4": "e5-small",
    "e5": "e5-small",
    "all-MiniLM-L6-v2": "minilm",
    "tfidf-char_wb-1-3": "tfidf",
}


def register(name: str, factory: Factory, *aliases: str) -> None:
    """Make ``get_encoder(name)`` (and each of ``aliases``) return ``factory()``."""
    if not name or "+" in name or "*" in name:
        raise ValueError(f"an encoder's name needs no '+' or '*' and is not empty: {name!r}")
    BUILTINS[name] = factory
    ALIASES.update(dict.fromkeys(aliases, name))


def get_encoder(name: str | None = None, *, local_files_only: bool = True) -> Encoder:
    """Return the encoder called ``name``; ``None`` means :data:`DEFAULT_ENCODER`.

    Short names (``use``, ``e5-small``, ``minilm``, ``tfidf``, ``ensemble``) and the encoders'
    own ``name`` ids map to the registered encoders; ``a+b`` (optionally ``a*0.7+b*0.3``) is an
    ensemble of the parts; anything else is loaded now as a sentence-transformers model name or
    path (from the local cache only, unless ``local_files_only`` is False). A ``tfidf`` encoder
    comes back unfitted: call ``fit(corpus)`` on it. The process's configured encoder is
    ``Settings.embedding_model``, which the composition root passes here.

    Raises
    ------
    InvalidInput
        ``embedding.unknown_model`` when the name is neither registered nor loadable.
    """
    name = DEFAULT_ENCODER if name is None else name.strip()
    if name == "ensemble":
        name = ENSEMBLE
    if "+" in name:
        parts = [_weighted(part, name) for part in name.split("+")]
        members = [get_encoder(p, local_files_only=local_files_only) for p, _ in parts]
        return EnsembleEncoder(members, [w for _, w in parts])
    key = ALIASES.get(name, name)
    if key in BUILTINS:
        return BUILTINS[key]()
    if not name:
        raise InvalidInput("embedding.unknown_model", name=name, reason="empty name")
    encoder = SentenceTransformerEncoder(name, local_files_only=local_files_only)
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
