"""``python -m roastctl``: the same as the ``roastctl`` command."""

from roastctl.cli import main

raise SystemExit(main())
