"""python -m autocomplete.ship: make a trained run the model the editor loads."""

import sys

from autocomplete.training.ship import main

if __name__ == "__main__":
    sys.exit(main())
