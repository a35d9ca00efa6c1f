"""``python -m payjournal``: the same command as the ``payjournal`` console script."""

from payjournal.cli import main

main()
