"""Settings: ``roastctl.toml`` plus ``ROASTCTL_*`` environment variables, validated at start-up.

Precedence, highest first: values passed in code, environment variables (nested keys joined with
``__``, e.g. ``ROASTCTL_TRACKER__SAMPLING_INTERVAL_S=2``), the TOML file (``--config PATH`` or
``ROASTCTL_CONFIG``), then the defaults below. Every key is documented in ``docs/configuration.md``.
The defaults are safe and need no hardware: the simulator.
"""

from __future__ import annotations

import os
import tomllib
from contextvars import ContextVar
from datetime import tzinfo
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from roastctl.controls import HEAT_STEPS_ALLOWED
from roastctl.errors import ConfigError
from roastctl.files.limits import MAX_CONFIG_FILE_BYTES

CONFIG_ENV_VAR = "ROASTCTL_CONFIG"
ENV_PREFIX = "ROASTCTL_"

#: Allowed dead-man timeouts: shorter than an agent's think time trips needlessly, longer is moot.
DEAD_MAN_RANGE_S = (10.0, 1800.0)
#: Deepest nesting of tables and arrays read from the config file (it needs 2).
_CONFIG_MAX_DEPTH = 8
#: Longest timezone name accepted; the longest IANA name has 32 characters.
TIMEZONE_MAX_CHARS = 64
#: The dead-man timeout ``roastctl serve`` uses when the config leaves it unset.
SERVE_DEAD_MAN_S = 60.0

_config_file: ContextVar[Path | None] = ContextVar("roastctl_config_file", default=None)


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class HardwareConfig(_Section):
    """Which roaster to talk to and how."""

    driver: Literal["simulator", "hottop", "replay"] = Field(
        default="simulator", description="simulator (no hardware), hottop (USB serial) or replay."
    )
    port: str | None = Field(
        default=None, description="Serial port of the Hottop, e.g. /dev/ttyUSB0 or COM3."
    )
    baud: int = Field(default=115200, ge=1200, le=1_000_000, description="Serial baud rate.")
    timeout_s: float = Field(default=1.0, ge=0.05, le=10.0, description="Serial read timeout.")
    heat_step_percent: int = Field(
        default=10,
        description=f"Heater commands must be multiples of this; one of {HEAT_STEPS_ALLOWED}.",
    )
    replay_file: Path | None = Field(default=None, description="Roast log played by 'replay'.")

    @field_validator("heat_step_percent")
    @classmethod
    def _heat_step_allowed(cls, value: int) -> int:
        if value not in HEAT_STEPS_ALLOWED:
            raise ValueError(f"must be one of {HEAT_STEPS_ALLOWED}")
        return value


class TrackerConfig(_Section):
    """Sampling and roast analytics."""

    sampling_interval_s: float = Field(
        default=1.0, ge=0.1, le=10.0, description="Seconds between samples."
    )
    ror_span_s: float = Field(
        default=30.0, ge=5.0, le=120.0, description="Time span one rate-of-rise value covers."
    )
    ror_method: Literal["smooth", "least_squares", "two_point", "artisan"] = Field(
        default="smooth",
        description="smooth: the smoothest estimate exact on curves, lag 3/8 of the span "
        "(docs/ror.md); least_squares: slope of a line fitted to the span, lag half the span; "
        "two_point: (newest - oldest) / span; artisan: Artisan's default live pipeline.",
    )
    charge_min_bean_temp_c: float = Field(
        default=77.0, ge=20.0, le=250.0, description="CHARGE needs BT above this before the fall."
    )
    charge_min_drop_c: float = Field(
        default=10.0,
        ge=2.0,
        le=100.0,
        description="CHARGE needs BT to fall at least this far below its recent maximum.",
    )
    charge_min_fall_rate_c_per_min: float = Field(
        default=30.0,
        ge=5.0,
        le=600.0,
        description="...and to fall at least this fast (a preheat cool-down is slower).",
    )
    charge_window_s: float = Field(
        default=20.0, ge=2.0, le=120.0, description="The fall must happen within this time."
    )
    dry_end_temp_c: float = Field(
        default=150.0, ge=100.0, le=180.0, description="DRY END when BT reaches this."
    )
    auto_drop: bool = Field(
        default=True, description="Detect DROP from the door opening or the BT/ET pattern."
    )
    development_target_min_percent: float = Field(default=15.0, ge=0.0, le=60.0)
    development_target_max_percent: float = Field(
        default=25.0, ge=0.0, le=60.0, validate_default=True
    )

    @field_validator("development_target_max_percent")
    @classmethod
    def _target_ordered(cls, value: float, info: ValidationInfo) -> float:
        low = info.data.get("development_target_min_percent")
        if low is not None and value <= low:
            raise ValueError(f"must be above development_target_min_percent ({low})")
        return value


