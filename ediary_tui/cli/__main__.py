"""`python -m ediary_tui.cli`, as `ediary`."""

import sys

from . import main

sys.exit(main())
