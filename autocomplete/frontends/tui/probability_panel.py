"""F2 panel: the model's ten likeliest next words and their probabilities, as bars, for
people learning how a language model sees the text."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from autocomplete.frontends.tui.editor import Offer

BAR_WIDTH = 12
EIGHTHS = " ▏▎▍▌▋▊▉"
# What the panel shows, said here: it once pointed to docs/compare/report.md, which an
# installed wheel does not have.
EXPLANATION = (
    "Barra: relativa à palavra mais\nprovável. %: a probabilidade que\no modelo dá a cada uma."
)


def bar(fraction: float, width: int = BAR_WIDTH) -> str:
    """`fraction` of `width` cells drawn with eighth-block characters."""
    eighths = round(max(0.0, min(1.0, fraction)) * width * 8)
    full, rest = divmod(eighths, 8)
    return ("█" * full + (EIGHTHS[rest] if rest else "")).ljust(width)


class ProbabilityPanel(Static):
    def show(self, offer: Offer | None) -> None:
        if offer is None or not offer.suggestions:
            self.border_title = "Probabilidades"
            lines: list[Content] = [Content("sem sugestões agora")]
        else:
            # Completions are probabilities among the words that start with what was typed.
            self.border_title = (
                f"Completar «{offer.partial}»" if offer.partial else "Próxima palavra"
            )
            # Bars are relative to the likeliest word so that small probabilities stay
            # visible; the percentage gives the absolute value.
            top = offer.suggestions[0].prob or 1.0
            width = max(len(s.word) for s in offer.suggestions)
            lines = [
                Content.assemble(
                    s.word.ljust(width) + " ", (bar(s.prob / top), "$accent"), f" {s.prob:6.1%}"
                )
                for s in offer.suggestions
            ]
        lines += [Content(""), Content(EXPLANATION).stylize("italic dim")]
        # Its size is set by the stylesheet: no layout of the screen for each keystroke.
        self.update(Content("\n").join(lines), layout=False)