class SimulatorConfig(_Section):
    """The simulated roaster (driver = "simulator")."""

    seed: int = Field(default=1, description="Random seed: same seed, same roast.")
    model: Literal["reference", "hottop", "generic"] = Field(
        default="hottop",
        description="Physics parameter set: the one fitted to real Hottop logs by 'roastctl "
        "calibrate', the earlier hand-tuned Hottop reference, or a generic drum roaster "
        "(docs/twin.md).",
    )
    model_file: Path | None = Field(
        default=None,
        description="A parameter file written by 'roastctl calibrate' (your own roaster's "
        "twin); when set it replaces 'model'.",
    )
    noise_c: float = Field(
        default=0.0, ge=0.0, le=5.0, description="Standard deviation of probe noise, deg C."
    )
    whole_degrees: bool = Field(
        default=False, description="Round readings to whole deg C, as the Hottop reports them."
    )
    ambient_c: float = Field(default=22.0, ge=-10.0, le=45.0, description="Room temperature.")
    batch_mass_g: float = Field(default=220.0, gt=0.0, le=300.0, description="Green beans, g.")
    moisture_percent: float = Field(default=11.0, ge=0.0, le=20.0)
    first_crack_temp_c: float | None = Field(
        default=None,
        ge=170.0,
        le=230.0,
        description="Bean-mass temperature at first crack; unset: the model's own (196 deg C "
        "for reference and generic, fitted to the logs' first-crack BT for hottop).",
    )
    bean_variance_c: float = Field(
        default=2.0,
        ge=0.0,
        le=10.0,
        description="Standard deviation of the first-crack temperature from batch to batch.",
    )

    @field_validator("model_file")
    @classmethod
    def _model_file_loads(cls, value: Path | None) -> Path | None:
        if value is None:
            return None
        # Imported here: reading a parameter file is the only reason config needs the twin's
        # file format, and most commands never set it.
        from roastctl.physics.param_sets import TwinParamsError, load_model

        try:
            load_model(value)
        except TwinParamsError as exc:
            raise ValueError(str(exc)) from None
        return value


class ForecastConfig(_Section):
    """The live forecast: where the roast is going (docs/forecast.md)."""

    enabled: bool = Field(
        default=True, description="Run the live twin estimate and forecast on every sample."
    )
    refresh_s: float = Field(
        default=5.0,
        ge=0.0,
        le=60.0,
        description="Make the status's forecast again after this many seconds of samples (at "
        "once when a setting or a mark changes); 0: at every sample.",
    )
    correction_file: Path | None = Field(
        default=None,
        description="A forecast correction written by 'roastctl forecast-fit' from your own "
        "roast logs; unset: the one shipped for the model (hottop), if any.",
    )
    first_crack_bt_c: float | None = Field(
        default=None,
        ge=150.0,
        le=240.0,
        description="First-crack BT to aim at when fewer than 'history_min_roasts' kept roasts "
        "of this roaster have an FCs mark; unset: the model's own.",
    )
    history_min_roasts: int = Field(
        default=3,
        ge=1,
        le=100,
        description="Kept roasts with an FCs mark needed before their median BT is used.",
    )
    history_roasts: int = Field(
        default=30,
        ge=1,
        le=1000,
        description="The newest this many kept roasts of this roaster are looked at.",
    )


