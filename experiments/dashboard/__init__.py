"""The interactive dashboard (``cxsim dashboard``): try levers and anti-pattern intensities on a
shipped scenario in the browser and see the 12-month trajectories move.

What lives here:

* ``compute`` — the plain functions behind the page (tested without a browser): the scenario
  allow-list and the checks on every value from the page, the replicates (cached
  ``model.simulate``), the six-panel chart, the month-12 table (the mean of the replicates,
  red/amber/green from the catalogue) and the export of the settings as a scenario file;
* ``page`` — the Solara page (imports Solara; loaded by solara-server only);
* ``server`` — :func:`~cxsim.experiments.dashboard.server.serve`: solara-server on the loopback
  interface by default, kept off the network.

The command (``cxsim dashboard`` and its arguments) is ``experiments.cli_dashboard``. Mesa's
SolaraViz steps one model instance; here every setting runs whole 12-month replicates, so the app
is a plain Solara page.
"""
