"""Packages for setuptools (the rest of the metadata is in pyproject.toml).

The scenario files live once, in the repository's scenarios/ folder where users edit them; they
are installed as the package data `simmarket/scenarios` (and `simmarket/scenarios/sweeps`), so
named scenarios (`simmarket run baseline`) work from a wheel. pyproject.toml alone cannot add a
mapped package to the discovered ones, hence this file.
"""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["simmarket", "simmarket.*"]), "simmarket.scenarios", "simmarket.scenarios.sweeps"],
    package_dir={"simmarket.scenarios": "scenarios"},
)