class SafetyConfig(_Section):
    """Limits the safety supervisor enforces; each can be tightened, none can be switched off.

    The reasons behind each default are in ``docs/safety.md``.
    """

    bean_temp_limit_c: float = Field(
        default=220.0,
        ge=150.0,
        le=240.0,
        description="BT at or above this forces the drop sequence (Artisan's Hottop cut-off).",
    )
    env_temp_limit_c: float = Field(
        default=260.0,
        ge=150.0,
        le=280.0,
        description="ET at or above this forces the drop sequence (real Hottop roasts peak "
        "near 245 deg C; the probe is rated to about 270).",
    )
    warning_band_c: float = Field(
        default=10.0,
        ge=0.0,
        le=50.0,
        description="Within this many deg C below a limit the status carries a warning.",
    )
    release_temp_c: float = Field(
        default=180.0,
        ge=40.0,
        le=230.0,
        validate_default=True,
        description="A temperature or emergency-stop fault clears only once BT is below this "
        "(Artisan will not hand back control above 180 deg C).",
    )
    env_release_temp_c: float = Field(
        default=220.0,
        ge=40.0,
        le=270.0,
        validate_default=True,
        description="An ET fault clears only once ET is below this.",
    )
    stale_after_s: float = Field(
        default=3.0,
        ge=1.0,
        le=10.0,
        description="No fresh reading for this long while heating cuts the heat and latches "
        "a fault.",
    )
    dead_man_s: float | None = Field(
        default=None,
        description="Heat is cut when no agent call arrives for this long. Unset: off for the "
        "Python API, 60 s under 'roastctl serve'. 0 switches it off everywhere (logged). "
        "Otherwise 10-1800 s.",
    )
    fan_off_heat_cap_percent: int | None = Field(
        default=None,
        ge=0,
        le=100,
        description="If set, after first crack heat above this is refused while the fan is at "
        "0 (and the fan cannot go to 0 while heat is above it).",
    )
    shutdown_drop_min_bean_temp_c: float = Field(
        default=60.0,
        ge=0.0,
        le=150.0,
        description="On shutdown, charged beans at or above this BT are dropped and cooled.",
    )

    @field_validator("release_temp_c")
    @classmethod
    def _release_below_bean_limit(cls, value: float, info: ValidationInfo) -> float:
        limit = info.data.get("bean_temp_limit_c")
        if limit is not None and value >= limit:
            raise ValueError(f"must be below bean_temp_limit_c ({limit})")
        return value

    @field_validator("env_release_temp_c")
    @classmethod
    def _release_below_env_limit(cls, value: float, info: ValidationInfo) -> float:
        limit = info.data.get("env_temp_limit_c")
        if limit is not None and value >= limit:
            raise ValueError(f"must be below env_temp_limit_c ({limit})")
        return value

    @field_validator("dead_man_s")
    @classmethod
    def _dead_man_range(cls, value: float | None) -> float | None:
        if (
            value is not None
            and value != 0
            and not DEAD_MAN_RANGE_S[0] <= value <= DEAD_MAN_RANGE_S[1]
        ):
            low, high = DEAD_MAN_RANGE_S
            raise ValueError(f"must be 0 (off) or {low:.0f}-{high:.0f} s")
        return value

    def dead_man_timeout_s(self, default_s: float | None) -> float | None:
        """Return the dead-man timeout in force: ``default_s`` when unset, ``None`` when off."""
        if self.dead_man_s is None:
            return default_s
        return self.dead_man_s or None


class StoreConfig(_Section):
    """Where every roast is kept (SQLite)."""

    path: Path | None = Field(
        default=None,
        description="The roast database file; unset: roasts.sqlite3 in the user's data folder "
        "(see docs/storage.md).",
    )


class AuthConfig(_Section):
    """Who may use the HTTP server (docs/access.md)."""

    tokens_path: Path | None = Field(
        default=None,
        description="The token file (hashes only); unset: tokens.json beside the roast database "
        "in the user's data folder.",
    )


