"""``python -m cxsim.experiments.cli`` is the ``cxsim`` command."""

from cxsim.experiments.cli import main

raise SystemExit(main())
