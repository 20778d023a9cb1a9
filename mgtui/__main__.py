import sys

from mgtui.cli import main

sys.exit(main())
