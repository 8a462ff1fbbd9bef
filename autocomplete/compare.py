"""python -m autocomplete.compare: the RNN/GRU/LSTM lesson (autocomplete/lesson/)."""

import sys

from autocomplete.errors import exit_without_torch

try:
    from autocomplete.lesson.compare import main
except ModuleNotFoundError as missing:  # torch is the `train` extra: say what to install
    exit_without_torch(missing, __name__, "comparing the networks")

if __name__ == "__main__":
    sys.exit(main())
