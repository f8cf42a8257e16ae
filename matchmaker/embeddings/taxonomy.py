"""A sector taxonomy: free-text labels (储能, 新型储能, energy storage) → nodes with parents.

Users write sectors as free text. Matching needs synonyms (大模型 ≈ LLM) and hierarchy
(储能 ⊂ 新能源): each label is mapped to taxonomy nodes by alias (exact after folding), then by
containment (``工商业储能`` contains ``储能``); a profile's sector vector puts weight on each node
and, decaying, on its ancestors, so that an institution's broad focus (新能源) meets a project's
narrow label (储能). Labels that match nothing can be mapped by a callback (``SectorMapper``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from matchmaker.embeddings.sector_nodes import EXTRA_ALIASES
from matchmaker.embeddings.sector_nodes import NODES as _NODES
from matchmaker.text import fold


@dataclass(frozen=True)
class Node:
    """One taxonomy node."""

    index: int
    code: str
    zh: str
    en: str
    parent: int | None


class Taxonomy:
    """The node list with lookups; ``ancestors`` and names are precomputed."""

    def __init__(
        self,
        nodes: Sequence[tuple[str, str, str, str, tuple[str, ...]]] = _NODES,
        extra: dict[str, tuple[str, ...]] | None = None,
    ) -> None:
        # the extra aliases belong to the built-in nodes; a custom node list brings its own
        if extra is None:
            extra = EXTRA_ALIASES if nodes is _NODES else {}
        unknown = set(extra) - {code for code, *_rest in nodes}
        if unknown:
            raise ValueError(f"aliases for unknown nodes: {sorted(unknown)}")
        codes = {code: i for i, (code, *_rest) in enumerate(nodes)}
        self.nodes = [
            Node(i, code, zh, en, codes[parent] if parent else None)
            for i, (code, zh, en, parent, _aliases) in enumerate(nodes)
        ]
        self.aliases: dict[str, int] = {}
        for i, (code, zh, en, _parent, aliases) in enumerate(nodes):
            for name in (zh, en, *aliases, *extra.get(code, ())):
                self.aliases.setdefault(fold(name), i)
        # longest alias first, so 工商业储能 matches 储能 rather than 能源
        self._by_length = sorted(self.aliases.items(), key=lambda kv: -len(kv[0]))
        self._label_cache: dict[str, int | None] = {}

    def __len__(self) -> int:
        return len(self.nodes)

    def ancestors(self, index: int) -> list[int]:
        """Return the node's parents, nearest first."""
        out = []
        parent = self.nodes[index].parent
        while parent is not None:
            out.append(parent)
            parent = self.nodes[parent].parent
        return out

    def name(self, index: int, lang: str = "zh") -> str:
        """Return a node's display name."""
        node = self.nodes[index]
        return node.en if lang == "en" else node.zh

    def match_label(self, label: str) -> int | None:
        """Return the node a free-text label names (alias, then containment), or None."""
        if label not in self._label_cache:
            self._label_cache[label] = self._match(label)
        return self._label_cache[label]

    def _match(self, label: str) -> int | None:
        key = fold(label)
        if not key:
            return None
        if key in self.aliases:
            return self.aliases[key]
        if len(key) < 2:
            return None
        for alias, index in self._by_length:
            # containment both ways: "工商业储能" ⊃ "储能"; Latin aliases only as whole words,
            # so "search" does not contain "ar" (VR) nor "messaging" "aging" (elderly care)
            if len(alias) < 2:
                continue
            if alias.isascii():
                if re.search(rf"(?<![a-z]){re.escape(alias)}(?![a-z])", key):
                    return index
            elif alias in key or (len(key) >= 3 and key in alias):
                return index
        return None

    def find_in_text(self, text: str, limit: int = 2) -> list[int]:
        """Return up to ``limit`` nodes whose aliases occur most often in ``text``."""
        key = fold(text)
        counts: dict[int, int] = {}
        for alias, index in self._by_length:
            if len(alias) >= 2 and alias in key:
                counts[index] = counts.get(index, 0) + key.count(alias)
        depth = {i: len(self.ancestors(i)) for i in counts}
        ranked = sorted(counts, key=lambda i: (-counts[i], -depth[i], i))
        return ranked[:limit]


TAXONOMY = Taxonomy()

# How much an ancestor counts, per level: 储能 → 新能源 0.6 → (root) 0.36.
ANCESTOR_DECAY = 0.6


class SectorMapper:
    """Map a profile's labels (and, when it has none, its text) to a normalised node vector.

    ``fallback``, when given, maps a label no alias matches to a node (e.g. nearest by embedding);
    it returns ``(node index, similarity)`` or None.
    """

    def __init__(
        self,
        taxonomy: Taxonomy = TAXONOMY,
        fallback: Callable[[str], tuple[int, float] | None] | None = None,
    ) -> None:
        self.taxonomy = taxonomy
        self.fallback = fallback
        self._similarity: dict[tuple[int, int], float] = {}
        self._nodes: dict[str, int | None] = {}  # label → node, as nodes_for found it

    @cached_property
    def dim(self) -> int:
        """Return the vector length (one entry per node)."""
        return len(self.taxonomy)

    def nodes_for(self, labels: Sequence[str], text: str = "") -> list[tuple[str, int]]:
        """Return ``(label, node)`` pairs; labels that map to nothing are left out.

        With no mappable label, up to two nodes are inferred from ``text`` (label ``""``).
        """
        found: list[tuple[str, int]] = []
        for label in labels:
            if label in self._nodes:  # every shortlist item's reasons ask again
                node = self._nodes[label]
            else:
                node = self.taxonomy.match_label(label)
                if node is None and self.fallback is not None:
                    hit = self.fallback(label)
                    node = hit[0] if hit else None
                if len(self._nodes) >= 65536:  # labels are typed freely: keep it bounded
                    self._nodes.clear()
                self._nodes[label] = node
            if node is not None:
                found.append((label, node))
        if not found and text:
            found = [("", node) for node in self.taxonomy.find_in_text(text)]
        return found

    def similarity(self, a: int, b: int) -> float:
        """Return the cosine of two single-node vectors (1 same, 0.6 parent, 0.36 sibling …)."""
        key = (a, b) if a <= b else (b, a)
        if key not in self._similarity:
            self._similarity[key] = float(self.vector([a]) @ self.vector([b]))
        return self._similarity[key]

    def vector(self, nodes: Sequence[int], weights: Sequence[float] | None = None) -> np.ndarray:
        """Return the L2-normalised node vector with decaying weight on ancestors."""
        out = np.zeros(self.dim, dtype=np.float32)
        for i, node in enumerate(nodes):
            weight = 1.0 if weights is None else float(weights[i])
            out[node] += weight
            factor = weight
            for parent in self.taxonomy.ancestors(node):
                factor *= ANCESTOR_DECAY
                out[parent] += factor
        norm = float(np.linalg.norm(out))
        return out / norm if norm > 0 else out
