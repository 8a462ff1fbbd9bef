"""The map between a wrapped document's lines and its rows (the screen lines its lines wrap
into), read as Textual's WrappedDocument reads its own two lists (`_offset_to_line_info[row]`:
the row's line and section; `_line_index_to_offsets[line]`: the line's rows), but cheap to
edit anywhere in a long document.

Textual's lists hold absolute numbers, so an edit that adds a line or a row renumbers every
entry below it one by one in Python: 0.1-0.5 s for an Enter near the top of a 20 MB file.
Here the renumbering below the latest edit is one pending number, added to those entries as
they are read and written into them only as far as a later edit moves away from it: typing
stays in one place, so an edit costs a few entries (and a list slice, at C speed)."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import accumulate


class ShiftedInts:
    """A list of ints whose entries from `_pivot` on read `_delta` more than they hold."""

    __slots__ = ("_delta", "_items", "_pivot")

    def __init__(self, items: list[int]) -> None:
        self._items = items
        self._pivot = len(items)
        self._delta = 0

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, index: int) -> int:
        value = self._items[index]  # IndexError past the end, as a list
        if index < 0:
            index += len(self._items)
        return value + self._delta if index >= self._pivot else value

    def replace(self, start: int, stop: int, values: list[int], shift: int) -> None:
        """Put `values` in place of the entries [start, stop), and add `shift` to every entry
        after them."""
        items, pivot, delta = self._items, self._pivot, self._delta
        # Move the pending delta's start to `stop`, writing it into the entries in between.
        if delta and pivot < start:
            items[pivot:start] = [value + delta for value in items[pivot:start]]
        elif delta and pivot > stop:
            items[stop:pivot] = [value - delta for value in items[stop:pivot]]
        items[start:stop] = values
        self._pivot = start + len(values)
        self._delta = delta + shift


class RowMap:
    """Each line's height in rows and first row, and each row's line and section."""

    def __init__(self, heights: list[int]) -> None:
        self.heights = heights
        self.first_rows = ShiftedInts(list(accumulate(heights[:-1], initial=0)) if heights else [])
        self.row_lines = ShiftedInts(_rows_of(0, heights))
        self.row_sections = _sections_of(heights)

    def replace(self, top: int, bottom: int, heights: list[int]) -> None:
        """The lines [top, bottom) were replaced by lines `heights` rows high."""
        first = self.first_rows[top] if top < len(self.heights) else len(self.row_sections)
        old_rows = sum(self.heights[top:bottom])
        new_rows = sum(heights)
        firsts = list(accumulate(heights[:-1], initial=first)) if heights else []
        self.first_rows.replace(top, bottom, firsts, new_rows - old_rows)
        line_shift = len(heights) - (bottom - top)
        self.row_lines.replace(first, first + old_rows, _rows_of(top, heights), line_shift)
        self.row_sections[first : first + old_rows] = _sections_of(heights)
        self.heights[top:bottom] = heights


def _rows_of(top: int, heights: list[int]) -> list[int]:
    """The line of each row of lines `top`, `top` + 1... of these heights."""
    return [line for line, height in enumerate(heights, top) for _ in range(height)]


def _sections_of(heights: list[int]) -> list[int]:
    return [section for height in heights for section in range(height)]


class RowInfo(Sequence[tuple[int, int]]):
    """Textual's `_offset_to_line_info`: row -> (its line, which section of the line)."""

    def __init__(self, rows: RowMap) -> None:
        self._rows = rows

    def __len__(self) -> int:
        return len(self._rows.row_sections)

    def __getitem__(self, row: int) -> tuple[int, int]:  # type: ignore[override]  # no slices
        return self._rows.row_lines[row], self._rows.row_sections[row]


class LineRows(Sequence[list[int]]):
    """Textual's `_line_index_to_offsets`: line -> its rows."""

    def __init__(self, rows: RowMap) -> None:
        self._rows = rows

    def __len__(self) -> int:
        return len(self._rows.heights)

    def __getitem__(self, line: int) -> list[int]:  # type: ignore[override]  # no slices
        first = self._rows.first_rows[line]
        return list(range(first, first + self._rows.heights[line]))
