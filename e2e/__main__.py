"""`python -m e2e` (scripts/e2e)."""

import sys

from .cli import main

sys.exit(main())
