"""``python -m flows`` is the ``qostil`` command."""

from flows.cli import main

main()
