"""Near-duplicate project registrations: suspicious pairs, one combined score, and evidence.

How a pair is scored
--------------------
Text is folded first (:func:`matchmaker.text.fold`: Traditional → Simplified, NFKC, case-folded),
so a Traditional copy *is* an exact copy. From each registration we take

* character 3-gram shingles of name + description (punctuation dropped), weighted by IDF, so the
  words every project of a sector uses (储能, 电池, BMS, 营收, 万元) count for little;
* its sentences (split on 。！？；!?; / ". " / line breaks) and clauses (also ，：), folded;
* its figures, each one canonical value however written (:mod:`matchmaker.ranking.figures`):
  1.2亿 = 12000万, 40MW = 4万千瓦, 5800万千瓦时 = 5800万度, 五千吨 = 5000吨, 六成 = 60%,
  56名 = 56人; years (2025年) are dropped, counts ≤ 10 count half;
* its place, read to adcodes (:mod:`matchmaker.embeddings.divisions`: 山西省忻州市五台县 →
  province, city, county), and its ask in yuan;
* its phone (digits, without +86) and e-mail (case-folded), and the caller's embedding row.

Per pair of registrations:

``body``   how much of the shorter text the other repeats: IDF-weighted shingle containment or
           the shared-sentence share of characters, whichever is higher. Both are sets, so
           reordering sentences hides nothing. The denominator is never under half the longer
           text, so a short blurb inside a long description is not a copy.
``agree``  of the text with fewer figures, the share the other also has (one pseudo-figure on
           each side): a text match whose figures differ is a sector's template, not a copy.
``facts``  IDF-weighted containment of the figures and of the place (its city and county count
           as two more facts, weighed by rarity like figures: a county few registrations share
           says more than the host city), times a ramp on how many are shared: two may be
           chance, four are a fingerprint. Figures inside a sentence repeated verbatim are left
           to ``body``, so one quoted sentence ("已投运项目63个，累计装机180MWh") is not counted
           twice.
``topic``  ``body`` rescaled 0.05 → 0 … 0.35 → 1, or the embedding cosine rescaled
           0.70 → 0 … 0.90 → 1 if higher: "these texts are about the same thing".
``strong`` the cosine rescaled 0.95 → 0 … 0.99 → 1: a meaning match that close is itself a fact.
``place``, ``ask``  1 when they agree or one is not given; a paraphrase keeps both, so a pair in
           another county, city or province is multiplied by 0.9, 0.8 or 0.5, and one whose
           asks differ by more than 5 % by 0.8.

    copy       = body · (½ + ½ · agree)
    reworded   = sqrt(topic · max(facts, strong)) · place · ask
    similarity = max(copy, reworded), plus 0.15 if a phone or e-mail matches, at most 1

A copy needs nothing but ``body`` (≈ 1) with its own figures. A paraphrase needs *both* a shared
topic and shared facts (the geometric mean): projects of one sector, city and ask share topic
words, magnitudes and the ask but not four exact figures, and figures that coincide between
unrelated texts come without a shared topic. The default encoder (USE, multilingual) puts our
reworded pairs at cosine 0.81–0.92, same-sector look-alikes up to 0.86 and unrelated demo pairs
under 0.58 (99.9th percentile), so the cosine says "same topic", never "same project", short
of 0.95; an English model on Chinese text gives unrelated pairs 0.9, and then the figures still
have to agree.

A shared contact is supporting evidence only: one team may register two genuinely different
projects, so it adds a bonus but cannot flag a pair alone; a pair that crosses the threshold
only thanks to it gets the weakest kind, ``same_contact``.

Kinds (:data:`KINDS`)
---------------------
``same_contact`` when the pair needed the contact bonus; else, when it is a copy (``body`` ≥ 0.8,
or clauses each within character-bigram Dice 0.7 of one in the other cover 80 % of the shorter
text, so a copy with a clause reworded still counts), the first that applies:
``traditional_copy`` (one side is written in Traditional characters, the other not),
``renamed`` (the names' character-bigram Dice < 0.5), ``reordered`` (the aligned clauses come in
another order), ``near_copy`` (identical, or with sentences added, dropped or edited). Otherwise
``paraphrase`` (reworded, same facts or meaning), or ``same_contact``.

Threshold
---------
0.5 (:data:`DEFAULT_THRESHOLD`), between what was seen on each side (benchmarks/
duplicates_quality.py). Our 57 written pairs (tests/data/duplicate_pairs.csv, 114 rows checked
as one batch, default encoder): the 40 duplicates score 0.75–1.0 (the weakest a paraphrase with
its figures in other units), every other pair of rows at most 0.33 (a 预制菜 factory against
another pair's, same district and ask). The 240 demo registrations give their three planted
pairs 0.70–1.0 (0.62 without vectors) and every other pair at most 0.15; 2,000 synthetic
same-sector registrations written from shared phrasings reach at most 0.32; the test sheet's
paraphrase scores 0.67 and its same-sector look-alikes at most 0.15.

Scale
-----
Signals are computed for blocks of rows against all columns with sparse products (vectorised,
about a second for 2,000 registrations); only pairs over the threshold are visited in Python, to
name their kind and collect evidence.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, TypeVar

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import sparse

from matchmaker.domain import format_yuan
from matchmaker.embeddings import divisions
from matchmaker.messages import render
from matchmaker.ranking.figures import figures as read_figures
from matchmaker.text import fold, to_simplified

F = TypeVar("F", bound=np.floating[Any])
_Block = dict[str, NDArray[Any]]  # pair signals of some rows: float32 scores, a bool "contact"

KINDS = ("traditional_copy", "renamed", "reordered", "near_copy", "paraphrase", "same_contact")
DEFAULT_THRESHOLD = 0.5
COPY_LEVEL = 0.8
CONTACT_BONUS = 0.15
RENAMED_BELOW = 0.5
FIGURES_COINCIDENCE = (2.0, 4.0)  # shared figures: two may be chance, four are a fingerprint
TOPIC_BODY = (0.05, 0.35)
TOPIC_COSINE = (0.70, 0.90)
STRONG_COSINE = (0.95, 0.99)
# a text match whose figures disagree is a template (same sector, same phrasing), not a copy
COPY_FIGURES_FLOOR = 0.5
# a paraphrase keeps the project's place and ask: if they differ, its score is multiplied by
OTHER_PROVINCE, OTHER_CITY, OTHER_COUNTY = 0.5, 0.8, 0.9
OTHER_ASK, SAME_ASK = 0.8, 0.95  # asks within 5 % of each other are the same
CLAUSE_MATCH = 0.7  # character-bigram Dice at which two clauses are one clause edited
MIN_SENTENCE = 6  # folded characters; headings and "是的" are no evidence
_SHINGLE = 3
_BLOCK_CELLS = 1 << 20  # pairs scored at once: some 4 MB per signal

_NON_WORD = re.compile(r"[\W_]+")
_SENTENCE_END = re.compile(r"[。！？；!?;\n\uff01\uff1f\uff1b]+|(?<!\d)\.(?=\s|$)")
_CLAUSE_END = re.compile(r"[。！？；!?;\n\uff01\uff1f\uff1b，,：:]+|(?<!\d)\.(?=\s|$)")


@dataclass(frozen=True)
class Registration:
    """What the detector sees of one project registration.

    Attributes
    ----------
    id : str
        Registration id, e.g. ``"XH2026-P017"``; unique within one call.
    name, description : str
        As written (Simplified, Traditional or English).
    sectors : tuple of str
        Kept for the caller's display; not evidence, since same-sector projects are expected.
    contact_phone, contact_email : str
        Compared after normalising (digits without +86; case-folded address).
    region : str
        Where the project is, as written (山西省大同市云州区, 大同云州); read to a division.
    funding_ask : int or None
        The ask in integer yuan.
    """

    id: str
    name: str
    description: str
    sectors: tuple[str, ...] = ()
    contact_phone: str = ""
    contact_email: str = ""
    region: str = ""
    funding_ask: int | None = None

    @classmethod
    def of(cls, project: Any, id: str | None = None) -> Registration:
        """Return what the detector sees of a stored project (a model or a result row with its
        columns: code, name, description, sectors, contacts, region, funding_ask); ``id``
        defaults to its code."""
        return cls(
            id=project.code if id is None else id,
            name=project.name,
            description=project.description,
            sectors=tuple(project.sectors or ()),
            contact_phone=project.contact_phone or "",
            contact_email=project.contact_email or "",
            region=project.region or "",
            funding_ask=project.funding_ask,
        )


class Evidence(NamedTuple):
    """One thing that matched, as a message code (``duplicates.<code>``) and its values.

    Tuple values are lists (figures) and are joined the way each language writes a list; a
    ``yuan`` value is money and a ``place`` value an adcode, both written per language.
    """

    code: str
    params: dict[str, object]

    def text(self, lang: str = "zh") -> str:
        """Return the sentence in ``lang`` (Chinese or English, never a mix)."""
        sep = ", " if lang == "en" else "、"
        values: dict[str, object] = {}
        for key, value in self.params.items():
            if isinstance(value, tuple):
                value = sep.join(value)
            elif key == "yuan" and isinstance(value, int):
                value = format_yuan(value, lang)
            elif key == "place" and isinstance(value, int):
                value = _place_name(value, lang)
            values[key] = value
        return render(f"duplicates.{self.code}", lang, **values)


def _place_name(code: int, lang: str) -> str:
    """Return a division as people write it: 大同市云州区 (its city first), Shanxi."""
    names = [divisions.table()[c] for c in divisions.chain(code)]
    local = [d.name for d in names if d.level != divisions.PROVINCE]
    return "".join(local) if local else names[0].english() if lang == "en" else names[0].name


@dataclass(frozen=True)
class DuplicatePair:
    """Two registrations that look like one project.

    Attributes
    ----------
    a, b : str
        Registration ids, ``a < b``.
    similarity : float
        The combined score in [0, 1] that was compared with the threshold.
    kind : str
        One of :data:`KINDS` (see the module docstring); :meth:`kind_label` says it to people.
    evidence : tuple of Evidence
        What matched; :meth:`evidence_text` gives it in one language, e.g. ``相同数据：86辆、
        1300家`` or ``Same figures: 86辆, 1300家``.
    """

    a: str
    b: str
    similarity: float
    kind: str
    evidence: tuple[Evidence, ...]

    def kind_label(self, lang: str = "zh") -> str:
        """Return the kind as people call it in ``lang``."""
        return render(f"duplicates.kind.{self.kind}", lang)

    def evidence_text(self, lang: str = "zh") -> list[str]:
        """Return the evidence as sentences in ``lang``."""
        return [e.text(lang) for e in self.evidence]

    def to_dict(self, lang: str = "zh") -> dict[str, object]:
        """Return a JSON-ready pair: ids, score, kind (code and label), evidence in ``lang``."""
        return {
            "a": self.a,
            "b": self.b,
            "similarity": self.similarity,
            "kind": self.kind,
            "kind_label": self.kind_label(lang),
            "evidence": self.evidence_text(lang),
        }


class _Figure(NamedTuple):
    shown: str  # as written
    weight: float  # ½ for values up to 10
    sentence: str  # key of the sentence it stands in ("" in the name or a fragment)


@dataclass(frozen=True)
class _Doc:
    shingles: frozenset[str]
    sentences: tuple[tuple[str, str], ...]  # (folded key, text as written), unique keys
    figures: dict[str, _Figure]  # canonical value -> where and how it was written
    name_key: str
    contacts: tuple[str, ...]
    traditional: bool
    place: tuple[int, int, int]  # adcodes of province, city, county; 0 where not known
    clauses: tuple[str, ...]  # folded, in order, for the order and the share of edited copies


def _is_traditional(text: str) -> bool:
    simplified = to_simplified(text)
    if len(simplified) != len(text):
        return True
    changed = sum(map(str.__ne__, text, simplified))
    return changed >= max(2, 0.03 * len(text))


def _contacts(phone: str, email: str) -> tuple[str, ...]:
    keys = []
    digits = re.sub(r"\D", "", phone or "")
    digits = digits[4:] if digits.startswith("0086") else digits
    digits = digits[2:] if digits.startswith("86") and len(digits) == 13 else digits
    if len(digits) >= 7:
        keys.append("tel:" + digits)
    address = (email or "").strip().casefold()
    if "@" in address:
        keys.append("mail:" + address)
    return tuple(keys)


def _doc(registration: Registration) -> _Doc:
    text = f"{registration.name}\n{registration.description}"
    flat = _NON_WORD.sub("", fold(text))
    shingles = {flat[k : k + _SHINGLE] for k in range(max(1, len(flat) - _SHINGLE + 1))}
    figures = {v: _Figure(*f, "") for v, f in read_figures(registration.name).items()}
    sentences: dict[str, str] = {}
    for part in _SENTENCE_END.split(registration.description):
        key = _NON_WORD.sub("", fold(part))
        key = key if len(key) >= MIN_SENTENCE else ""
        if key:
            sentences.setdefault(key, part.strip())
        for value, figure in read_figures(part).items():
            figures.setdefault(value, _Figure(*figure, key))
    return _Doc(
        shingles=frozenset(shingles - {""}),
        sentences=tuple(sentences.items()),
        figures=figures,
        name_key=_NON_WORD.sub("", fold(registration.name)),
        contacts=_contacts(registration.contact_phone, registration.contact_email),
        traditional=_is_traditional(text),
        place=_place(registration.region),
        clauses=tuple(
            key
            for part in _CLAUSE_END.split(registration.description)
            if len(key := _NON_WORD.sub("", fold(part))) >= 4
        ),
    )


def _place_facts(place: tuple[int, int, int]) -> dict[str, float]:
    """The city and the county as facts, weighed like figures by how rare they are in a batch."""
    return {f"@{code}": 1.0 for code in place[1:] if code}


def _place(region: str) -> tuple[int, int, int]:
    """Return the adcodes of the province, city and county a region names (0 when not named)."""
    code = divisions.locate(region) if region.strip() else None
    if code is None:
        return (0, 0, 0)
    levels = {divisions.table()[c].level: c for c in divisions.chain(code)}
    return (
        levels.get(divisions.PROVINCE, 0),
        levels.get(divisions.CITY, 0),
        levels.get(divisions.COUNTY, 0),
    )


def _incidence(docs: Iterable[dict[str, float]]) -> sparse.csr_matrix:
    """Documents × tokens matrix (float32) holding each document's token values."""
    vocabulary: dict[str, int] = {}
    indptr, indices, data = [0], [], []
    for tokens in docs:
        for token, value in tokens.items():
            indices.append(vocabulary.setdefault(token, len(vocabulary)))
            data.append(value)
        indptr.append(len(indices))
    shape = (len(indptr) - 1, max(1, len(vocabulary)))
    return sparse.csr_matrix((np.asarray(data, np.float32), indices, indptr), shape=shape)


