"""python -m autocomplete.lexicon: add a completion lexicon to a checkpoint."""

import sys

from autocomplete.training.build_lexicon import main

if __name__ == "__main__":
    sys.exit(main())
