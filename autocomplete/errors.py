"""The package's exceptions: the command-line tools print them as one line and exit 2.
The same for a missing torch (the `train` extra): one line saying what to install."""

import sys
from typing import NoReturn


class AutocompleteError(Exception):
    """Base class for every error a user can cause with bad input."""


class ConfigError(AutocompleteError, ValueError):
    """A configuration value that makes no sense (negative size, zero batch...)."""


class CorpusError(AutocompleteError, ValueError):
    """The corpus path is missing or holds no usable text."""


class VocabularyError(AutocompleteError, ValueError):
    """The corpus cannot give the requested vocabulary."""


class CheckpointError(AutocompleteError):
    """A checkpoint file is missing, truncated, foreign or from a newer version."""


class DocumentError(AutocompleteError):
    """The file given to the editor cannot be edited as UTF-8 text."""


# Torch is the `train` extra: serving runs on numpy. The CPU-only index spares pip's default
# Linux build, which pulls several GB of CUDA libraries.
INSTALL_TORCH = (
    'pip install "autocomplete[train]"; for a CPU-only PyTorch without the multi-GB CUDA '
    "download, first: pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu"
)


def needs_torch(what: str) -> str:
    """One line: `what` needs PyTorch, and how to install it."""
    return f"{what} needs PyTorch: {INSTALL_TORCH}"


def exit_without_torch(missing: ModuleNotFoundError, module: str, what: str) -> NoReturn:
    """For a tool's `import torch`: run as a program (`module` is "__main__") without torch,
    print one line saying what to install and exit 2; otherwise re-raise `missing`."""
    if module != "__main__" or missing.name != "torch":
        raise missing
    print(f"error: {needs_torch(what)}", file=sys.stderr)
    sys.exit(2)