def _binary(docs: Iterable[Iterable[str]]) -> sparse.csr_matrix:
    return _incidence(dict.fromkeys(tokens, 1.0) for tokens in docs)


def _idf(matrix: sparse.csr_matrix) -> NDArray[np.float32]:
    n_docs: int = matrix.shape[0]
    df: NDArray[np.int64] = np.asarray((matrix > 0).sum(axis=0)).ravel()
    idf: NDArray[np.float32] = (np.log((1.0 + n_docs) / (1.0 + df)) + 1.0).astype(np.float32)
    return idf


def _scaled(
    matrix: sparse.csr_matrix, column_weights: NDArray[np.floating[Any]]
) -> sparse.csr_matrix:
    return (matrix @ sparse.diags(column_weights)).tocsr()


def _row_sums(matrix: sparse.csr_matrix) -> NDArray[np.float32]:
    sums: NDArray[np.float32] = np.asarray(matrix.sum(axis=1)).ravel()  # float32 in, float32 out
    return sums


def _containment(
    weighted: sparse.csr_matrix, binary: sparse.csr_matrix, mass: NDArray[np.float32], rows: slice
) -> NDArray[np.float32]:
    """Shared weight over the smaller side's weight, but never over less than half the larger."""
    shared: NDArray[np.float32] = (weighted[rows] @ binary.T).toarray()
    left, right = mass[rows][:, None], mass[None, :]
    floor = np.maximum(np.minimum(left, right), 0.5 * np.maximum(left, right))
    return np.divide(shared, floor, out=np.zeros_like(shared), where=floor > 0)


