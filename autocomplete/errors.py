"""The package's exceptions: the command-line tools print them as one line and exit 2."""


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
