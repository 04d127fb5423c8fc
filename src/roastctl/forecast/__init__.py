"""Where the roast is going: a live estimate of the roaster model's state, and forecasts from it.

The estimator (:mod:`.estimator`) follows the physics model's hidden state and the heater power
the machine really gets from every sample; the forecaster (:mod:`.forecaster`) runs the model
ahead from that estimate. See docs/forecast.md.
"""
