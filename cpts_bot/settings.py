"""Configuration: bot settings (environment or ``.env``) and the territory (``rooms.yaml``).

Validation only: nothing here opens a connection or a file other than the ones it reads.
Secrets (password, access token) live in the environment, never in ``rooms.yaml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from cpts_bot.core.errors import ConfigurationError
from cpts_bot.core.places.commune_codes import commune_code_problem, commune_name_problem
from cpts_bot.core.public_holidays import HolidayCalendar, territory_subdivision
from cpts_bot.features.cover.policy import SwapPolicy
from cpts_bot.features.dispatch.policy import DispatchPolicy
from cpts_bot.features.medecin_traitant.policy import MedecinTraitantPolicy
from cpts_bot.features.rota.quiet_hours import QuietHours
from cpts_bot.features.rota.reminders.duty_reminder_policy import DutyReminderPolicy

MATRIX_USER_ID = re.compile(r"^@[a-z0-9._=\-/+]+:[A-Za-z0-9.\-]+(:\d+)?$")
# Room IDs have a server part up to room version 11 and none from version 12 on.
ROOM_REFERENCE = re.compile(
    r"^(![^:\s]+(:[A-Za-z0-9.\-]+(:\d+)?)?|#[^:\s]+:[A-Za-z0-9.\-]+(:\d+)?)$"
)
INSEE_CODE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
POSTAL_CODE = re.compile(r"^\d{5}$")
SERVER_NAME = re.compile(r"^[A-Za-z0-9.\-]+(:\d+)?$")


def _must_match(pattern: re.Pattern[str], value: str, problem: str) -> str:
    """``value`` when ``pattern`` matches it; else a ValueError: "'value' ``problem``"."""
    if not pattern.match(value):
        raise ValueError(f"{value!r} {problem}")
    return value


def _check_user(value: str) -> str:
    return _must_match(MATRIX_USER_ID, value, "is not a Matrix user ID such as @name:example.org")


def _check_room(value: str) -> str:
    return _must_match(
        ROOM_REFERENCE, value, "is not a room ID (!id:server) or alias (#name:server)"
    )


MatrixUserId = Annotated[str, AfterValidator(_check_user)]
RoomReference = Annotated[str, AfterValidator(_check_room)]


class TrustPolicy(StrEnum):
    """Which senders' devices the bot believes (see docs/e2ee.md)."""

    CROSS_SIGNED_ONLY = "cross_signed_only"
    TRUST_ON_FIRST_USE = "trust_on_first_use"


DATABASE_FILE = "cpts-bot.sqlite"


class LocalSettings(BaseSettings):
    """Where the bot keeps its data and finds its territory, read from ``CPTS_*``
    environment variables or a ``.env`` file. Every command (the bot, the imports, the
    exports) resolves its database and rooms file through this class, so they all use
    the same ones."""

    model_config = SettingsConfigDict(
        env_prefix="CPTS_", env_file=None, env_file_encoding="utf-8", extra="ignore"
    )

    data_dir: Path = Path("data")
    rooms_file: Path = Path("rooms.yaml")

    @property
    def database_path(self) -> Path:
        """The bot's SQLite database, in its data directory."""
        return self.data_dir / DATABASE_FILE


class BotSettings(LocalSettings):
    """Process settings of the bot: where it lives, and how it logs in."""

    homeserver: str = Field(description="Homeserver URL, e.g. https://matrix.example.org")
    user_id: str = Field(description="The bot's Matrix ID, e.g. @cpts-bot:example.org")
    password: str | None = Field(default=None, repr=False)
    access_token: str | None = Field(default=None, repr=False)
    device_name: str = "cpts-bot"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    trust_policy: TrustPolicy = TrustPolicy.TRUST_ON_FIRST_USE
    cross_signing: bool = True
    # A delivery failing for longer than this is set aside and reported (minutes).
    delivery_stuck_minutes: float = Field(default=15, gt=0)
    # Open the members' direct chats ahead of need (at start, when a member is added).
    prepare_direct_chats: bool = True

    @field_validator("homeserver")
    @classmethod
    def _homeserver_is_url(cls, value: str) -> str:
        if not re.match(r"^https?://[^\s/]+", value):
            raise ValueError("must be an http:// or https:// URL")
        return value.rstrip("/")

    @field_validator("user_id")
    @classmethod
    def _user_id_is_matrix_id(cls, value: str) -> str:
        if not MATRIX_USER_ID.match(value):
            raise ValueError("must be a Matrix user ID such as @cpts-bot:example.org")
        return value

    @model_validator(mode="after")
    def _has_a_credential(self) -> BotSettings:
        if not self.password and not self.access_token:
            raise ValueError("set CPTS_PASSWORD or CPTS_ACCESS_TOKEN")
        return self


