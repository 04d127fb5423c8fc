"""The digital twin's parameter set: the physics constants, the charge state and what is fitted.

A :class:`TwinModel` is a complete :class:`~roastctl.physics.model.PhysicsParams` plus the few
numbers a replay of a recorded roast needs that the simulator never does (how much hotter the
drum metal is than the air at the moment of charge).  :data:`FIT_SPECS` names the parameters
calibration may move, with their units and the physically sensible range it keeps them in.

Models are stored as TOML: ``[physics]`` holds every physics constant, ``[replay]`` the charge
state, ``[beans]`` the bean-mass temperature at which first crack starts under this model's
probe, and ``[fit]`` (optional, free-form) what the parameters were fitted on.  Reading uses
:mod:`tomllib`; writing uses the small writer below, since the standard library has none.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Literal

from roastctl.errors import RoasterError
from roastctl.files.toml_text import toml_float, toml_string, toml_value
from roastctl.files.write import write_text_atomically
from roastctl.physics.model import PhysicsParams

__all__ = [
    "DEFAULT_ET_WEIGHT",
    "DEFAULT_FIRST_CRACK_C",
    "FIRST_CRACK_RANGE_C",
    "FIT_SPECS",
    "MODEL_NAMES",
    "ModelName",
    "ParamSpec",
    "TwinModel",
    "TwinParamsError",
    "builtin_model",
    "load_model",
    "model_to_toml",
    "save_model",
]

ModelName = Literal["reference", "hottop", "generic"]

#: Models that ship with the package.
MODEL_NAMES: tuple[ModelName, ...] = ("reference", "hottop", "generic")

#: Package data file with the parameters fitted to real Hottop KN-8828B-2K+ logs.
_HOTTOP_RESOURCE = "hottop.toml"

#: Bean-mass first-crack temperature of the hand-tuned and generic sets (degC).
DEFAULT_FIRST_CRACK_C = 196.0

#: First-crack temperatures a model may carry (degC), as ``[simulator] first_crack_temp_c``.
FIRST_CRACK_RANGE_C = (170.0, 230.0)

#: Weight of the ET error in the fit's objective: ET matters for safety limits but is the
#: noisier, more installation-dependent probe. Kept here, beside the fitted parameters, so that
#: ``roastctl calibrate``'s options are built without loading the fitting code.
DEFAULT_ET_WEIGHT = 0.3


class TwinParamsError(RoasterError):
    """A parameter file or value is unusable; the message names the value and the fix."""

    code = "twin_params_error"


@dataclass(frozen=True, slots=True)
class ParamSpec:
    """One fittable parameter: where it lives, its unit and the range calibration keeps."""

    name: str
    """Field name in ``[physics]`` (a ``PhysicsParams`` field) or ``[replay]``."""
    section: Literal["physics", "replay"]
    """Which table of the model file holds it."""
    unit: str
    """Unit, for reports."""
    lower: float
    """Smallest value calibration tries."""
    upper: float
    """Largest value calibration tries."""
    log_scale: bool
    """Search in log space: right for strictly positive magnitudes spanning a factor of ~10."""
    meaning: str
    """What it stands for, one line."""


#: The parameters calibration fits, in the order it searches them.  Everything else (latent
#: heat, bean specific heat, exotherm, drop and tray constants) is either textbook physics or
#: not visible between CHARGE and DROP, so it stays at the base model's value.
FIT_SPECS: tuple[ParamSpec, ...] = (
    ParamSpec("heater_power_w", "physics", "W", 800.0, 2000.0, False, "heater power at 100 %"),
    ParamSpec(
        "drum_heat_capacity_j_per_k",
        "physics",
        "J/K",
        600.0,
        6000.0,
        True,
        "thermal mass of drum and body",
    ),
    ParamSpec(
        "element_heat_capacity_j_per_k",
        "physics",
        "J/K",
        100.0,
        1500.0,
        True,
        "thermal mass of the heater element",
    ),
    ParamSpec(
        "drum_bean_conductance_w_per_k",
        "physics",
        "W/K",
        0.1,
        3.0,
        True,
        "drum-to-beans contact, reference batch",
    ),
    ParamSpec(
        "air_bean_conductance_w_per_k",
        "physics",
        "W/K",
        0.05,
        3.0,
        True,
        "air-to-beans convection, reference batch",
    ),
    ParamSpec(
        "fan_conductance_w_per_k",
        "physics",
        "W/K",
        0.05,
        10.0,
        True,
        "exhaust loss with the fan at 100 %",
    ),
    ParamSpec(
        "drum_ambient_conductance_w_per_k",
        "physics",
        "W/K",
        0.2,
        5.0,
        True,
        "casing loss to the room",
    ),
    ParamSpec(
        "element_air_conductance_w_per_k",
        "physics",
        "W/K",
        0.5,
        8.0,
        True,
        "heater element to drum air",
    ),
    ParamSpec(
        "evaporation_rate_per_s",
        "physics",
        "1/s",
        0.0005,
        0.02,
        True,
        "drying rate at 160 degC",
    ),
    ParamSpec("bt_probe_tau_s", "physics", "s", 5.0, 90.0, True, "BT probe lag"),
    ParamSpec("et_probe_tau_s", "physics", "s", 1.0, 120.0, True, "ET probe lag"),
    ParamSpec(
        "bt_probe_stem_loss",
        "physics",
        "1",
        0.0,
        0.25,
        False,
        "share of the BT probe excess lost along its stem",
    ),
    ParamSpec(
        "bt_probe_bean_weight",
        "physics",
        "1",
        0.4,
        1.0,
        False,
        "share of beans in what the BT probe reads",
    ),
    ParamSpec(
        "bean_area_exponent",
        "physics",
        "1",
        0.0,
        1.2,
        False,
        "batch-mass exponent of bean heat transfer",
    ),
    ParamSpec(
        "et_probe_drum_weight",
        "physics",
        "1",
        0.0,
        0.9,
        False,
        "share of drum metal in what the ET probe reads",
    ),
    ParamSpec(
        "charge_drum_offset_c",
        "replay",
        "degC",
        -80.0,
        60.0,
        False,
        "drum metal above the ET reading at charge",
    ),
)

_SPECS_BY_NAME: dict[str, ParamSpec] = {spec.name: spec for spec in FIT_SPECS}
_PHYSICS_FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(PhysicsParams))


@dataclass(frozen=True, slots=True)
class TwinModel:
    """A complete parameter set for the simulator and for replaying recorded roasts."""

    name: str
    """Short name (``hottop``, ``generic`` or the user's)."""
    physics: PhysicsParams
    """Constants of the physical model."""
    charge_drum_offset_c: float = 10.0
    """Drum metal temperature minus the ET reading at charge (degC), for replays.

    The ET probe reads the drum air; the metal that stores the preheat energy can be hotter
    or cooler depending on how the preheat went, and it is not measured.
    """
    first_crack_temp_c: float = DEFAULT_FIRST_CRACK_C
    """Bean-mass temperature at which first crack starts (degC), for the simulator and replays.

    It belongs to the model, not to the beans alone: the simulator hears first crack when its
    bean mass reaches this, and what BT reads then depends on the model's probe (a probe that
    loses more along its stem reads lower).  Calibration sets it from the logs' FCs marks so
    the model's BT at first crack matches what real probes read.
    """
    fit: Mapping[str, str | float | int | list[str]] = field(default_factory=dict)
    """What the parameters were fitted on (free-form, kept in the file's ``[fit]`` table)."""

    def value(self, name: str) -> float:
        """Return the value of the fittable or physics parameter ``name``."""
        if name == "charge_drum_offset_c":
            return self.charge_drum_offset_c
        if name not in _PHYSICS_FIELDS:
            raise TwinParamsError(
                f"unknown parameter {name!r}; known: {', '.join(sorted(_PHYSICS_FIELDS))}, "
                "charge_drum_offset_c"
            )
        return float(getattr(self.physics, name))

    def with_values(self, values: Mapping[str, float]) -> TwinModel:
        """Return a copy with the named parameters replaced (physics or replay)."""
        physics_changes = {k: float(v) for k, v in values.items() if k in _PHYSICS_FIELDS}
        unknown = set(values) - set(physics_changes) - {"charge_drum_offset_c"}
        if unknown:
            raise TwinParamsError(
                f"unknown parameter(s) {', '.join(sorted(unknown))}; see FIT_SPECS or the "
                "PhysicsParams fields for the names"
            )
        return dataclasses.replace(
            self,
            physics=dataclasses.replace(self.physics, **physics_changes),
            charge_drum_offset_c=float(
                values.get("charge_drum_offset_c", self.charge_drum_offset_c)
            ),
        )


def spec(name: str) -> ParamSpec:
    """Return the :class:`ParamSpec` of fittable parameter ``name``."""
    try:
        return _SPECS_BY_NAME[name]
    except KeyError:
        raise TwinParamsError(
            f"{name!r} is not a fittable parameter; choose from {', '.join(_SPECS_BY_NAME)}"
        ) from None


def builtin_model(name: str) -> TwinModel:
    """Return a shipped model by name.

    ``hottop`` is the set ``roastctl calibrate`` fitted to real Hottop logs (the simulator's
    default), ``reference`` the earlier hand-tuned Hottop set, ``generic`` a generic small
    electric drum roaster.
    """
    if name == "reference":
        return TwinModel(name="reference", physics=PhysicsParams.hottop())
    if name == "generic":
        return TwinModel(name="generic", physics=PhysicsParams.generic())
    if name == "hottop":
        return _model_from_text(
            _hottop_text(), f"roastctl/twin/{_HOTTOP_RESOURCE}", default_name="hottop"
        )
    raise TwinParamsError(
        f"unknown simulator model {name!r}; choose one of {', '.join(MODEL_NAMES)} or give a "
        "parameter file written by 'roastctl calibrate'"
    )


@functools.cache
def _hottop_text() -> str:
    """Return the shipped hottop parameter file, read once: every session builds a model from it."""
    return resources.files("roastctl.physics").joinpath(_HOTTOP_RESOURCE).read_text("utf-8")


def load_model(source: str | Path) -> TwinModel:
    """Return a shipped model by name, or read a model TOML file."""
    if isinstance(source, str) and source in MODEL_NAMES:
        return builtin_model(source)
    path = Path(source)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise TwinParamsError(
            f"cannot read model file {path} ({exc.strerror or exc}); give a file written by "
            f"'roastctl calibrate' or one of {', '.join(MODEL_NAMES)}"
        ) from exc
    return _model_from_text(text, str(path), default_name=path.stem)


def _model_from_text(text: str, where: str, *, default_name: str) -> TwinModel:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TwinParamsError(f"{where}: not valid TOML ({exc})") from exc
    physics_table = data.get("physics", {})
    replay_table = data.get("replay", {})
    beans_table = data.get("beans", {})
    if not all(isinstance(t, dict) for t in (physics_table, replay_table, beans_table)):
        raise TwinParamsError(f"{where}: [physics], [replay] and [beans] must be tables")
    unknown = set(physics_table) - set(_PHYSICS_FIELDS)
    if unknown:
        raise TwinParamsError(
            f"{where}: unknown [physics] key(s) {', '.join(sorted(unknown))}; allowed: "
            f"{', '.join(_PHYSICS_FIELDS)}"
        )
    unknown_replay = set(replay_table) - {"charge_drum_offset_c"}
    if unknown_replay:
        raise TwinParamsError(
            f"{where}: unknown [replay] key(s) {', '.join(sorted(unknown_replay))}; allowed: "
            "charge_drum_offset_c"
        )
    unknown_beans = set(beans_table) - {"first_crack_temp_c"}
    if unknown_beans:
        raise TwinParamsError(
            f"{where}: unknown [beans] key(s) {', '.join(sorted(unknown_beans))}; allowed: "
            "first_crack_temp_c"
        )
    first_crack = beans_table.get("first_crack_temp_c", DEFAULT_FIRST_CRACK_C)
    if (
        isinstance(first_crack, bool)
        or not isinstance(first_crack, int | float)
        or not FIRST_CRACK_RANGE_C[0] <= first_crack <= FIRST_CRACK_RANGE_C[1]
    ):
        low, high = FIRST_CRACK_RANGE_C
        raise TwinParamsError(
            f"{where}: [beans] first_crack_temp_c = {first_crack!r} must be a number in "
            f"{low:g}-{high:g} degC; refit with 'roastctl calibrate' or edit the value"
        )
    values: dict[str, float] = {}
    for key, raw in {**physics_table, **replay_table}.items():
        if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
            raise TwinParamsError(f"{where}: {key} = {raw!r} is not a finite number")
        values[key] = float(raw)
        _check_range(key, float(raw), where)
    # Keys a file leaves out keep the generic model's values, so an older file still loads.
    base = TwinModel(name=default_name, physics=PhysicsParams.generic())
    model_table = data.get("model", {})
    name = model_table.get("name", default_name) if isinstance(model_table, dict) else default_name
    fit_table = data.get("fit", {})
    model = dataclasses.replace(
        base.with_values(values),
        name=str(name),
        first_crack_temp_c=float(first_crack),
        fit=fit_table if isinstance(fit_table, dict) else {},
    )
    try:
        # Constructing the simulator's model validates the sub-step and the rest.
        from roastctl.physics.model import RoasterPhysics

        RoasterPhysics(model.physics)
    except ValueError as exc:
        raise TwinParamsError(f"{where}: {exc}") from exc
    return model


def _check_range(key: str, value: float, where: str) -> None:
    bounded = _SPECS_BY_NAME.get(key)
    if bounded is not None and not bounded.lower <= value <= bounded.upper:
        raise TwinParamsError(
            f"{where}: {key} = {value:g} {bounded.unit} is outside {bounded.lower:g}-"
            f"{bounded.upper:g} {bounded.unit}; refit with 'roastctl calibrate' or edit the value"
        )
    if bounded is None and key != "charge_drum_offset_c" and value < 0.0:
        raise TwinParamsError(f"{where}: {key} = {value:g} must be >= 0")


def model_to_toml(model: TwinModel) -> str:
    """Return ``model`` as TOML text that :func:`load_model` reads back exactly."""
    lines = ["[model]", f"name = {toml_string(model.name)}", "", "[physics]"]
    for name in _PHYSICS_FIELDS:
        unit = _SPECS_BY_NAME[name].unit if name in _SPECS_BY_NAME else ""
        comment = f"  # {unit}, fitted" if unit else ""
        lines.append(f"{name} = {toml_float(float(getattr(model.physics, name)))}{comment}")
    lines += [
        "",
        "[replay]",
        f"charge_drum_offset_c = {toml_float(model.charge_drum_offset_c)}  # degC, fitted",
        "",
        "[beans]",
        f"first_crack_temp_c = {toml_float(model.first_crack_temp_c)}  # degC, bean mass",
    ]
    if model.fit:
        lines += ["", "[fit]"]
        for key, value in model.fit.items():
            lines.append(f"{key} = {toml_value(value)}")
    return "\n".join(lines) + "\n"


def save_model(model: TwinModel, path: Path | str) -> None:
    """Write ``model`` to ``path`` as TOML (atomically: a reader never sees half a file)."""
    write_text_atomically(Path(path), model_to_toml(model))
