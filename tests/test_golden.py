"""Golden baseline: small fixed runs must reproduce the committed numbers exactly.

A change that moves any number is either a mistake or a deliberate change of the model; for the
latter, regenerate with `python tests/golden/make_golden.py` and say why in the commit.
"""

import json
from pathlib import Path

import pytest

from golden_cases import CASES, measure

GOLDEN = Path(__file__).parent / "golden"


def _flat(tree, prefix=""):
    """Leaves of a nested dict as 'a/b/c' -> canonical JSON text (so NaN equals NaN)."""
    if isinstance(tree, dict):
        out = {}
        for k, v in tree.items():
            out.update(_flat(v, f"{prefix}/{k}"))
        return out
    return {prefix: json.dumps(tree)}


@pytest.mark.parametrize("name", list(CASES))
def test_golden_run_is_bit_identical(name):
    expected = _flat(json.loads((GOLDEN / f"{name}.json").read_text()))
    got = _flat(json.loads(json.dumps(measure(name))))
    differ = sorted(k for k in expected.keys() | got.keys() if expected.get(k) != got.get(k))
    assert not differ, f"{len(differ)} numbers differ from tests/golden/{name}.json, e.g. " + "; ".join(
        f"{k}: {expected.get(k)} -> {got.get(k)}" for k in differ[:5])
