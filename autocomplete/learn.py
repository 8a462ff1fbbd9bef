"""python -m autocomplete.learn: teach the editor your own writing, no retraining needed.

python -m autocomplete.learn notas/ emails.txt   # import .txt files or folders of them
python -m autocomplete.learn --stats             # what is stored
python -m autocomplete.learn --forget            # erase everything learned
"""

from __future__ import annotations

import argparse
import sys

from autocomplete.corpus import ReadReport, read_documents
from autocomplete.errors import AutocompleteError
from autocomplete.personal import PersonalModel


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m autocomplete.learn",
        description="Import your own writing into the personal vocabulary used for suggestions.",
    )
    parser.add_argument("files", nargs="*", help=".txt files or folders of them")
    parser.add_argument("--stats", action="store_true", help="show what is stored")
    parser.add_argument("--forget", action="store_true", help="erase everything learned")
    args = parser.parse_args(argv)
    if not (args.files or args.stats or args.forget):
        parser.error("give FILES to learn, --stats or --forget")
    personal = PersonalModel()
    if personal.notice:
        print(f"note: {personal.notice}", file=sys.stderr)
    if not personal.available:
        print(f"error: cannot open the personal vocabulary at {personal.path}", file=sys.stderr)
        return 2
    try:
        if args.forget:
            personal.forget()
            print(f"erased everything learned ({personal.path})")
        learned = 0
        for path in args.files:
            report = ReadReport()
            for document in read_documents(path, report):
                learned += personal.learn_text(document.text)
            for skipped, why in report.skipped:
                print(f"skipped {skipped}: {why}", file=sys.stderr)
        if args.files:
            print(f"learned {learned:,} words")
        if args.stats:
            stats = personal.stats()
            print(
                f"{stats.path}: {stats.words:,} words, {stats.contexts:,} contexts, "
                f"{stats.blocked:,} blocked, {stats.size_bytes / 1024:,.0f} KiB"
            )
    except AutocompleteError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    finally:
        personal.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
