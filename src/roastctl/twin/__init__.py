"""The digital twin: replaying recorded roasts through the physical model and fitting it to them.

:mod:`~roastctl.twin.params` holds the parameter sets, :mod:`~roastctl.twin.drive` the
open-loop replay, :mod:`~roastctl.twin.check` the error metrics, :mod:`~roastctl.twin.fit`
the calibration and :mod:`~roastctl.twin.chart` the recorded-against-simulated chart.
"""
