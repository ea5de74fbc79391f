"""`python -m briefgen`: the same command as `briefgen`."""

from .cli import main

raise SystemExit(main())
