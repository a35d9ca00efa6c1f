"""Compile the translations (.po → .mo) with Babel, so no GNU gettext is needed.

Only the ``.po`` files are committed; the ``.mo`` files are built next to them when the app
starts (:class:`~payjournal.catalog.apps.CatalogConfig`) if missing or older than their
``.po``. Where the package directory is read-only, they are built into a temporary directory
that is added to ``LOCALE_PATHS``.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

__all__ = ["LOCALE_DIR", "compile_all", "compile_po"]

LOCALE_DIR = Path(__file__).parent / "locale"
log = logging.getLogger(__name__)


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


def compile_all(locale_dir: Path = LOCALE_DIR) -> Path:
    """Compile every stale ``.po`` under ``locale_dir``; returns the directory holding the
    ``.mo`` files (``locale_dir`` itself, or a temporary copy when it is read-only)."""
    pos = sorted(locale_dir.glob("*/LC_MESSAGES/*.po"))
    try:
        for po in pos:
            if _is_stale(po, po.with_suffix(".mo")):
                compile_po(po, po.with_suffix(".mo"))
        return locale_dir
    except OSError:
        target = Path(tempfile.mkdtemp(prefix="payjournal-locale-"))
        log.warning("locale directory is read-only; compiled translations into %s", target)
        for po in pos:
            compile_po(po, target / po.relative_to(locale_dir).with_suffix(".mo"))
        return target