def _ramp(values: NDArray[F], low: float, high: float) -> NDArray[F]:
    return np.clip((values - low) / (high - low), 0.0, 1.0)


class _Signals:
    """Sparse encodings of all registrations; :meth:`block` gives the pair signals of some rows."""

    def __init__(
        self,
        docs: Sequence[_Doc],
        embeddings: NDArray[np.float32] | None,
        asks: Sequence[int | None] = (),
    ) -> None:
        self.shingles = _binary(d.shingles for d in docs)
        self.shingles_w = _scaled(self.shingles, _idf(self.shingles))
        lengths = _incidence({k: float(len(k)) for k, _ in d.sentences} for d in docs)
        self.sentences = (lengths > 0).astype(np.float32)
        sharers = np.asarray(self.sentences.sum(axis=0)).ravel()
        # a sentence many registrations share ("欢迎投资人联系") is boilerplate, not a copy
        self.sentences_w = _scaled(lengths, 1.0 / np.maximum(1.0, sharers - 1.0))
        # figures inside a sentence that is repeated verbatim elsewhere are body's evidence
        # already: counting them again would make one quoted sentence look like a paraphrase
        repeated = Counter(key for d in docs for key, _ in d.sentences)
        counts = _incidence(
            {v: f.weight for v, f in d.figures.items() if repeated[f.sentence] < 2}
            | _place_facts(d.place)
            for d in docs
        )
        self.figures = (counts > 0).astype(np.float32)
        idf = _idf(counts)
        self.figures_w = _scaled(counts, idf)
        # how many figures two texts share, each counted by how rare it is here: a "57%" that
        # forty registrations mention is a weaker fingerprint than a "98.5%" that only two do
        self.figure_counts = _scaled(counts, idf / (np.log((1.0 + len(docs)) / 2.0) + 1.0))
        # every figure, quoted or not: do two texts that match agree on their numbers?
        self.all_figures = _incidence({v: f.weight for v, f in d.figures.items()} for d in docs)
        self.all_figure_mass = _row_sums(self.all_figures)
        self.places = np.asarray([d.place for d in docs], dtype=np.int64).reshape(-1, 3)
        self.asks = np.asarray([a or 0 for a in asks] or [0] * len(docs), dtype=np.float64)
        self.contacts = _binary(d.contacts for d in docs)
        self.shingle_mass = _row_sums(self.shingles_w)
        self.sentence_mass = _row_sums(lengths)
        self.figure_mass = _row_sums(self.figures_w)
        self.embeddings = embeddings

    def block(self, rows: slice) -> _Block:
        """Pair signals of ``rows`` against every registration, each of shape (rows, n)."""
        body = np.maximum(
            _containment(self.shingles_w, self.shingles, self.shingle_mass, rows),
            _containment(self.sentences_w, self.sentences, self.sentence_mass, rows),
        )
        facts = _containment(self.figures_w, self.figures, self.figure_mass, rows)
        shared: NDArray[np.float64] = (self.figure_counts[rows] @ self.figures.T).toarray()
        facts *= _ramp(shared, *FIGURES_COINCIDENCE)
        signals: _Block = {
            "body": np.minimum(body, 1.0),
            "facts": np.minimum(facts, 1.0),
            "figures_agree": self._figures_agree(rows),
            "place": self._place_agree(rows),
            "ask": self._ask_agree(rows),
            "contact": (self.contacts[rows] @ self.contacts.T).toarray() > 0,
        }
        if self.embeddings is not None:
            signals["cosine"] = self.embeddings[rows] @ self.embeddings.T
        return signals

    def _figures_agree(self, rows: slice) -> NDArray[np.float32]:
        """Share of the figures of the text with fewer that the other has (one pseudo-figure
        each, so texts with one or no figure neither agree nor disagree much)."""
        shared = (self.all_figures[rows] @ (self.all_figures > 0).T).toarray()
        mass = self.all_figure_mass
        fewer = np.minimum(mass[rows][:, None], mass[None, :])
        agree: NDArray[np.float32] = ((shared + 1.0) / (fewer + 1.0)).astype(np.float32)
        return np.minimum(agree, 1.0)

    def _place_agree(self, rows: slice) -> NDArray[np.float32]:
        """1 where the places agree as far as both are written, else the factor for the level."""
        left, right = self.places[rows][:, None, :], self.places[None, :, :]
        differs = (left != right) & (left > 0) & (right > 0)  # (rows, n, level)
        out = np.ones(differs.shape[:2], np.float32)
        for level, factor in ((2, OTHER_COUNTY), (1, OTHER_CITY), (0, OTHER_PROVINCE)):
            out[differs[:, :, level]] = factor
        return out

    def _ask_agree(self, rows: slice) -> NDArray[np.float32]:
        """1 where the asks are the same (within 5 %) or one is not given, else OTHER_ASK."""
        left, right = self.asks[rows][:, None], self.asks[None, :]
        known = (left > 0) & (right > 0)
        close = np.minimum(left, right) >= SAME_ASK * np.maximum(left, right)
        return np.where(known & ~close, OTHER_ASK, 1.0).astype(np.float32)


