"""``python -m kiosk.cli``: the ``avis`` command without its console script."""

from kiosk.cli import main

main(prog_name="avis")
