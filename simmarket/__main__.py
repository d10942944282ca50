"""`python -m simmarket CMD ...`: the same commands as `simmarket`."""

from simmarket.cli import main

main(prog_name="simmarket")
