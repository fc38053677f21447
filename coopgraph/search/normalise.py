"""Search keys: a name reduced to what a searcher types, the same way for the index and the query.

``Đại học Quốc gia Hà Nội`` and ``DAI HOC quoc gia ha noi`` have the same key, ``dai hoc quoc gia ha noi``:

- compatibility forms folded (NFKC: full-width ``ＶＮＵ`` is ``VNU``), then case (``casefold``);
- marks taken off letters of the Latin, Greek and Cyrillic scripts (NFD, then the combining marks dropped:
  Vietnamese tones and vowel marks, French accents), and the Latin letters that have no decomposition
  spelled in ASCII (``đ`` as ``d``, ``ø`` as ``o``, ``æ`` as ``ae``...); other scripts keep their marks;
- Chinese characters, kana and other scripts written without spaces become one word per character, so that
  ``清华`` is found inside ``清华大学``;
- everything that is not a letter or a digit separates words.
"""

from __future__ import annotations

import unicodedata

#: Latin letters that NFD does not decompose, spelled as a reader without them would.
LATIN_FOLDS = {
    "đ": "d",
    "ð": "d",
    "ø": "o",
    "ł": "l",
    "ŀ": "l",
    "æ": "ae",
    "œ": "oe",
    "þ": "th",
    "ı": "i",
    "ħ": "h",
    "ŧ": "t",
    "ŋ": "n",
    "ſ": "s",
    "ß": "ss",
}

#: Scripts written without spaces between words: (first, last) code points. Each character is a word.
_UNSPACED = (
    (0x2E80, 0x2FDF),  # CJK radicals
    (0x3005, 0x3007),  # 々 〆 〇
    (0x3040, 0x30FF),  # hiragana, katakana
    (0x31F0, 0x31FF),  # katakana extensions
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFF66, 0xFF9F),  # half-width katakana
    (0x20000, 0x3134F),  # CJK extensions B-G
)

#: Below this code point are the Latin, IPA, Greek, Cyrillic and Armenian letters, whose marks are dropped.
_MARKED_SCRIPTS_END = 0x0530


def unspaced(char: str) -> bool:
    """Whether a character belongs to a script written without spaces (one word per character)."""
    point = ord(char)
    return any(first <= point <= last for first, last in _UNSPACED)


def _fold(char: str) -> str:
    """One character (already NFKC and casefolded) as it appears in a key: a word part, or a space."""
    if unspaced(char):
        return f" {char} "
    if char in LATIN_FOLDS:
        return LATIN_FOLDS[char]
    base = "".join(c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c))
    if base and all(ord(c) < _MARKED_SCRIPTS_END or 0x1E00 <= ord(c) <= 0x1EFF for c in base):
        return "".join(LATIN_FOLDS.get(c, c) if c.isalnum() else " " for c in base)
    return char if char.isalnum() else " "


class _FoldTable(dict[int, str]):
    """``str.translate``'s table: each code point folded once, on first sight (translate runs in C)."""

    def __missing__(self, point: int) -> str:
        folded = self[point] = _fold(chr(point))
        return folded


_TABLE = _FoldTable()


def search_key(text: str) -> str:
    """The words of ``text`` as the index compares them, separated by one space."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().translate(_TABLE).split())


def compact_key(key: str) -> str:
    """A key without its spaces: ``ha long`` and ``halong`` have the same compact key."""
    return key.replace(" ", "")


def joined_words(key: str) -> str:
    """Each word joined to the next one and to the next two, as extra words of the index: ``dai hoc ha
    long`` gives ``daihoc daihocha hocha hochalong halong``, so that ``halong`` or ``daihoc``, typed
    without their space, are words too (and ``halo`` the beginning of one)."""
    words = key.split()
    pairs = ("".join(words[i : i + 2]) for i in range(len(words) - 1))
    triples = ("".join(words[i : i + 3]) for i in range(len(words) - 2))
    return " ".join([*pairs, *triples])
