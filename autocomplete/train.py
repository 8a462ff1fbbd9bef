"""python -m autocomplete.train: train the word language model (autocomplete/training/)."""

import sys

from autocomplete.errors import exit_without_torch

try:
    from autocomplete.training.trainer import main
except ModuleNotFoundError as missing:  # torch is the `train` extra: say what to install
    exit_without_torch(missing, __name__, "training")

if __name__ == "__main__":
    sys.exit(main())
