"""Entry point of the frozen build: the same command line as the installed `commune-desk`."""

import sys

from commune_desk.cli import main

if __name__ == "__main__":
    sys.exit(main())
