"""python -m autocomplete.evaluate: score a model on held-out text (autocomplete/evaluation/)."""

import sys

from autocomplete.evaluation.evaluate import main

if __name__ == "__main__":
    sys.exit(main())
