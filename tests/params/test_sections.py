"""Keys of the scenario sections: their bounds and the one-line errors outside them."""

from __future__ import annotations

import pytest

from simmarket import params
from simmarket.params import ConfigError


def test_start_year_is_any_march_with_history():
    assert params.baseline().run.start_year == 2024
    assert params.load("baseline", ["run.start_year=2020"]).run.start_year == 2020
    for bad, allowed in (("2019", "allowed 2020 to 2025"), ("2026", "allowed 2020 to 2025"),
                         ("2020.5", "whole number")):
        with pytest.raises(ConfigError) as err:
            params.load("baseline", [f"run.start_year={bad}"])
        assert "run.start_year" in str(err.value) and allowed in str(err.value) and "\n" not in str(err.value)
