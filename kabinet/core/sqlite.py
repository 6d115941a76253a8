"""SQLite's LIKE folds the case of Latin letters only, so «ромашка» would not find
«ООО «Ромашка»» in the embedded database while PostgreSQL finds it. Django's
``icontains``/``contains`` on SQLite are LIKE with an escape character; this replaces
SQLite's like() on each new connection with one that folds every letter (and ё → е),
so search works the same on both databases."""

import re
from functools import lru_cache


@lru_cache(maxsize=256)
def _compile(pattern: str, escape: str) -> re.Pattern:
    out, i = [], 0
    while i < len(pattern):
        ch = pattern[i]
        if escape and ch == escape and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if ch == "%" else "." if ch == "_" else re.escape(ch))
        i += 1
    return re.compile("".join(out), re.DOTALL)


def _fold(text: str) -> str:
    return text.casefold().replace("ё", "е")


def like(pattern, value, escape=None):
    if pattern is None or value is None:
        return None
    return _compile(_fold(str(pattern)), escape or "").fullmatch(_fold(str(value))) is not None


def install(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function("like", 2, like, deterministic=True)
        connection.connection.create_function("like", 3, like, deterministic=True)
