"""Decode CSV bytes in the encodings Chinese spreadsheets are saved in, never into mojibake.

Excel in mainland China saves CSV as GBK (GB18030 is its superset), in Taiwan and Hong Kong as
Big5 (cp950), "Unicode text" as UTF-16 with a BOM; WPS and everything newer write UTF-8, with
or without a BOM. GB18030 decodes almost any byte string, so "try UTF-8, else GBK" turns Big5
into plausible-looking nonsense: when both legacy encodings decode, charset-normalizer (which
scores how natural the text reads) decides. A file pasted together from a UTF-8 part and a
GBK part is decoded line by line, with a warning naming the rows of each.
"""

from __future__ import annotations

from typing import Any

from matchmaker.errors import ImportRejected, Problem
from matchmaker.text import control_char

# (byte order mark, codec, name shown to the user); UTF-32 first: its LE mark starts like UTF-16's
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32-le", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32-be", "utf-32"),
    (b"\xff\xfe", "utf-16-le", "utf-16"),
    (b"\xfe\xff", "utf-16-be", "utf-16"),
)
_LEGACY = (("gb18030", "gbk"), ("cp950", "big5"))  # (codec, name in the import report)
_SHOWN = {"gbk": "GBK", "big5": "Big5"}


def decode(data: bytes) -> tuple[str, str, list[Problem]]:
    """Return the text, the name of its encoding and any warning (a file of mixed encodings).

    Raises :class:`ImportRejected` naming the first undecodable row when no encoding fits.
    """
    for mark, codec, name in _BOMS:
        if data.startswith(mark):
            try:
                return data[len(mark) :].decode(codec), name, []
            except UnicodeDecodeError as exc:
                raise _undecodable(data, exc.start + len(mark), name) from None
    if b"\x00" in data and (utf16 := _utf16_without_mark(data)) is not None:
        return utf16, "utf-16", []
    try:
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError:
        pass
    return _legacy(data)


def _utf16_without_mark(data: bytes) -> str | None:
    """UTF-16 saved without a mark: ASCII characters leave NUL bytes on one side only."""
    if len(data) % 2:
        return None
    even, odd = data[0::2].count(0), data[1::2].count(0)
    enough = max(4, len(data) // 40)  # delimiters and digits alone leave more than this
    codec = None
    if odd >= enough and even * 10 <= odd:
        codec = "utf-16-le"
    elif even >= enough and odd * 10 <= even:
        codec = "utf-16-be"
    if codec is None:
        return None
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        return None
    return None if control_char(text) else text


def _legacy(data: bytes) -> tuple[str, str, list[Problem]]:
    lines = data.splitlines(keepends=True)
    utf8_rows, other_rows = [], []
    for number, line in enumerate(lines, start=1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            other_rows.append(number)
        else:
            if not line.isascii():
                utf8_rows.append(number)
    other = b"".join(lines[n - 1] for n in other_rows)
    codec, name = _guess(other)
    if codec is None:
        raise ImportRejected(
            "import.encoding", [Problem("import.encoding", row=other_rows[0])], row=other_rows[0]
        )
    if not utf8_rows:
        return data.decode(codec), name, []
    legacy = set(other_rows)
    text = "".join(
        line.decode(codec if n in legacy else "utf-8") for n, line in enumerate(lines, start=1)
    )
    warning = Problem(
        "import.mixed_encoding",
        params={
            "utf8_rows": _spans(utf8_rows),
            "other_rows": _spans(other_rows),
            "other": _SHOWN[name],
        },
    )
    return text, f"utf-8+{name}", [warning]


def _guess(raw: bytes) -> tuple[Any, str]:
    """Return the legacy codec ``raw`` reads naturally in, and its name; ``(None, "")`` if none."""
    fits = []
    for codec, name in _LEGACY:
        try:
            raw.decode(codec)
        except UnicodeDecodeError:
            continue
        fits.append((codec, name))
    if len(fits) < 2:
        return fits[0] if fits else (None, "")
    from charset_normalizer import from_bytes  # local: only ambiguous files pay for it

    best = from_bytes(raw, cp_isolation=[codec for codec, _name in fits]).best()
    if best is None:
        return None, ""
    return next(((c, n) for c, n in fits if c == best.encoding), fits[0])


def _undecodable(data: bytes, position: int, name: str) -> ImportRejected:
    row = data[:position].count(b"\n" if name == "utf-8-sig" else b"\n\x00") + 1
    return ImportRejected(
        "import.encoding", [Problem("import.encoding", row=row)], row=row, encoding=name
    )


def _spans(rows: list[int]) -> str:
    """``[2, 3, 4, 7]`` → ``2-4, 7``."""
    spans: list[list[int]] = []
    for row in rows:
        if spans and row == spans[-1][1] + 1:
            spans[-1][1] = row
        else:
            spans.append([row, row])
    text = ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in spans[:10])
    return text + (" …" if len(spans) > 10 else "")