def _real_commune(value: str) -> str:
    """``value`` when it is the INSEE code of a real commune (checked against the shipped
    list, with the nearest real one suggested); a ValueError saying why otherwise."""
    _must_match(INSEE_CODE, value, "is not an INSEE commune code (5 characters, e.g. 69388)")
    problem = commune_code_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


class Commune(BaseModel):
    """A commune of the territory, with the names doctors use for it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    insee: str
    name: str
    postal_codes: list[str] = Field(default_factory=list)
    aliases: list[str] = Field(default_factory=list)
    localities: list[str] = Field(default_factory=list)
    neighbours: list[str] = Field(default_factory=list)

    @field_validator("insee")
    @classmethod
    def _insee(cls, value: str) -> str:
        return _real_commune(value)

    @field_validator("neighbours")
    @classmethod
    def _neighbours(cls, values: list[str]) -> list[str]:
        return [_real_commune(value) for value in values]

    @field_validator("name")
    @classmethod
    def _code_of_its_name(cls, value: str, info: ValidationInfo) -> str:
        insee = info.data.get("insee")
        problem = commune_name_problem(insee, value) if insee else None
        if problem is not None:
            raise ValueError(problem)
        return value

    @field_validator("postal_codes")
    @classmethod
    def _postal(cls, values: list[str]) -> list[str]:
        return [
            _must_match(POSTAL_CODE, value, "is not a postal code (5 digits)") for value in values
        ]


class Sector(BaseModel):
    """A named group of communes of the territory ("secteur nord", "la côte")."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)
    communes: list[str] = Field(min_length=1)

    @field_validator("communes")
    @classmethod
    def _insee(cls, values: list[str]) -> list[str]:
        return [_real_commune(value) for value in values]


