import sys

from ml.walk_forward.cli import main

sys.exit(main())
