"""Build step that pyproject.toml cannot express: compile the translation catalogs into the package.

The .po files in locale/ are the source; the wheel carries locale/<language>/LC_MESSAGES/<domain>.mo inside the
`carebridge` package, compiled here by Babel's own compiler (Babel is pinned in build-system.requires). A wheel
without them would serve English to everyone, so a .po file that does not compile fails the build.
"""

from __future__ import annotations

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


class build_py_with_catalogs(build_py):  # noqa: N801 - setuptools' naming
    def run(self) -> None:
        super().run()
        if not self.dry_run:
            compile_catalogs(ROOT / "locale", Path(self.build_lib) / "carebridge" / "locale")


def compile_catalogs(source: Path, target: Path) -> list[Path]:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    po_files = sorted(source.glob("*/LC_MESSAGES/*.po"))
    if not po_files:
        raise SystemExit(f"no translation catalogs (*.po) under {source}: the wheel would serve English to everyone")
    for po_file in po_files:
        with po_file.open("rb") as file:
            catalog = read_po(file, locale=po_file.parts[-3], domain=po_file.stem)
        mo_file = target / po_file.relative_to(source).with_suffix(".mo")
        mo_file.parent.mkdir(parents=True, exist_ok=True)
        with mo_file.open("wb") as file:
            write_mo(file, catalog, use_fuzzy=False)
        written.append(mo_file)
    return written


setup(cmdclass={"build_py": build_py_with_catalogs})
