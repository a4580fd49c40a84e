"""``python -m cxo_sim.cli``: the ``cxo-sim`` command."""

import sys

from cxo_sim.cli.main import main

sys.exit(main())
