"""Text folding shared by the search documents and the queries typed on the floor.

Both sides go through ``fold`` so that "televiseur", "TÉLÉVISEUR" and "Téléviseur" meet,
on PostgreSQL and on SQLite alike, and the stored document can be indexed as it is.
"""

import re
import unicodedata

# Letters that NFKD does not take apart.
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ø": "o", "đ": "d", "ł": "l", "ı": "i"})
_WORD = re.compile(r"\w+")


def fold(text: str) -> str:
    """Lower case, accents and ligatures removed, whitespace collapsed."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.translate(_LIGATURES).split())


def words(text: str) -> list[str]:
    """The folded words of ``text``, in order, without repeats."""
    return list(dict.fromkeys(_WORD.findall(fold(text))))
