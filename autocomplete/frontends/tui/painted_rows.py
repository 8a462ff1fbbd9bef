"""Painted rows kept between frames, so that a keystroke paints again only the rows it changed.

Textual's text area keys its own cache of painted rows by the whole selection whenever it
wraps lines, and empties it on every edit: each keystroke painted every visible row again,
about a millisecond a row. Sampled with py-spy while typing at the end of a 50 kB file, 73%
of the editor's time went to drawing frames and 45% to painting rows.

A row is kept here under everything its painting reads (`TextArea._render_line`): the line
and section of the document it shows, that line's text and wrapping, the selection and the
cursor (with the ghost text and the matching bracket) where they touch that line, and the
widget's size, scroll, theme and styles. A row whose inputs are all unchanged paints the same
strip, so it is reused.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager

from textual.cache import LRUCache
from textual.strip import Strip
from textual.widgets import TextArea

ROWS = 512  # a few screens' worth: scrolling back and forth reuses them too


class PaintedRows:
    """The strips of recently painted rows of one text area, by what they were painted from."""

    def __init__(self) -> None:
        self._rows: LRUCache[tuple[Hashable, ...], Strip] = LRUCache(ROWS)
        self._in_frame = False
        self._frame_inputs: tuple[Hashable, ...] | None = None

    @contextmanager
    def frame(self) -> Iterator[None]:
        """Rows painted within share the widget's inputs, read once at the first row: the
        widget's rich style alone walks its ancestors' styles (two thirds of a row's key)."""
        self._in_frame, self._frame_inputs = True, None
        try:
            yield
        finally:
            self._in_frame, self._frame_inputs = False, None

    def row(self, area: TextArea, y: int, paint: Callable[[int], Strip]) -> Strip:
        """Row `y` of the widget: kept, or painted by `paint(y)` and kept."""
        scroll_x, scroll_y = area.scroll_offset
        wrapped = area.wrapped_document
        try:
            line_index, section = wrapped._offset_to_line_info[scroll_y + y]
        except IndexError:  # below the document: a blank row, cheap to paint
            return paint(y)
        if not self._in_frame:
            widget = _area_inputs(area)
        elif self._frame_inputs is None:
            widget = self._frame_inputs = _area_inputs(area)
        else:
            widget = self._frame_inputs
        key = (line_index, section, scroll_x, *_line_inputs(area, line_index), *widget)
        strip = self._rows.get(key)
        if strip is None:
            strip = paint(y)
            self._rows[key] = strip
        return strip


def _line_inputs(area: TextArea, line_index: int) -> tuple[Hashable, ...]:
    """What of the document, selection and cursor a row of `line_index` is painted from."""
    start, end = area.selection
    top, bottom = sorted((start[0], end[0]))
    selected = (start, end) if start != end and top <= line_index <= bottom else None
    bracket = area._matching_bracket_location
    on_cursor = end[0] == line_index
    cursor = (
        (end, start == end, area._draw_cursor, area.suggestion, area.has_focus)
        if on_cursor
        else None
    )
    bracket_here = (
        bracket if bracket is not None and (on_cursor or bracket[0] == line_index) else None
    )
    return (
        area.document[line_index],
        tuple(area.wrapped_document.get_offsets(line_index)),
        selected,
        cursor,
        bracket_here,
    )


def _area_inputs(area: TextArea) -> tuple[Hashable, ...]:
    """What of the widget as a whole every row is painted with."""
    return (
        area.size,
        area.scrollable_content_region.size.width,
        area.virtual_size.width,
        area.app.theme,
        area.theme,
        area.rich_style,
        area.language,
        area.show_line_numbers,
        area.line_number_start,
        area.gutter_width,
        area.highlight_cursor_line,
        area._has_cursor,
        area.match_cursor_bracket,
        area.hide_suggestion_on_blur,
        area.indent_width,
        area.soft_wrap,
        area.read_only,
        area.show_cursor,
    )
