"""The compiled translations (.mo) and whether they are current.

Only the ``.po`` files are committed. The ``.mo`` files are built next to them when the package
is built or installed (``setup.py``: ``pip install``, ``make``), and by the test run
(``tests/conftest.py``) — never by the product at start-up, which may run read-only and in
several processes at once. :func:`stale_catalogs` names the ones missing or older than their
``.po``; the catalog app reports them as a system check (``payjournal.catalog.W001``).
``python -m payjournal.catalog.messages`` compiles them by hand (after editing a ``.po``).
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

__all__ = ["LOCALE_DIR", "compile_all", "compile_po", "stale_catalogs"]

LOCALE_DIR = Path(__file__).parent / "locale"


def compile_po(po_path: Path, mo_path: Path) -> None:
    """Write the ``.mo`` of one ``.po`` (fuzzy entries are left out, as gettext does)."""
    with po_path.open("rb") as source:
        catalog = read_po(source)
    mo_path.parent.mkdir(parents=True, exist_ok=True)
    partial = mo_path.with_suffix(".mo.tmp")
    with partial.open("wb") as target:
        write_mo(target, catalog, use_fuzzy=False)
    partial.replace(mo_path)  # atomic: a concurrent reader sees the old or the new file


def _is_stale(po_path: Path, mo_path: Path) -> bool:
    return not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime


def stale_catalogs(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    """The ``.po`` files whose ``.mo`` is missing or older."""
    return [
        po
        for po in sorted(locale_dir.glob("*/LC_MESSAGES/*.po"))
        if _is_stale(po, po.with_suffix(".mo"))
    ]


def compile_all(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    """Compile every stale ``.po`` under ``locale_dir``; returns the ones compiled."""
    stale = stale_catalogs(locale_dir)
    for po in stale:
        compile_po(po, po.with_suffix(".mo"))
    return stale


if __name__ == "__main__":
    for compiled in compile_all():
        print(f"compiled {compiled.with_suffix('.mo')}")  # noqa: T201
