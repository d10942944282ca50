"""One column store: a table held as NumPy arrays, one per field, with stable row ids."""

from __future__ import annotations

import numpy as np

from ..kernels.rows import keep_rows


class ColumnStore:
    """Rows appended in batches; attribute access returns the live slice of each column.

    Subclasses declare `FIELDS = {name: (dtype, fill)}`. Every row gets an `id` that never changes
    and never repeats: row positions change when `compact` drops rows, ids do not, and since rows
    keep their order ids stay sorted, so `rows_of(ids)` is a binary search.

    The live slices are kept as plain attributes, renewed whenever the rows change (columns are
    read hundreds of times a week; a plain attribute is the cheapest read).
    """

    FIELDS: dict[str, tuple] = {}

    def __init__(self, capacity: int = 1024):
        self._fields = {"id": (np.int64, -1), **self.FIELDS}
        self._cols = {k: np.full(capacity, fill, dtype) for k, (dtype, fill) in self._fields.items()}
        self.n = 0
        self.next_id = 0
        self._widths = None  # the columns grouped by item size (_by_width), until they are replaced
        self._expose()

    def _expose(self) -> None:
        """Make each column's live slice (its first n rows) an attribute."""
        n = self.n
        self.__dict__.update({name: col[:n] for name, col in self._cols.items()})

    def __getstate__(self):
        return {k: v for k, v in self.__dict__.items() if k not in self._cols and k != "_widths"}

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._widths = None
        self._expose()

    def add(self, **values) -> np.ndarray:
        """Append rows; each keyword is a column (array or scalar). Returns their positions.

        Columns not given are left as they are: every row past the first n holds its column's fill
        (columns start full of it, and _reserve and keep_only refill what they free)."""
        k = len(next(v for v in values.values() if np.ndim(v) > 0))
        self._reserve(self.n + k)
        rows = slice(self.n, self.n + k)
        for name, value in values.items():
            if name in self._fields:
                self._cols[name][rows] = value
        self._cols["id"][rows] = np.arange(self.next_id, self.next_id + k)
        self.n += k
        self.next_id += k
        self._expose()
        return np.arange(rows.start, rows.stop)

    def _reserve(self, size: int) -> None:
        cap = len(self._cols["id"])
        if size <= cap:
            return
        new = max(size, 2 * cap)
        for name, (dtype, fill) in self._fields.items():
            col = np.full(new, fill, dtype)
            col[:cap] = self._cols[name]
            self._cols[name] = col
        self._widths = None

    def keep_only(self, keep: np.ndarray) -> None:
        """Keep the rows where `keep` (a flag for each of the n rows) is True, in order, and drop
        the rest (the columns compacted in place, those of each item size together in one pass:
        kernels.rows.keep_rows)."""
        keep = np.asarray(keep, np.bool_)
        if len(keep) != self.n:
            raise ValueError(f"keep_only needs a flag for each of the {self.n} rows, got {len(keep)}")
        kept = self.n
        for cols, fills in self._by_width():
            kept = keep_rows(cols, fills, keep, self.n)
        self.n = kept
        self._expose()

    def _by_width(self) -> list[tuple[tuple, np.ndarray]]:
        """The columns by item size, each seen as the unsigned integer of its width (a bit-for-bit
        view: bools, codes and floats are moved as they are), with their fills seen the same way:
        (columns, fills) for each size. Kept until _reserve replaces the columns (speed only)."""
        if self._widths is None:
            groups: dict = {}
            for name, (dtype, fill) in self._fields.items():
                width = np.dtype(f"u{np.dtype(dtype).itemsize}")
                cols, fills = groups.setdefault(width, ([], []))
                cols.append(self._cols[name].view(width))
                fills.append(np.array(fill, dtype).view(width))
            self._widths = [(tuple(cols), np.array(fills)) for cols, fills in groups.values()]
        return self._widths

    def rows_of(self, ids: np.ndarray) -> np.ndarray:
        """Current positions of rows by id (-1 for rows no longer held)."""
        ids = np.asarray(ids, np.int64)
        pos = np.searchsorted(self.id, ids)
        found = pos < self.n
        found[found] = self.id[pos[found]] == ids[found]
        return np.where(found, pos, -1)
