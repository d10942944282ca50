"""Regenerate the golden files: `python tests/golden/make_golden.py` (only for a deliberate change
of the model's numbers; say which in the commit)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from golden_cases import CASES, measure  # noqa: E402

if __name__ == "__main__":
    for name in CASES:
        out = HERE / f"{name}.json"
        out.write_text(json.dumps(measure(name), indent=1, sort_keys=True) + "\n")
        print("wrote", out)
