"""``python -m deid.verify RAW SCRUBBED``: the same as ``deid verify``."""

import sys

from deid.verify._cli import main

sys.exit(main())
