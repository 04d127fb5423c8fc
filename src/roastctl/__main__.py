"""``python -m roastctl``: the same as the ``roastctl`` command."""

from roastctl.cli.main import main

raise SystemExit(main())
