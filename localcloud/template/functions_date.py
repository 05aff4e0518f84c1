"""Date functions: utcNow (parameter defaults only), dateTimeAdd, epoch conversions."""

from __future__ import annotations

import calendar
import re
from datetime import datetime, timedelta, timezone
from typing import Any

from localcloud.template.context import Context
from localcloud.template.errors import TemplateError
from localcloud.template.registry import FunctionTable, contextual, expect, pure

FUNCTIONS: FunctionTable = {}

_DURATION = re.compile(
    r"^(-)?P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?"
    r"(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$"
)
_TOKENS = re.compile(
    r"yyyy|yy|MMMM|MMM|MM|M|dddd|ddd|dd|d|HH|H|hh|h|mm|m|ss|s|f{1,7}|tt|'[^']*'|\\.|."
)
# .NET's standard formats in the invariant culture, which ARM formats with: utcNow('d') is
# "03/05/2019" (template-functions-date.md, MicrosoftDocs/azure-docs).
_STANDARD_FORMATS = {
    "u": "yyyy'-'MM'-'dd HH':'mm':'ss'Z'",
    "s": "yyyy'-'MM'-'dd'T'HH':'mm':'ss",
    "o": "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffff'Z'",
    "O": "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffff'Z'",
    "d": "MM/dd/yyyy",
    "D": "dddd, dd MMMM yyyy",
    "t": "HH:mm",
    "T": "HH:mm:ss",
    "f": "dddd, dd MMMM yyyy HH:mm",
    "F": "dddd, dd MMMM yyyy HH:mm:ss",
    "g": "MM/dd/yyyy HH:mm",
    "G": "MM/dd/yyyy HH:mm:ss",
    "m": "MMMM dd",
    "M": "MMMM dd",
    "y": "yyyy MMMM",
    "Y": "yyyy MMMM",
    "r": "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
    "R": "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
}


def format_datetime(moment: datetime, pattern: str) -> str:
    """A .NET custom/standard date format applied to `moment` (UTC)."""
    pattern = _STANDARD_FORMATS.get(pattern, pattern)
    return "".join(_format_token(moment, token) for token in _TOKENS.findall(pattern))


def _format_token(moment: datetime, token: str) -> str:
    values = {
        "yyyy": f"{moment.year:04d}",
        "yy": f"{moment.year % 100:02d}",
        "MM": f"{moment.month:02d}",
        "M": str(moment.month),
        "dd": f"{moment.day:02d}",
        "d": str(moment.day),
        "HH": f"{moment.hour:02d}",
        "H": str(moment.hour),
        "hh": f"{(moment.hour % 12) or 12:02d}",
        "h": str((moment.hour % 12) or 12),
        "mm": f"{moment.minute:02d}",
        "m": str(moment.minute),
        "ss": f"{moment.second:02d}",
        "s": str(moment.second),
        "tt": "AM" if moment.hour < 12 else "PM",
        "MMMM": calendar.month_name[moment.month],
        "MMM": calendar.month_abbr[moment.month],
        "dddd": calendar.day_name[moment.weekday()],
        "ddd": calendar.day_abbr[moment.weekday()],
    }
    if token in values:
        return values[token]
    if token.startswith("f"):
        return f"{moment.microsecond:06d}0"[: len(token)]
    if token.startswith("'"):
        return token[1:-1]
    if token.startswith("\\"):
        return token[1:]
    return token


def iso(moment: datetime) -> str:
    """ARM's rendering of a UTC timestamp: `2023-04-01T01:00:38Z` (fraction when present)."""
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond:
        text += f".{moment.microsecond:06d}".rstrip("0")
    return text + "Z"


def parse_datetime(function: str, text: Any) -> datetime:
    expect(function, text, str)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError as exc:
        raise TemplateError(
            f"The template language function '{function}' has an invalid parameter: '{text}' "
            "is not a valid ISO 8601 date and time."
        ) from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


@contextual(FUNCTIONS, "utcNow", 0, 1)
def utc_now(ctx: Context, args: list[Any]) -> str:
    if ctx.stage != "parameters":
        raise TemplateError(
            "The template function 'utcNow' is not expected at this location. The function can "
            "only be used with parameter default value. Please see https://aka.ms/arm-functions "
            "for usage details."
        )
    pattern = expect("utcNow", args[0], str) if args else "yyyyMMdd'T'HHmmss'Z'"
    return format_datetime(ctx.now, pattern)


@pure(FUNCTIONS, "dateTimeAdd", 2, 3)
def date_time_add(base: Any, duration: Any, pattern: Any = None) -> str:
    moment = parse_datetime("dateTimeAdd", base)
    match = _DURATION.match(expect("dateTimeAdd", duration, str, 2))
    if match is None or match.group(0) in ("P", "-P") or match.group(0).endswith("T"):
        raise TemplateError(
            "The template function 'dateTimeAdd' has an invalid parameter. The second parameter "
            f"'{duration}' is not a valid ISO8601 Duration string. Please see "
            "https://aka.ms/arm-syntax-functions ."
        )
    try:
        result = _add(moment, match)
    except OverflowError as exc:
        raise TemplateError("The result of 'dateTimeAdd' is out of range.") from exc
    if pattern is None:
        return iso(result)
    return format_datetime(result, expect("dateTimeAdd", pattern, str, 3))


def _add(moment: datetime, match: re.Match[str]) -> datetime:
    sign = -1 if match.group(1) else 1
    years, months, weeks, days, hours, minutes = (int(g or 0) for g in match.groups()[1:7])
    seconds = float(match.group(8) or 0)
    moment = _add_months(moment, sign * (years * 12 + months))
    delta = timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes, seconds=seconds)
    return moment + delta * sign


def _add_months(moment: datetime, months: int) -> datetime:
    if months == 0:
        return moment
    total = moment.year * 12 + moment.month - 1 + months
    year, month = divmod(total, 12)
    if not 1 <= year <= 9999:
        raise OverflowError("year out of range")
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


@pure(FUNCTIONS, "dateTimeFromEpoch", 1)
def date_time_from_epoch(seconds: Any) -> str:
    expect("dateTimeFromEpoch", seconds, int)
    try:
        return iso(datetime.fromtimestamp(seconds, tz=timezone.utc))
    except (OverflowError, OSError, ValueError) as exc:
        raise TemplateError(
            f"The template language function 'dateTimeFromEpoch' cannot convert '{seconds}'."
        ) from exc


@pure(FUNCTIONS, "dateTimeToEpoch", 1)
def date_time_to_epoch(text: Any) -> int:
    return int(parse_datetime("dateTimeToEpoch", text).timestamp())