class HttpConfig(_Section):
    """How ``roastctl serve --http`` keeps MCP sessions (docs/access.md)."""

    mcp_session_idle_s: float = Field(
        default=600.0,
        ge=1.0,
        le=86_400.0,
        description="An MCP session with no request for this long is closed (its id then answers "
        "404 and the client starts a new one); each open session holds memory.",
    )
    mcp_max_sessions: int = Field(
        default=1000,
        ge=1,
        le=100_000,
        description="At most this many MCP sessions at once; one more is refused (503) until one "
        "ends or expires.",
    )


def _check_timezone(name: str) -> str:
    if name == "local":
        return name
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise ValueError(
            f"unknown timezone {name!r}; use an IANA name such as 'Europe/Berlin' or "
            "'America/New_York', 'UTC', or 'local' for the system's zone"
        ) from exc
    return name


def _read_toml(path: Path) -> dict[str, Any]:
    """Read the config file, at most :data:`MAX_CONFIG_FILE_BYTES`; :class:`ConfigError` else.

    A pipe (``--config <(...)``) is read too, but never more than the limit.
    """
    name = repr(str(path))
    try:
        if path.is_dir():
            raise ConfigError(
                f"config file {name} is a directory; point --config / {CONFIG_ENV_VAR} at a "
                "roastctl.toml file"
            )
        with path.open("rb") as handle:
            raw = handle.read(MAX_CONFIG_FILE_BYTES + 1)
    except FileNotFoundError as exc:
        raise ConfigError(
            f"config file {name} does not exist; create it or point --config / "
            f"{CONFIG_ENV_VAR} at an existing roastctl.toml"
        ) from exc
    except OSError as exc:
        raise ConfigError(f"config file {name} cannot be read: {exc.strerror or exc}") from exc
    if len(raw) > MAX_CONFIG_FILE_BYTES:
        raise ConfigError(
            f"config file {name} has more than the {MAX_CONFIG_FILE_BYTES:,} bytes a config "
            "file may have (a full roastctl.toml is about 2 KiB); check that it is the right file"
        )
    try:
        text = raw.decode("utf-8")
        # tomllib takes time growing with the square of a dotted key's length (100,000: 17 s).
        data = None if _dotted_beyond(text, _CONFIG_MAX_DEPTH) else tomllib.loads(text)
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"config file {name} is not UTF-8 text (byte {exc.start} cannot be read); TOML is "
            "written in UTF-8"
        ) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {name} is not valid TOML: {exc}") from exc
    except RecursionError:
        data = None
    if data is None or _nested_beyond(data, _CONFIG_MAX_DEPTH):
        raise ConfigError(
            f"config file {name} has arrays or tables nested too deeply to read (more than "
            f"{_CONFIG_MAX_DEPTH} levels); a roastctl.toml needs two"
        )
    return data


def _dotted_beyond(text: str, limit: int) -> bool:
    """Tell whether a table header or key in ``text`` has far more dots than ``limit`` levels.

    Counted before parsing, generously (a quoted key may hold dots of its own), so only a key no
    roastctl.toml can have is refused here; the parsed data is checked exactly afterwards.
    """
    for line in text.splitlines():
        stripped = line.lstrip()
        key = stripped if stripped.startswith("[") else stripped.partition("=")[0]
        if key.count(".") > 8 * limit:
            return True
    return False


def _nested_beyond(data: object, limit: int) -> bool:
    """Tell whether tables and arrays in ``data`` go more than ``limit`` levels deep."""
    pending: list[tuple[object, int]] = [(data, 0)]
    while pending:
        value, depth = pending.pop()
        if depth > limit:
            return True
        if isinstance(value, dict):
            pending.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            pending.extend((item, depth + 1) for item in value)
    return False


class _TomlFileSource(PydanticBaseSettingsSource):
    """The TOML file named by :func:`load_config`'s argument or ``ROASTCTL_CONFIG``."""

    def __init__(self, settings_cls: type[BaseSettings]) -> None:
        super().__init__(settings_cls)
        path = _config_file.get()
        if path is None and os.environ.get(CONFIG_ENV_VAR):
            path = Path(os.environ[CONFIG_ENV_VAR])
        self.path = path
        self.data: dict[str, Any] = {}
        if path is not None:
            self.data = _read_toml(path)

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        """Return one top-level value from the file."""
        return self.data.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(self.data)


