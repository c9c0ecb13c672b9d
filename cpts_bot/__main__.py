import sys

from cpts_bot.cli import main

sys.exit(main())
