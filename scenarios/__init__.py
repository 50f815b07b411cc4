"""The shipped scenarios (package data): ``baseline.toml``, the calibrated default organisation
that every other scenario extends, the TechOps Pro programme, the anti-patterns and the risks, and
``calibration_record.json``, the record of the procedure that fitted ``baseline.toml``. Read them
with :func:`cxsim.model.scenario.shipped_scenarios`, never by path."""
