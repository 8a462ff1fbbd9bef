"""How the terminal's bytes for Alt+1..3 are read.

Most terminals send Alt+1 as ESC followed by "1". Textual reads ESC+digit as the character
macOS types for Option+digit (¡ ™ £ ...), for WezTerm on macOS, so Alt+1..3 could only be
bound by binding those characters, and then "Custa 10 £" inserted a suggestion instead of
the pound sign. Reading ESC+digit as alt+digit (Textual's reading of any other ESC+key)
gives Alt+1..3 keys of their own and leaves ¡ ™ £ to be typed; the one cost is that Option+1..3
in WezTerm on macOS picks a slot instead of typing ¡ ™ £.
"""

from __future__ import annotations

from textual import _ansi_sequences

from autocomplete import SLOTS

SLOT_DIGITS = "".join(str(slot) for slot in range(1, SLOTS + 1))


def read_escape_digit_as_alt() -> None:
    """Make the terminal parser report ESC 1..3 as alt+1..3 (idempotent)."""
    for digit in SLOT_DIGITS:
        _ansi_sequences.ANSI_SEQUENCES_KEYS.pop(f"\x1b{digit}", None)  # type: ignore[attr-defined]
