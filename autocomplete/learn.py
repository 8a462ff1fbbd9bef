"""python -m autocomplete.learn: teach the editor your own writing (autocomplete/personal/)."""

import sys

from autocomplete.personal.import_files import main

if __name__ == "__main__":
    sys.exit(main())
