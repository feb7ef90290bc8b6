import multiprocessing

from irbox.cli import main

if __name__ == "__main__":
    # The frozen executable re-enters here in child processes; this must come first.
    multiprocessing.freeze_support()
    raise SystemExit(main())
