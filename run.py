"""Entry point: the same commands as `simmarket`; with no command, runs the baseline."""

from simmarket.cli import main

if __name__ == "__main__":
    main()
