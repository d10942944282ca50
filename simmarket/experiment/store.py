"""The Parquet results store of a sweep: one row per run, written in chunks as runs finish.

A store is a folder of part files `runs/part-NNNNNN.parquet`, each holding up to `chunk_size`
rows (or fewer, flushed after `flush_seconds`). A part is written under a temporary name and
renamed into place, so a part file is complete or absent even if the process is killed; at most
the rows of the current chunk are lost, and `--resume` reruns exactly those. All parts share one
schema, so the folder reads as one table (`read_runs`).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .space import Categorical, Sweep

PART_GLOB = "part-*.parquet"
IDENTITY = ("point", "replication")


def schema(sweep: Sweep) -> pa.Schema:
    """Columns: identity, parameter values, seed, status, error, traceback, timing, outcomes (Sweep.outcomes)."""
    cols = [("point", pa.int64()), ("replication", pa.int64())]
    cols += [(p.key, _param_type(p)) for p in sweep.parameters]
    cols += [("seed_root", pa.uint64()), ("seed_spawn_key", pa.string()), ("status", pa.string()),
             ("error", pa.string()), ("traceback", pa.string()), ("seconds", pa.float64()), ("worker", pa.string())]
    cols += [(m, pa.float64()) for m in sweep.outcomes]
    return pa.schema(cols)


def _param_type(p) -> pa.DataType:
    values = p.choices if isinstance(p, Categorical) else (p.values or (p.lo, p.hi))
    if all(isinstance(v, bool) for v in values):
        return pa.bool_()
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return pa.int64()
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return pa.float64()
    return pa.string()


class ResultStore:
    """Append-only chunked Parquet rows; `add` buffers, full chunks are flushed to a new part file."""

    def __init__(self, folder: str | Path, schema: pa.Schema, chunk_size: int = 100, flush_seconds: float = 30.0):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.schema = schema
        self.chunk_size = chunk_size
        self.flush_seconds = flush_seconds
        self.buffer: list[dict] = []
        self.parts_written = 0
        self.rows_written = 0
        self._last_flush = time.monotonic()
        for stale in self.folder.glob(".part-*.tmp"):
            stale.unlink(missing_ok=True)
        self._next = 1 + max((int(p.stem.split("-")[1]) for p in self.folder.glob(PART_GLOB)), default=0)

    def add(self, row: dict) -> None:
        self.buffer.append(row)
        if len(self.buffer) >= self.chunk_size or time.monotonic() - self._last_flush >= self.flush_seconds:
            self.flush()

    def flush(self) -> None:
        """Write the buffered rows as one new part file (atomically) and empty the buffer."""
        self._last_flush = time.monotonic()
        if not self.buffer:
            return
        table = pa.Table.from_pylist([self._coerce(r) for r in self.buffer], schema=self.schema)
        name = f"part-{self._next:06d}.parquet"
        tmp = self.folder / f".{name}.tmp"
        pq.write_table(table, tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, self.folder / name)
        self._next += 1
        self.parts_written += 1
        self.rows_written += len(self.buffer)
        self.buffer = []

    def _coerce(self, row: dict) -> dict:
        out = {}
        for f in self.schema:
            v = row.get(f.name)
            if pa.types.is_string(f.type) and v is not None and not isinstance(v, str):
                v = json.dumps(v)
            out[f.name] = v
        return out

    def completed(self) -> set[tuple[int, int]]:
        """(point, replication) of every run already in the store, failed runs included."""
        return set(map(tuple, read_runs(self.folder, columns=list(IDENTITY))[list(IDENTITY)].itertuples(index=False)))


def read_runs(folder: str | Path, columns: list[str] | None = None) -> pd.DataFrame:
    """Every stored run as one table, sorted by point and replication (a run appears once)."""
    parts = sorted(Path(folder).glob(PART_GLOB))
    if not parts:
        return pd.DataFrame(columns=columns or list(IDENTITY))
    df = pd.concat([pq.read_table(p, columns=columns).to_pandas() for p in parts], ignore_index=True)
    return df.drop_duplicates(list(IDENTITY), keep="first").sort_values(list(IDENTITY)).reset_index(drop=True)
