"""The digital twin: replaying recorded roasts through the physical model and fitting it to them.

The parameter sets the simulator loads live in :mod:`~roastctl.physics.param_sets`;
:mod:`~roastctl.twin.drive` holds the open-loop replay, :mod:`~roastctl.twin.check` the error
metrics, :mod:`~roastctl.twin.fit` the calibration, :mod:`~roastctl.twin.heater_fit` the
heater-power scale that best explains one roast, and :mod:`~roastctl.twin.chart` the
recorded-against-simulated chart.
"""
