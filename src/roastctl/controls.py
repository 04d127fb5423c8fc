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


@dataclass(frozen=True, slots=True)
class PropertyRange:
    """A measured property of a roast (density, ambient conditions, colour): unit and range."""

    name: str
    unit: str
    minimum: float
    maximum: float
    #: Whole numbers only (a batch number, a screen size).
    whole: bool = False

    @property
    def allowed(self) -> str:
        """Describe the allowed values for a human or an agent."""
        kind = "a whole number" if self.whole else "a number"
        return f"{kind} from {self.minimum:g} to {self.maximum:g} {self.unit}".rstrip()

    def validate(self, value: object) -> float:
        """Return ``value`` if it is allowed, else raise :class:`InvalidCommandError`.

        The message names the property, the value, the range and what to do; it says that
        nothing was changed (the caller checks every field before it writes any).
        """
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidCommandError(
                f"{self.name} must be a number, got {value!r}; allowed: {self.allowed}. Nothing "
                "was changed; send a number or leave the field out."
            )
        number = float(value)
        if not math.isfinite(number) or not self.minimum <= number <= self.maximum:
            raise InvalidCommandError(
                f"{self.name} = {value!r} is out of range; allowed: {self.allowed}. Nothing was "
                "changed; check the reading (and its unit) and send it again."
            )
        if self.whole and not number.is_integer():
            raise InvalidCommandError(
                f"{self.name} = {value!r} must be a whole number; allowed: {self.allowed}. "
                "Nothing was changed."
            )
        return number


#: The numeric roast properties (``set_roast_info``, imports and the MCP schema), by field name.
#: Units follow Artisan's roast properties once converted: density of the green beans in g/l,
#: volumes in litres, ambient conditions in deg C, %RH and hPa, colour as the colour meter's
#: number (Artisan's ``whole_color``/``ground_color``), bean size as a screen size (64ths of an
#: inch, Artisan's ``beansize_min``/``beansize_max``). Artisan writes 0 for "not measured", so
#: a 0 in a file reads as unset and the ranges start above it where 0 makes no sense.
ROAST_PROPERTY_RANGES: dict[str, PropertyRange] = {
    r.name: r
    for r in (
        PropertyRange("density_g_per_l", "g/l", 100.0, 1500.0),
        PropertyRange("volume_in_l", "l", 0.001, 1000.0),
        PropertyRange("volume_out_l", "l", 0.001, 1000.0),
        PropertyRange("batch_number", "", 1, 999_999, whole=True),
        PropertyRange("ambient_temp_c", "deg C", -40.0, 60.0),
        PropertyRange("ambient_humidity_percent", "%RH", 0.0, 100.0),
        PropertyRange("ambient_pressure_hpa", "hPa", 300.0, 1100.0),
        PropertyRange("whole_color", "", 1.0, 255.0),
        PropertyRange("ground_color", "", 1.0, 255.0),
        PropertyRange("bean_size_min", "screen (64ths of an inch)", 1, 40, whole=True),
        PropertyRange("bean_size_max", "screen (64ths of an inch)", 1, 40, whole=True),
    )
}
#: Longest short text property: the batch prefix and the colour system's name.
ROAST_SHORT_TEXT_MAX_CHARS = 100
#: Cupping scores (Artisan's ``flavors``): at most this many, each 0-10 (Artisan's scale).
ROAST_FLAVORS_MAX = 40
ROAST_FLAVOR_SCORE_RANGE = PropertyRange("flavor score", "", 0.0, 10.0)


@dataclass(frozen=True, slots=True)
class TargetRange:
    """A target the server acts on by itself (a drop target): unit and inclusive range."""

    name: str
    unit: str
    minimum: float
    maximum: float
    description: str

    @property
    def allowed(self) -> str:
        """Describe the allowed values for a human or an agent."""
        return f"{self.minimum:g}-{self.maximum:g} {self.unit}"

    def validate(self, value: object) -> float:
        """Return ``value`` as a float if it is allowed, else raise :class:`InvalidCommandError`."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidCommandError(
                f"{self.name} must be a number, got {value!r}. Allowed: {self.allowed}. Nothing "
                "was changed."
            )
        number = float(value)
        if not math.isfinite(number) or not self.minimum <= number <= self.maximum:
            raise InvalidCommandError(
                f"{self.name} {value!r} {self.unit} is out of range. Allowed: {self.allowed}. "
                "Nothing was changed; send a value within the range."
            )
        return number


#: The drop targets (``set_drop_target``), by argument name: exactly one is set at a time.
DROP_TARGET_RANGES: dict[str, TargetRange] = {
    r.name: r
    for r in (
        TargetRange(
            "dtr_percent",
            "%",
            5.0,
            40.0,
            "Drop when the development time ratio (first crack to drop over CHARGE to drop) "
            "reaches this.",
        ),
        TargetRange(
            "bt_c",
            "deg C",
            150.0,
            240.0,
            "Drop when BT reaches this (after the turning point).",
        ),
        TargetRange(
            "development_s",
            "s",
            10.0,
            600.0,
            "Drop this many seconds after first crack.",
        ),
    )
}
