"""``python -m pidkit`` runs the ``pidkit`` command."""

import sys

from .cli import main

sys.exit(main())
