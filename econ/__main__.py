import sys

from econ.cli import main

sys.exit(main())
