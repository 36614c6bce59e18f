"""``python -m pidkit_distill``: the ``pidkit-distill`` command."""

from pidkit_distill.cli import main

raise SystemExit(main())
