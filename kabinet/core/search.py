"""Searching text the way people type it."""


def text_contains(field: str, query: str):
    """``field`` contains ``query`` whatever the case and ё or е, on both databases:
    PostgreSQL folds the case in upper(); SQLite's like() is replaced by one that folds
    it (``kabinet.core.sqlite``); ё is replaced in the column and in the query alike.
    Combine with ``Q(...) | Q(...)``."""
    from django.db.models import Value
    from django.db.models.functions import Replace, Upper
    from django.db.models.lookups import Contains

    folded = Replace(Upper(field), Value("Ё"), Value("Е"))
    return Contains(folded, query.upper().replace("Ё", "Е"))
