"""The ranges of everything a caller can set, declared once.

Validation in the session and, later, the MCP tool schemas are generated from these objects, so a
range cannot say one thing in a schema and another in the code that enforces it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from roastctl.errors import InvalidCommandError


@dataclass(frozen=True, slots=True)
class ControlRange:
    """An integer setting with a unit, an inclusive range and a step."""

    name: str
    unit: str
    minimum: int
    maximum: int
    step: int
    description: str

    def __post_init__(self) -> None:
        if self.step <= 0 or (self.maximum - self.minimum) % self.step:
            raise ValueError(
                f"{self.name}: step {self.step} must be > 0 and divide the range "
                f"{self.minimum}..{self.maximum}"
            )

    @property
    def allowed(self) -> str:
        """Describe the allowed values for a human or an agent."""
        if self.step == 1:
            return f"{self.minimum}-{self.maximum} {self.unit}"
        return f"{self.minimum}-{self.maximum} {self.unit} in steps of {self.step}"

    def validate(self, value: object) -> int:
        """Return ``value`` as an int if it is allowed, else raise :class:`InvalidCommandError`."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidCommandError(
                f"{self.name} must be a number, got {value!r}. Allowed: {self.allowed}."
            )
        if isinstance(value, float) and (not math.isfinite(value) or not value.is_integer()):
            raise InvalidCommandError(
                f"{self.name} must be a whole number, got {value!r}. Allowed: {self.allowed}."
            )
        number = int(value)
        if not self.minimum <= number <= self.maximum:
            raise InvalidCommandError(
                f"{self.name} {number} {self.unit} is out of range. Allowed: {self.allowed}."
            )
        if (number - self.minimum) % self.step:
            lower = number - (number - self.minimum) % self.step
            raise InvalidCommandError(
                f"{self.name} {number} {self.unit} is not a multiple of {self.step}. Allowed: "
                f"{self.allowed}; the nearest allowed values are {lower} and {lower + self.step}."
            )
        return number


#: Longest title, bean or notes a roast may carry (set_roast_info, and imports).
ROAST_TEXT_MAX_CHARS = 2000
#: Largest batch or roasted weight in grams (set_roast_info, and imports); it must be above 0.
ROAST_MASS_MAX_G = 100_000.0

#: The Hottop heater takes whole percent; the step is a policy (seed default 10 %).
HEAT_STEPS_ALLOWED = (1, 2, 5, 10, 20, 25)


def heat_range(step: int) -> ControlRange:
    """Return the heater range for the configured ``step`` percent."""
    return ControlRange(
        name="heat",
        unit="%",
        minimum=0,
        maximum=100,
        step=step,
        description="Heater power as a percentage of full power.",
    )


#: The Hottop main fan has 11 levels (0-10); 10 % per level.
FAN_RANGE = ControlRange(
    name="fan",
    unit="%",
    minimum=0,
    maximum=100,
    step=10,
    description="Main (exhaust) fan speed; each 10 % is one of the Hottop's fan levels 0-10.",
)
