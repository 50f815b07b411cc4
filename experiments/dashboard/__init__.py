"""The interactive dashboard (``cxsim dashboard``): try levers and anti-pattern intensities on a
shipped scenario in the browser and see the 12-month trajectories move.

What lives here:

* ``compute`` — the plain functions behind the page (tested without a browser): the scenario
  allow-list and the checks on every value from the page, the replicates (cached
  ``model.simulate``), the six charts (a Vega-Lite spec each, made with Altair in the
  project's chart style, the numbers inlined; the browser draws them), the
  scenarios' titles and hints for the drop-down, the month-12 table (the mean of the replicates,
  red/amber/green from the catalogue) and the export of the settings as a scenario file;
* ``page`` — the Solara page (imports Solara; loaded by solara-server only), inside an error
  boundary: an error reaches the browser as one generic line, its details the server's log;
* ``server`` — :func:`~cxsim.experiments.dashboard.server.serve` (and ``serve_solara``, which
  the Mesa app shares): ``--host`` checked, the socket opened by us, uvicorn running
  solara-server's app on the loopback interface by default, kept off the network;
* ``guard`` — the ASGI middleware round solara-server's app: Host and Origin of every request
  and websocket handshake checked against the served address (403 otherwise), Solara's debug
  endpoints closed (404), framing by other sites forbidden.

The command (``cxsim dashboard`` and its arguments) is ``experiments.cli_dashboard``. Mesa's
SolaraViz steps one model instance; here every setting runs whole 12-month replicates, so the app
is a plain Solara page.
"""
