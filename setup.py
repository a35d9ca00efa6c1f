"""Compile the message catalogs (.po → .mo) when the package is built or installed.

Only the ``.po`` files are committed. ``pip install .`` (a wheel) and ``pip install -e .`` both
run ``build_py``, which writes each ``.mo`` next to its ``.po`` here, with Babel (no GNU gettext
needed); the running product only reads them (``payjournal.catalog`` checks they are current).
Everything else about the package is in ``pyproject.toml``.
"""

from __future__ import annotations

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

LOCALE = Path(__file__).parent / "src" / "payjournal" / "catalog" / "locale"


def compile_catalogs(locale: Path = LOCALE) -> list[Path]:
    """Write the ``.mo`` of every ``.po`` under ``locale`` (fuzzy entries left out)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po in sorted(locale.glob("*/LC_MESSAGES/*.po")):
        with po.open("rb") as source:
            catalog = read_po(source)
        mo = po.with_suffix(".mo")
        with mo.open("wb") as target:
            write_mo(target, catalog, use_fuzzy=False)
        written.append(mo)
    return written


class BuildWithCatalogs(build_py):
    """``build_py`` that compiles the catalogs first, so a wheel (and an editable install)
    carries them."""

    def run(self) -> None:
        compile_catalogs()
        super().run()


setup(cmdclass={"build_py": BuildWithCatalogs})
