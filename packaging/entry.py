"""Entry point of the frozen executable (same as `python -m irbox`)."""

import multiprocessing

from irbox.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # first: child processes re-enter here
    raise SystemExit(main())
