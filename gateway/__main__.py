import sys

from gateway.wiring.cli import main

sys.exit(main())
