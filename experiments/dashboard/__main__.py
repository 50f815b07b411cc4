"""``python -m cxsim.experiments.dashboard``: the same as ``cxsim dashboard``."""

from cxsim.experiments.cli_dashboard import main

raise SystemExit(main())
