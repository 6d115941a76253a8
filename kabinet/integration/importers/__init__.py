"""One importer module per kind of file from the billing system.

An importer declares:

* ``KIND`` — the code (``ImportBatch.Kind``) and ``CHUNK_SIZE`` when it differs;
* ``COLUMNS`` — a list of ``Column`` (code, Russian header name, required or not, what
  goes in it), documented in docs/integration.md;
* ``parse(values) -> dict`` — one row's cells (strings, by column code) normalised
  for the service; raises ``DomainError`` with a Russian reason for a bad row;
* ``apply(rows) -> (Counter, rejected)`` — writes the good rows of a chunk through
  the owning app's services, counting ``created`` / ``updated`` / ``unchanged``, and
  returns the rows the services refused with their reasons. A refused row must not
  cost the others (a savepoint per row, or checking everything before a bulk write).

The caller (``kabinet.integration.services``) runs ``apply`` inside the chunk's
transaction.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from types import ModuleType

from django.db import transaction

from kabinet.core.errors import DomainError

KINDS = (
    "houses",
    "accounts",
    "contracts",
    "meters",
    "readings",
    "charges",
    "payments",
    "tariffs",
    "outages",
    "intervals",
)


@dataclass(frozen=True)
class Column:
    name: str  # the code, as in docs/integration.md
    label: str  # the Russian header name, accepted in the file as well
    required: bool = False
    help: str = ""  # type and format, shown on the batch page
    aliases: tuple[str, ...] = ()


def importer(kind: str) -> ModuleType:
    if kind not in KINDS:
        raise DomainError("Неизвестный вид загрузки.", field="kind")
    return import_module(f"kabinet.integration.importers.{kind}")


def columns(kind: str) -> list[Column]:
    return importer(kind).COLUMNS


def apply_each(rows, load: Callable[[dict], str]) -> tuple[Counter, list]:
    """Apply rows one by one, each in a savepoint: ``load(values)`` returns "created",
    "updated" or "unchanged", or raises ``DomainError`` and the row is rejected with
    its reason while the rest of the chunk is kept."""
    counts: Counter = Counter()
    rejected = []
    for row in rows:
        try:
            with transaction.atomic():
                outcome = load(row.values)
        except DomainError as exc:
            rejected.append((row, str(exc.message)))
            continue
        counts[outcome] += 1
    return counts, rejected