def _content(signals: _Block) -> NDArray[np.float32]:
    """The score without the contact bonus (see the module docstring)."""
    body, facts = signals["body"], signals["facts"]
    topic, agree = _ramp(body, *TOPIC_BODY), facts
    if "cosine" in signals:
        topic = np.maximum(topic, _ramp(signals["cosine"], *TOPIC_COSINE))
        agree = np.maximum(facts, _ramp(signals["cosine"], *STRONG_COSINE))
    copy = body * (COPY_FIGURES_FLOOR + (1.0 - COPY_FIGURES_FLOOR) * signals["figures_agree"])
    reworded = np.sqrt(topic * agree) * signals["place"] * signals["ask"]
    content: NDArray[np.float32] = np.maximum(copy, reworded)
    return content


def find_duplicates(
    registrations: Sequence[Registration],
    embeddings: np.ndarray | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    across: int | None = None,
) -> list[DuplicatePair]:
    """Return the pairs of registrations that look like one project, most similar first.

    Parameters
    ----------
    registrations : sequence of Registration
        Ids must be unique.
    embeddings : ndarray of shape (n_registrations, dim), optional
        L2-normalised text vectors, row ``i`` for ``registrations[i]`` (re-normalised here;
        zero rows are ignored). Without them the detector is lexical only.
    threshold : float, default DEFAULT_THRESHOLD
        Pairs whose combined similarity (0..1) reaches it are reported.
    across : int, optional
        Only pairs of one of the first ``across`` registrations with one after them (this
        contest's rows against a library's); the others are never compared with each other, so
        the work is ``across`` × n pairs, not n². Rarity (IDF) is still counted over all.

    Returns
    -------
    list of DuplicatePair
        Sorted by similarity, highest first, then by ids.

    Raises
    ------
    ValueError
        On repeated ids, a threshold outside (0, 1], or embeddings of the wrong shape.
    """
    registrations = list(registrations)
    n = len(registrations)
    if len({r.id for r in registrations}) != n:
        raise ValueError("registration ids must be unique")
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0, 1], got {threshold!r}")
    vectors = _normalised(embeddings, n)
    if n < 2:
        return []
    docs = [_doc(r) for r in registrations]
    signals = _Signals(docs, vectors, [r.funding_ask for r in registrations])
    found = []
    step = max(1, _BLOCK_CELLS // n)
    stop = n if across is None else min(max(across, 0), n)
    for start in range(0, stop, step):
        rows = slice(start, min(start + step, stop))
        block = signals.block(rows)
        block["content"] = _content(block)
        block["score"] = np.minimum(1.0, block["content"] + CONTACT_BONUS * block["contact"])
        if across is None:
            later = np.arange(n)[None, :] > np.arange(rows.start, rows.stop)[:, None]
        else:
            later = np.broadcast_to(np.arange(n)[None, :] >= stop, block["score"].shape)
        for r, j in zip(*np.nonzero((block["score"] >= threshold) & later), strict=True):
            values = {name: float(v[r, j]) for name, v in block.items()}
            i = rows.start + int(r)
            found.append(
                _pair(registrations[i], registrations[j], docs[i], docs[j], values, threshold)
            )
    found.sort(key=lambda p: (-p.similarity, p.a, p.b))
    return found


def _normalised(embeddings: ArrayLike | None, n: int) -> NDArray[np.float32] | None:
    if embeddings is None:
        return None
    vectors = np.asarray(embeddings, dtype=np.float32)
    if vectors.ndim != 2 or vectors.shape[0] != n:
        raise ValueError(f"embeddings must have shape ({n}, dim), got {vectors.shape}")
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    unit: NDArray[np.float32] = np.zeros_like(vectors)
    np.divide(vectors, norms, out=unit, where=norms > 0)
    return unit


def _pair(
    first: Registration,
    second: Registration,
    doc_1: _Doc,
    doc_2: _Doc,
    values: dict[str, float],
    threshold: float,
) -> DuplicatePair:
    """Name the kind of a flagged pair and collect what matched (rendered per language later)."""
    (ra, da), (rb, db) = sorted([(first, doc_1), (second, doc_2)], key=lambda x: x[0].id)
    keys_a, keys_b = dict(da.sentences), dict(db.sentences)
    order_a = [k for k in keys_a if k in keys_b]
    traditional = da.traditional != db.traditional
    renamed = _dice(da.name_key, db.name_key) < RENAMED_BELOW
    kept, reordered = _alignment(da.clauses, db.clauses)
    body = values["body"]
    if values["content"] < threshold:
        kind = "same_contact"
    elif max(body, kept) < COPY_LEVEL:
        kind = "paraphrase"
    elif traditional:
        kind = "traditional_copy"
    elif renamed:
        kind = "renamed"
    else:
        kind = "reordered" if reordered else "near_copy"

    pct = round(100 * body)
    evidence = [Evidence("body_converted" if traditional else "body", {"pct": pct})]
    if order_a:
        longest = _clip(max((keys_a[k] for k in order_a), key=len))
        count, total = len(order_a), max(len(keys_a), len(keys_b))
        evidence.append(
            Evidence("shared_sentences", {"count": count, "total": total, "quote": longest})
        )
    if reordered:
        evidence.append(Evidence("reordered", {}))
    if body >= COPY_LEVEL:
        for who, mine, theirs in ((ra.id, keys_a, keys_b), (rb.id, keys_b, keys_a)):
            extra = [text for key, text in mine.items() if key not in theirs]
            if extra:
                params = {"who": who, "count": len(extra), "quote": _clip(extra[0])}
                evidence.append(Evidence("extra_sentences", params))
    figures = [f.shown for value, f in da.figures.items() if value in db.figures]
    if figures:
        evidence.append(Evidence("same_figures", {"figures": tuple(figures[:8])}))
    # the most specific division both name (county, else city, else province)
    shared = [a for a, b in zip(da.place[::-1], db.place[::-1], strict=True) if a and a == b]
    if shared and values["place"] == 1.0:
        evidence.append(Evidence("same_place", {"place": shared[0]}))
    if ra.funding_ask and rb.funding_ask and values["ask"] == 1.0:
        evidence.append(Evidence("same_ask", {"yuan": ra.funding_ask}))
    if renamed:
        evidence.append(Evidence("different_names", {"a": ra.name, "b": rb.name}))
    elif da.name_key == db.name_key:
        evidence.append(Evidence("same_name", {}))
    for key in sorted(set(da.contacts) & set(db.contacts), reverse=True):
        kind_of, value = key.split(":", 1)
        if kind_of == "tel":
            evidence.append(Evidence("same_phone", {"phone": f"{value[:3]}****{value[-4:]}"}))
        else:
            evidence.append(Evidence("same_email", {"email": value}))
    cosine = values.get("cosine")
    if cosine is not None and cosine >= TOPIC_COSINE[0]:
        evidence.append(Evidence("cosine", {"cosine": f"{cosine:.2f}"}))
    return DuplicatePair(ra.id, rb.id, values["score"], kind, tuple(evidence))


def _alignment(left: Sequence[str], right: Sequence[str]) -> tuple[float, bool]:
    """Align the clauses of two texts, each to its closest (character-bigram Dice ≥
    CLAUSE_MATCH, one to one); return how much of the shorter text is kept this way (edited
    clauses included, denominator at least half the longer) and whether the kept clauses come
    in another order."""
    grams = [[_bigrams(c) for c in side] for side in (left, right)]
    candidates = sorted(
        ((_set_dice(a, b), i, j) for i, a in enumerate(grams[0]) for j, b in enumerate(grams[1])),
        reverse=True,
    )
    matched: dict[int, int] = {}
    for score, i, j in candidates:
        if score < CLAUSE_MATCH:
            break
        if i not in matched and j not in matched.values():
            matched[i] = j
    if not matched:
        return 0.0, False
    lengths = [sum(map(len, side)) for side in (left, right)]
    kept = [
        sum(len(left[i]) for i in matched) / lengths[0],
        sum(len(right[j]) for j in matched.values()) / lengths[1],
    ]
    shorter = 0 if lengths[0] <= lengths[1] else 1
    share = kept[shorter] * lengths[shorter] / max(lengths[shorter], 0.5 * max(lengths))
    order = [matched[i] for i in sorted(matched)]
    return share, order != sorted(order)


def _bigrams(text: str) -> frozenset[str]:
    return frozenset(text[k : k + 2] for k in range(max(1, len(text) - 1)))


def _set_dice(a: frozenset[str], b: frozenset[str]) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


def _dice(left: str, right: str) -> float:
    """Dice coefficient of the character bigrams of two names (1.0 for two equal names)."""
    if left == right:
        return 1.0
    a = {left[k : k + 2] for k in range(max(1, len(left) - 1))}
    b = {right[k : k + 2] for k in range(max(1, len(right) - 1))}
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


def _clip(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