class Territory(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    communes: list[Commune] = Field(min_length=1)
    sectors: list[Sector] = Field(default_factory=list)
    # Whose public holidays apply: a département code (57, 67, 972...) or "metropole";
    # by default, derived from the communes' départements (docs/rota-csv.md).
    public_holidays: str | None = None

    @model_validator(mode="after")
    def _one_holiday_calendar(self) -> Territory:
        territory_subdivision((c.insee for c in self.communes), self.public_holidays)
        return self

    def holiday_calendar(self) -> HolidayCalendar:
        """The public holidays of the territory (Alsace-Moselle and overseas included)."""
        codes = (commune.insee for commune in self.communes)
        return HolidayCalendar(territory_subdivision(codes, self.public_holidays))

    @model_validator(mode="after")
    def _neighbours_known(self) -> Territory:
        codes = [commune.insee for commune in self.communes]
        duplicates = sorted({code for code in codes if codes.count(code) > 1})
        if duplicates:
            raise ValueError(f"commune listed twice: {', '.join(duplicates)}")
        return self

    @model_validator(mode="after")
    def _sectors_known(self) -> Territory:
        codes = {commune.insee for commune in self.communes}
        names: set[str] = set()
        for sector in self.sectors:
            unknown = sorted(set(sector.communes) - codes)
            if unknown:
                raise ValueError(
                    f"sector {sector.name!r}: {', '.join(unknown)} not among the territory's communes"
                )
            if sector.name.casefold() in names:
                raise ValueError(f"sector {sector.name!r} listed twice")
            names.add(sector.name.casefold())
        return self


class Rooms(BaseModel):
    """Rooms by role. A room is given by its ID (``!…``) or alias (``#…``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    coordination: RoomReference | None = None
    alerts: list[RoomReference] = Field(default_factory=list)
    duty: dict[str, RoomReference] = Field(default_factory=dict)


class Access(BaseModel):
    """Who may use the bot: listed users, and/or every user of listed servers."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    users: list[MatrixUserId] = Field(default_factory=list)
    servers: list[str] = Field(default_factory=list)

    @field_validator("servers")
    @classmethod
    def _servers(cls, values: list[str]) -> list[str]:
        problem = "is not a server name such as example.org"
        return [_must_match(SERVER_NAME, value, problem) for value in values]


class AlertsConfig(BaseModel):
    """Territorial alerts: how late a missed alert may still be posted, how long a one-off
    alert without an end date stays pinned."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    grace_minutes: int = Field(default=30, ge=0, le=7 * 24 * 60)
    default_in_force_hours: int = Field(default=72, ge=1, le=24 * 365)
    # How often due alerts are looked for: an alert is posted up to this late.
    check_seconds: float = Field(default=5, ge=0.5, le=300)
    # « plus tard » to an alert that sets no reminder delay postpones the reminder by this.
    snooze_minutes: int = Field(default=60, ge=1, le=7 * 24 * 60)


class TrackingConfig(BaseModel):
    """The tracking table: free text (what people typed) is kept this many days."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    retention_days: int = Field(default=90, ge=1, le=3650)


class RoomsConfig(BaseModel):
    """The whole of ``rooms.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    territory: Territory
    language: Literal["fr", "en"] = "fr"
    coordinators: list[MatrixUserId] = Field(min_length=1)
    access: Access = Field(default_factory=Access)
    rooms: Rooms = Field(default_factory=Rooms)
    encrypted_rooms_only: bool = True
    dispatch: DispatchPolicy = Field(default_factory=DispatchPolicy)
    alerts: AlertsConfig = Field(default_factory=AlertsConfig)
    tracking: TrackingConfig = Field(default_factory=TrackingConfig)
    medecin_traitant: MedecinTraitantPolicy = Field(default_factory=MedecinTraitantPolicy)
    swaps: SwapPolicy = Field(default_factory=SwapPolicy)
    duty_reminders: DutyReminderPolicy = Field(default_factory=DutyReminderPolicy)
    quiet_hours: QuietHours = Field(default_factory=QuietHours)
    # The CPTS's own vocabulary file (synonyms, more words, new activities), relative to
    # this file: see docs/directory-csv.md.
    vocabulary_file: Path | None = None
    extra: dict[str, Any] = Field(default_factory=dict)

    def is_coordinator(self, user_id: str) -> bool:
        return user_id in self.coordinators

    def is_allowed(self, user_id: str) -> bool:
        """Coordinators, listed users, and users of listed servers may use the bot."""
        if user_id in self.coordinators or user_id in self.access.users:
            return True
        server = user_id.split(":", 1)[1] if ":" in user_id else ""
        return server in self.access.servers


@dataclass(frozen=True)
class ConfigProblem:
    """One precise problem: which file, which key, what is wrong."""

    source: str
    key: str
    message: str

    def __str__(self) -> str:
        return (
            f"{self.source}: {self.key}: {self.message}"
            if self.key
            else (f"{self.source}: {self.message}")
        )


class ConfigError(ConfigurationError):
    """The configuration is invalid; ``problems`` lists each problem."""

    def __init__(self, problems: list[ConfigProblem]) -> None:
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = problems


def _location(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part in ("function-after", "function-before"):
            continue
        else:
            text += f".{part}" if text else str(part)
    return text


def _problems_from(error: ValidationError, source: str, env: bool = False) -> list[ConfigProblem]:
    problems = []
    for item in error.errors():
        key = _location(item["loc"])
        if env and key:
            key = "CPTS_" + key.upper()
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "missing":
            message = "required, missing"
        elif item["type"] == "extra_forbidden":
            message = "unknown key (misspelt?)"
        problems.append(ConfigProblem(source, key, message))
    return problems


def load_rooms_config(path: Path) -> RoomsConfig:
    """Read and validate ``rooms.yaml``; raise :class:`ConfigError` naming each problem."""
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([ConfigProblem(source, "", "file not found")]) from None
    except UnicodeDecodeError:
        raise ConfigError([ConfigProblem(source, "", "not UTF-8 text")]) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise ConfigError([ConfigProblem(source, where, f"invalid YAML: {problem}")]) from None
    if not isinstance(data, dict):
        raise ConfigError([ConfigProblem(source, "", "must be a YAML mapping (key: value)")])
    try:
        config = RoomsConfig.model_validate(data)
    except ValidationError as error:
        raise ConfigError(_problems_from(error, source)) from None
    if config.vocabulary_file is not None and not config.vocabulary_file.is_absolute():
        config = config.model_copy(update={"vocabulary_file": path.parent / config.vocabulary_file})
    return config


SettingsKind = TypeVar("SettingsKind", bound=LocalSettings)


def _read_settings(
    kind: type[SettingsKind], env_file: Path | None, overrides: dict[str, Any]
) -> SettingsKind:
    try:
        return kind(_env_file=env_file, **overrides)  # type: ignore[call-arg]
    except ValidationError as error:
        source = str(env_file) if env_file else "environment"
        raise ConfigError(_problems_from(error, source, env=True)) from None


def load_bot_settings(env_file: Path | None = None, **overrides: Any) -> BotSettings:
    """Read the bot settings from the environment and ``env_file`` (the environment wins);
    without ``env_file``, from the environment only."""
    return _read_settings(BotSettings, env_file, overrides)


def load_local_settings(env_file: Path | None = None, **overrides: Any) -> LocalSettings:
    """The data directory and rooms file, read exactly as :func:`load_bot_settings` reads
    them (for the commands that need no Matrix login: imports, exports, reports)."""
    return _read_settings(LocalSettings, env_file, overrides)


def territory_notes(rooms_file: Path | None) -> list[str]:
    """What an administrator should know of a valid territory: the communes it covers in
    part, by postal code (their other codes are outside)."""
    from cpts_bot.core.places.commune_parts import commune_parts

    try:
        config = load_rooms_config(rooms_file or Path("rooms.yaml"))
    except ConfigError:
        return []
    return [
        f"{part.name} ({part.insee}) is covered in part: postal codes "
        f"{', '.join(sorted(part.covered))}; {', '.join(sorted(part.outside))} are outside"
        for part in commune_parts(config.territory.communes).values()
    ]


def check_config(
    env_file: Path | None = None, rooms_file: Path | None = None
) -> list[ConfigProblem]:
    """Validate both configurations and return every problem found (empty when valid)."""
    problems: list[ConfigProblem] = []
    try:
        load_bot_settings(env_file)
    except ConfigError as error:
        problems.extend(error.problems)
    try:
        path = rooms_file or load_local_settings(env_file).rooms_file
    except ConfigError:
        path = Path("rooms.yaml")  # the problem is already listed above
    try:
        config = load_rooms_config(path)
    except ConfigError as error:
        problems.extend(error.problems)
        return problems
    from cpts_bot.core.places.commune_parts import unknown_postal_codes

    for insee, name, code in unknown_postal_codes(config.territory.communes):
        problems.append(
            ConfigProblem(
                str(path),
                f"territory.communes[{insee}].postal_codes",
                f"{code} is not a postal code of {name} in the official list",
            )
        )
    if config.vocabulary_file is not None:
        from cpts_bot.core.vocabulary_extension import (
            VocabularyFileError,
            load_cpts_vocabulary,
        )

        try:
            load_cpts_vocabulary(config.vocabulary_file)
        except VocabularyFileError as error:
            problems.append(ConfigProblem(str(path), "vocabulary_file", str(error)))
    return problems
