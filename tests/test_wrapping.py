"""The patches of Textual's wrapping give Textual's own results."""

from __future__ import annotations

import importlib.util
import random

from rich.cells import get_character_cell_size
from textual._wrap import compute_wrap_offsets
from textual.document._wrapped_document import WrappedDocument
from textual.expand_tabs import get_tab_widths
from textual.widgets.text_area import Document

from autocomplete.frontends.tui import wrapping


def textual_module():
    """A fresh copy of Textual's wrapped-document module, which no patch has touched."""
    spec = importlib.util.find_spec("textual.document._wrapped_document")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


TextualWrappedDocument = textual_module().WrappedDocument
WORDS = ["a", "de", "ação", "não", "—", "“aspas”", "paralelepípedo", "x" * 23, "e-mail", "…"]


def random_line(rng: random.Random) -> str:
    pieces = []
    for _ in range(rng.randrange(0, 30)):
        pieces.append(rng.choice(WORDS))
        pieces.append(" " * rng.choice([0, 1, 1, 1, 2, 5, 30]))
    return " " * rng.choice([0, 0, 3, 40]) + "".join(pieces)


def test_the_narrow_characters_are_one_cell_wide() -> None:
    for first, last in wrapping.NARROW:
        assert all(get_character_cell_size(chr(code)) == 1 for code in range(first, last + 1))


def test_rows_break_where_textual_breaks_them() -> None:
    rng = random.Random(12)
    for _ in range(3000):
        line = random_line(rng)
        width = rng.choice([1, 2, 5, 10, 23, 24, 40, 95])
        expected = compute_wrap_offsets(line, width, 4, precomputed_tab_sections=None)
        assert wrapping.wrap_offsets(line, width, 4) == expected, (line, width)


def test_lines_with_tabs_or_wide_characters_are_left_to_textual() -> None:
    for line in ["a\tb " * 20, "日本語 " * 30, "cafe\u0301 " * 30]:
        for width in (7, 20):
            assert wrapping.wrap_offsets(line, width, 4) == compute_wrap_offsets(line, width, 4)


def test_tab_widths_are_textuals() -> None:
    for line in ["", "abc", " a b ", "a\tb", "\t", "ação\t\tfim"]:
        assert wrapping.tab_widths(line, 4) == get_tab_widths(line, 4)


def test_height_is_the_number_of_rows_after_edits() -> None:
    wrapping.wrap_long_documents_quickly()
    rng = random.Random(3)
    document = Document("\n".join(random_line(rng) for _ in range(200)))
    wrapped = WrappedDocument(document, width=30)

    def rows() -> int:
        return sum(len(offsets) + 1 for offsets in wrapped._wrap_offsets)

    assert wrapped.height == rows()
    for _ in range(50):
        row = rng.randrange(document.line_count)
        start, end = (row, 0), (min(row + rng.randrange(3), document.line_count - 1), 0)
        result = document.replace_range(start, end, random_line(rng) + "\n" * rng.randrange(3))
        wrapped.wrap_range(start, end, result.end_location)
        assert wrapped.height == rows()
    wrapped.wrap(11)
    assert wrapped.height == rows()


def test_edits_keep_the_wrapping_current_so_an_unchanged_width_is_not_rewrapped() -> None:
    wrapping.wrap_long_documents_quickly()
    rng = random.Random(5)
    document = Document("\n".join(random_line(rng) for _ in range(100)))
    wrapped = WrappedDocument(document, width=30)
    for _ in range(30):
        row = rng.randrange(document.line_count)
        start, end = (row, 0), (row, len(document[row]))
        result = document.replace_range(start, end, random_line(rng) + "\n" * rng.randrange(2))
        wrapped.wrap_range(start, end, result.end_location)
    edited = wrapped._wrap_offsets
    wrapped.wrap(30)
    assert wrapped._wrap_offsets is edited  # skipped: so the edits must leave what it gives
    fresh = WrappedDocument(document, width=30)
    assert wrapped._wrap_offsets == fresh._wrap_offsets
    assert list(wrapped._offset_to_line_info) == list(fresh._offset_to_line_info)
    wrapped.wrap(12)  # a new width wraps again
    assert wrapped._wrap_offsets == WrappedDocument(document, width=12)._wrap_offsets


def test_wrapping_a_document_gives_textuals_maps() -> None:
    rng = random.Random(8)
    lines = [random_line(rng) for _ in range(300)] + ["a\tb\tc " * 9, "", "日本語 " * 20]
    document = Document("\n".join(lines))
    for width in (0, 13, 40):
        textual = TextualWrappedDocument(document, width=width, tab_width=4)
        wrapping.wrap_long_documents_quickly()
        ours = WrappedDocument(document, width=width, tab_width=4)
        for name in ("_wrap_offsets", "_tab_width_cache"):
            assert getattr(ours, name) == getattr(textual, name), name
        assert list(ours._line_index_to_offsets) == textual._line_index_to_offsets
        assert list(ours._offset_to_line_info) == textual._offset_to_line_info


def test_edits_anywhere_give_textuals_maps() -> None:
    """Lines and rows added and removed here and there, as typing, Enter, pastes and
    deletions do: the row map's deferred renumbering reads as Textual's own lists."""
    wrapping.wrap_long_documents_quickly()
    rng = random.Random(21)
    text = "\n".join(random_line(rng) for _ in range(150))
    ours_document, textual_document = Document(text), Document(text)
    ours = WrappedDocument(ours_document, width=30)
    textual = TextualWrappedDocument(textual_document, width=30)
    for _ in range(300):
        top = rng.randrange(ours_document.line_count)
        bottom = min(top + rng.choice([0, 0, 0, 1, 4]), ours_document.line_count - 1)
        start = (top, rng.randrange(len(ours_document[top]) + 1))
        end = (bottom, rng.randrange(len(ours_document[bottom]) + 1))
        start, end = sorted((start, end))
        inserted = rng.choice(["", "a", " ", "\n", "palavra ", random_line(rng), "x\n\ny\n"])
        for document, wrapped in ((ours_document, ours), (textual_document, textual)):
            result = document.replace_range(start, end, inserted)
            wrapped.wrap_range(start, end, result.end_location)
        assert ours._wrap_offsets == textual._wrap_offsets
        assert ours._tab_width_cache == textual._tab_width_cache
        assert list(ours._line_index_to_offsets) == textual._line_index_to_offsets
        assert list(ours._offset_to_line_info) == textual._offset_to_line_info
        assert ours.height == textual.height
