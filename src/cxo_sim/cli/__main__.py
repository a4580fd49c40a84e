"""``python -m cxo_sim.cli``: the ``cxo-sim`` command."""

import sys

from cxo_sim.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
