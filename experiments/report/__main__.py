"""``python -m cxsim.experiments.report SCENARIO ...``: the same as ``cxsim report``."""

from cxsim.experiments.cli_report import main

raise SystemExit(main())
