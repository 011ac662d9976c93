"""``python -m deid.cli ...`` runs the ``deid`` command."""

import sys

from deid.cli import main

sys.exit(main())