class ArtisanConfig(_Section):
    """Artisan alongside roastctl: its WebSocket roaster endpoint (docs/artisan.md)."""

    enabled: bool = Field(
        default=False,
        description="Serve Artisan's WebSocket roaster endpoint at /artisan on 'roastctl serve "
        "--http' (as --artisan does).",
    )


class ServerConfig(BaseSettings):
    """All of roastctl's settings."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter="__",
        extra="forbid",
        frozen=True,
    )

    hardware: HardwareConfig = Field(default_factory=HardwareConfig)
    tracker: TrackerConfig = Field(default_factory=TrackerConfig)
    simulator: SimulatorConfig = Field(default_factory=SimulatorConfig)
    forecast: ForecastConfig = Field(default_factory=ForecastConfig)
    safety: SafetyConfig = Field(default_factory=SafetyConfig)
    store: StoreConfig = Field(default_factory=StoreConfig)
    auth: AuthConfig = Field(default_factory=AuthConfig)
    http: HttpConfig = Field(default_factory=HttpConfig)
    artisan: ArtisanConfig = Field(default_factory=ArtisanConfig)
    timezone: str = Field(
        default="local",
        max_length=TIMEZONE_MAX_CHARS,
        description="IANA zone for local timestamps, or 'local' (the system's).",
    )

    @field_validator("timezone")
    @classmethod
    def _timezone_known(cls, value: str) -> str:
        return _check_timezone(value)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Order the sources: code, environment, TOML file, defaults."""
        return (init_settings, env_settings, _TomlFileSource(settings_cls))

    def local_zone(self) -> tzinfo | None:
        """Return the zone for local timestamps (``None`` means the system's local zone)."""
        return None if self.timezone == "local" else ZoneInfo(self.timezone)


def describe_validation_error(error: ValidationError) -> str:
    """Turn a pydantic error into lines that name each key, its value and what is allowed."""
    lines = []
    for item in error.errors():
        key = ".".join(str(part) for part in item["loc"])
        env = ENV_PREFIX + "__".join(str(part) for part in item["loc"]).upper()
        value = item.get("input")
        message = item["msg"]
        if item["type"] == "extra_forbidden":
            message = "unknown key (check the spelling against docs/configuration.md)"
        if item["type"] == "literal_error":
            message = message.replace("Input should be", "allowed:")
        lines.append(f"{key} = {_shown(value)}: {message} (set in roastctl.toml or {env})")
    return "invalid configuration:\n  " + "\n  ".join(lines)


def _shown(value: object) -> str:
    """Return ``value`` as a message shows it: cut short, as a setting may be megabytes long."""
    try:
        text = repr(value)
    except RecursionError:
        return "(a value nested too deeply to show)"
    return text if len(text) <= 80 else f"{text[:60]}... ({len(text):,} characters)"


def _refuse_unknown_env_vars() -> None:
    """Refuse misspelt ``ROASTCTL_*`` variables, which would otherwise be ignored silently."""
    known = set(ServerConfig.model_fields) | {CONFIG_ENV_VAR.removeprefix(ENV_PREFIX).lower()}
    unknown = sorted(
        name
        for name in os.environ
        if name.upper().startswith(ENV_PREFIX)
        and name[len(ENV_PREFIX) :].split("__", 1)[0].lower() not in known
    )
    if unknown:
        raise ConfigError(
            f"unknown environment variable(s) {', '.join(unknown)}; roastctl reads "
            f"{ENV_PREFIX}<SECTION>__<KEY> for the sections {', '.join(sorted(known))} "
            "(see docs/configuration.md). Fix the spelling or unset them."
        )


def load_config(path: Path | str | None = None) -> ServerConfig:
    """Load settings from ``path`` (or ``ROASTCTL_CONFIG``) and the environment.

    Raises :class:`ConfigError` naming every bad key, its value and what is allowed.
    """
    _refuse_unknown_env_vars()
    token = _config_file.set(Path(path) if path is not None else None)
    try:
        return ServerConfig()
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(exc)) from None
    finally:
        _config_file.reset(token)
