"""Find the strings given to ``_()``/``N_()`` that have no English translation yet.

    python -m commune_desk.devtools.i18n_check               # list them (exit 1 if any)
    python -m commune_desk.devtools.i18n_check --add desk    # append them to en/desk.po, msgstr empty

Then write the English in the .po file (Poedit, or by hand).
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

from commune_desk.i18n import load_catalog
from commune_desk.paths import resource

PKG = Path(__file__).resolve().parents[1]


def source_strings(root: Path = PKG) -> dict[str, str]:
    """msgid -> first place it is used."""
    found: dict[str, str] = {}
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_", "N_")
                    and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                found.setdefault(node.args[0].value, f"{path.relative_to(root.parent)}:{node.lineno}")
    return found


def missing() -> dict[str, str]:
    catalog = load_catalog("en")
    return {k: v for k, v in source_strings().items() if k not in catalog}


def _po_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--add", metavar="AREA", help="append the missing msgids to resources/translations/en/AREA.po")
    args = parser.parse_args(argv)
    todo = missing()
    if args.add:
        path = resource("translations", "en", f"{args.add}.po")
        new = not path.exists()
        with path.open("a", encoding="utf-8") as fh:
            if new:
                fh.write('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n"Language: en\\n"\n\n')
            for msgid, where in todo.items():
                fh.write(f'#: {where}\nmsgid "{_po_escape(msgid)}"\nmsgstr ""\n\n')
        print(f"{len(todo)} added to {path}")
        return 0
    for msgid, where in todo.items():
        print(f"{where}: {msgid}")
    return 1 if todo else 0


if __name__ == "__main__":
    sys.exit(main())
