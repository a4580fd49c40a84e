"""The parameter registry: every model parameter declared once.

Everything that takes parameters reads this list: the model's validation, the presets, the
experiment-file validator, the CLI's ``--set``, the app's controls, the sensitivity-analysis
problem and the parameter table in docs/ODD.md. Add a parameter here and every consumer sees it.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass
from typing import Any

KINDS = ("float", "int", "bool", "choice")
GROUPS = ("cio", "cmo", "rights", "practices", "organisation")
GROUP_TITLES = {
    "cio": "CIO preferences",
    "cmo": "CMO preferences",
    "rights": "Decision rights",
    "practices": "Collaboration practices",
    "organisation": "Organisation",
}


@dataclass(frozen=True)
class Parameter:
    """One model parameter.

    Attributes:
        name: keyword argument name of ``CxOModel``.
        kind: one of ``float``, ``int``, ``bool``, ``choice``.
        default: value used when the parameter is not given.
        meaning: one line saying what it means in the model.
        source: where the default comes from (article, published figure, modelling choice).
        group: which control group the app shows it in.
        unit: unit of the value ("" for dimensionless).
        low: lower bound (numeric kinds).
        high: upper bound (numeric kinds).
        choices: allowed values (choice kind).
        sensitivity: whether global sensitivity analysis varies it by default.
    """

    name: str
    kind: str
    default: Any
    meaning: str
    source: str
    group: str
    unit: str = ""
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    sensitivity: bool = True

    def allowed(self) -> str:
        """Describe the allowed values in words, for error messages and docs."""
        if self.kind == "bool":
            return "true or false"
        if self.kind == "choice":
            return "one of " + ", ".join(repr(c) for c in self.choices)
        word = "an integer" if self.kind == "int" else "a number"
        return f"{word} from {_fmt(self.low)} to {_fmt(self.high)}"

    def invalid(self, value: Any) -> ValueError:
        """The error for a value this parameter does not allow (written only when raised)."""
        return ValueError(
            f"parameter {self.name!r}: invalid value {value!r}; expected {self.allowed()}"
        )

    def validate(self, value: Any) -> Any:
        """Return ``value`` converted to this parameter's kind, or raise ``ValueError``.

        Integers are accepted for floats and integral floats for ints; strings are not parsed
        here (see :func:`parse_value` for text from a command line).
        """
        if self.kind == "bool":
            if isinstance(value, bool):
                return value
            if type(value).__name__ == "bool_":  # numpy bool from a DataFrame
                return bool(value)
            raise self.invalid(value)
        if self.kind == "choice":
            if isinstance(value, str) and value in self.choices:
                return value
            raise self.invalid(value)
        if isinstance(value, bool) or not _is_number(value):
            raise self.invalid(value)
        number = float(value)
        if not math.isfinite(number):
            raise self.invalid(value)
        if self.kind == "int":
            if number != int(number):
                raise self.invalid(value)
            number = int(number)
        if number < self.low or number > self.high:
            raise self.invalid(value)
        return number

    def parse(self, text: str) -> Any:
        """Parse a value written as text (``--set``, a form field) and validate it."""
        raw = text.strip()
        if self.kind == "bool":
            lowered = raw.lower()
            if lowered in ("true", "yes", "on", "1"):
                return True
            if lowered in ("false", "no", "off", "0"):
                return False
            raise self.invalid(text)
        if self.kind == "choice":
            return self.validate(raw)
        try:
            number = float(raw)
        except ValueError:
            raise self.invalid(text) from None
        return self.validate(number)


def _is_number(value: Any) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return not isinstance(value, str)


def _fmt(x: float | None) -> str:
    if x is None:
        return "?"
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _p(name, kind, default, meaning, source, group, unit="", low=None, high=None, choices=(), **kw):
    return Parameter(
        name, kind, default, meaning, source, group, unit, low, high, tuple(choices), **kw
    )


_DECLARATIONS = [
    # --- CIO preferences -----------------------------------------------------------------
    _p(
        "cio_spend",
        "float",
        0.25,
        "CIO's spending appetite (0 = cost minimiser)",
        "articles 003, 004: the CIO minimises cost and makes technology buys IT supports",
        "cio",
        low=0.0,
        high=1.0,
    ),
    _p(
        "cio_risk",
        "float",
        0.2,
        "CIO's risk tolerance (0 = guards security above all)",
        "article 003: the CIO is 'worried about security, stability and reliability'",
        "cio",
        low=0.0,
        high=1.0,
    ),
    _p(
        "cio_speed",
        "float",
        0.3,
        "CIO's urgency (0 = patient, thinks in months)",
        "article 003: IT thinks in weeks, not days",
        "cio",
        low=0.0,
        high=1.0,
    ),
    # --- CMO preferences -----------------------------------------------------------------
    _p(
        "cmo_spend",
        "float",
        0.75,
        "CMO's spending appetite (0 = cost minimiser)",
        "article 004: the CMO wields a larger budget; Gartner martech share 22-29%",
        "cmo",
        low=0.0,
        high=1.0,
    ),
    _p(
        "cmo_risk",
        "float",
        0.7,
        "CMO's risk tolerance",
        "article 003: the CMO is the 'maverick who is quick and nimble'",
        "cmo",
        low=0.0,
        high=1.0,
    ),
    _p(
        "cmo_speed",
        "float",
        0.8,
        "CMO's urgency (1 = wants things in days)",
        "article 003: CMOs 'plan and execute campaigns in days'",
        "cmo",
        low=0.0,
        high=1.0,
    ),
    # --- Decision rights -----------------------------------------------------------------
    _p(
        "budget_owner",
        "choice",
        "cio",
        "who holds decision rights over martech purchases",
        "article 004: old world (cio), new world (cmo); Gartner 2021 shared funding",
        "rights",
        choices=("cio", "cmo", "shared"),
    ),
    _p(
        "combined_role",
        "bool",
        False,
        "one executive holds both the CIO and CMO titles",
        "article 004: 'CIO and CMO titles reside in the same person'",
        "rights",
    ),
    # --- Practices -----------------------------------------------------------------------
    _p(
        "alignment",
        "float",
        0.1,
        "weight each executive puts on the other's KPIs",
        "articles 000, 003; Accenture 2013: 10% collaborate at the right level",
        "practices",
        low=0.0,
        high=1.0,
    ),
    _p(
        "meeting_interval",
        "int",
        0,
        "weeks between CIO-CMO meetings (0 = never)",
        "article 000: 'set regular meetings'",
        "practices",
        unit="weeks",
        low=0,
        high=52,
    ),
    _p(
        "mixed_teams",
        "float",
        0.0,
        "share of engineers embedded in marketing",
        "article 000: 'mix teams'; Gartner fusion teams",
        "practices",
        low=0.0,
        high=1.0,
    ),
    _p(
        "shared_tools",
        "bool",
        False,
        "shared calendars, files and project software",
        "article 000: 'share tools'",
        "practices",
    ),
    _p(
        "data_governance",
        "choice",
        "basic",
        "clarity of the data rules: none, basic (a ticket each time), clear (pre-approved paths)",
        "article 000: 'clarify data governance'; article 002",
        "practices",
        choices=("none", "basic", "clear"),
    ),
    _p(
        "data_strictness",
        "float",
        0.5,
        "how much customer data the rules withhold (0 = open, 1 = locked down)",
        "article 000: 'if they're too strict, marketing can't do its job ... too relaxed'",
        "practices",
        low=0.0,
        high=1.0,
    ),
    _p(
        "liaison",
        "bool",
        False,
        "a marketing technologist who reports to both executives",
        "article 001; Gartner 2014: 81% of large firms have one",
        "practices",
    ),
    _p(
        "self_serve_platform",
        "bool",
        False,
        "IT builds a platform marketing self-serves from",
        "article 003: IT builds the infrastructure, marketing self-serves",
        "practices",
    ),
    _p(
        "pilot_first",
        "bool",
        False,
        "emerging capabilities enter as small pilots",
        "article 000: 'try out these ideas in small tests'",
        "practices",
    ),
    # --- Organisation --------------------------------------------------------------------
    _p(
        "initial_trust",
        "float",
        0.5,
        "CIO-CMO trust at the start",
        "CMO Council/KPMG 2021: 38% of relationships only moderate or none",
        "organisation",
        low=0.0,
        high=1.0,
    ),
    _p(
        "n_marketers",
        "int",
        20,
        "marketers in the CMO's team (campaign idea generators)",
        "modelling choice: a mid-size marketing department",
        "organisation",
        unit="people",
        low=1,
        high=2000,
        sensitivity=False,
    ),
    _p(
        "n_engineers",
        "int",
        6,
        "engineers in the CIO's staff serving marketing",
        "modelling choice: a mid-size IT function's martech team, sized so that its queue binds "
        "(ODD 7.8; 8 left it idle half the time)",
        "organisation",
        unit="people",
        low=1,
        high=800,
        sensitivity=False,
    ),
    _p(
        "n_capabilities",
        "int",
        12,
        "marketing capabilities in the catalogue at the start",
        "the articles' capabilities: email, social, ads, CMS, analytics, CRM, CDP ... (ODD 2.2)",
        "organisation",
        low=3,
        high=1200,
        sensitivity=False,
    ),
    _p(
        "idea_rate",
        "float",
        0.08,
        "campaign ideas per marketer per week",
        "modelling choice: about 20 campaigns a quarter for 20 marketers",
        "organisation",
        unit="1/week",
        low=0.0,
        high=1.0,
    ),
    _p(
        "martech_budget",
        "float",
        3000.0,
        "yearly martech budget (licences and purchases)",
        "Gartner: martech is 24% of a marketing budget of 8% of revenue (9.6 M$ at 500 M$); the licences and integrations of the tools modelled here are about 30% of it, set near what the modelled stack spends so that the budget binds late in the year, as budgets set from last year's spend do (modelling choice; at 4000 it never bound)",
        "organisation",
        unit="k$/year",
        low=0.0,
        high=1e6,
        sensitivity=False,
    ),
    _p(
        "marketing_discretionary",
        "float",
        2000.0,
        "yearly marketing money outside the martech budget that can buy tools around IT",
        "Gartner: 30-40% of IT spend happens outside IT",
        "organisation",
        unit="k$/year",
        low=0.0,
        high=1e6,
        sensitivity=False,
    ),
    _p(
        "threat_level",
        "float",
        0.5,
        "mean external threat pressure",
        "IBM/Ponemon: about 15% yearly chance of a material breach",
        "organisation",
        low=0.0,
        high=1.0,
    ),
    _p(
        "marketing_technologists",
        "int",
        0,
        "marketing's own technologists, who push campaigns on the tools marketing bought live "
        "without IT's release; on marketing's payroll",
        "article 004: the new-world CMO hires employees who can develop and push a site live",
        "organisation",
        unit="people",
        low=0,
        high=50,
    ),
    _p(
        "emerging_rate",
        "float",
        2.0,
        "emerging capabilities (AI, VR, IoT ...) per year",
        "chiefmartec landscape growth 15-30% a year",
        "organisation",
        unit="1/year",
        low=0.0,
        high=12.0,
    ),
    _p(
        "exec_attention",
        "float",
        4.0,
        "hours a week each executive sets aside for martech decisions, advice, negotiation and "
        "meetings; unplanned matters of its other work take a share of them each week",
        "Perlow et al. 2017: executives spend about 23 h a week in meetings; martech is a slice "
        "(4 h: the decision queue runs near capacity, ODD 7.7)",
        "organisation",
        unit="hours/week",
        low=0.0,
        high=40.0,
    ),
]

PARAMETERS: dict[str, Parameter] = {p.name: p for p in _DECLARATIONS}
DEFAULTS: dict[str, Any] = {p.name: p.default for p in _DECLARATIONS}


def get(name: str) -> Parameter:
    """Return the declaration of ``name``; unknown names suggest the closest known one."""
    try:
        return PARAMETERS[name]
    except KeyError:
        raise ValueError(unknown_message(name)) from None


def did_you_mean(name: Any, known, cutoff: float = 0.6) -> str:
    """``"; did you mean 'x'?"`` with the closest of ``known`` to ``name``, or ``""``."""
    close = difflib.get_close_matches(str(name), list(known), n=1, cutoff=cutoff)
    return f"; did you mean {close[0]!r}?" if close else ""


def unknown_message(name: str) -> str:
    """The error text for an unknown parameter name, with the closest known name."""
    return f"unknown parameter {name!r}{did_you_mean(name, PARAMETERS, cutoff=0.5)}"


def validate(params: dict[str, Any]) -> dict[str, Any]:
    """Validate a partial parameter set and return it converted; raise ``ValueError`` if bad."""
    return {name: get(name).validate(value) for name, value in params.items()}


def resolve(params: dict[str, Any] | None = None) -> dict[str, Any]:
    """Defaults overlaid with ``params`` (validated): a complete parameter set."""
    full = dict(DEFAULTS)
    full.update(validate(params or {}))
    return full


def parse_assignment(text: str) -> tuple[str, Any]:
    """Parse ``KEY=VALUE`` from the command line into a validated pair."""
    if "=" not in text:
        raise ValueError(f"expected KEY=VALUE, got {text!r}")
    key, _, raw = text.partition("=")
    key = key.strip()
    return key, get(key).parse(raw)


def markdown_table() -> str:
    """The parameter table of docs/ODD.md, generated from the registry."""
    lines = [
        "| parameter | kind | default | allowed | unit | meaning | source of the default |",
        "|---|---|---|---|---|---|---|",
    ]
    for p in _DECLARATIONS:
        default = str(p.default).lower() if p.kind == "bool" else _fmt_default(p.default)
        lines.append(
            f"| `{p.name}` | {p.kind} | {default} | {p.allowed()} | {p.unit or '-'} "
            f"| {p.meaning} | {p.source} |"
        )
    return "\n".join(lines) + "\n"


def _fmt_default(value: Any) -> str:
    if isinstance(value, str):
        return f"`{value}`"
    return _fmt(value)


ODD_START = "<!-- parameter-table:start (generated from src/cxo_sim/params.py) -->"
ODD_END = "<!-- parameter-table:end -->"


def sync_odd(text: str) -> str:
    """Return the ODD text with its parameter table regenerated from the registry."""
    return replace_generated(text, ODD_START, ODD_END, markdown_table())


def replace_generated(text: str, start: str, end: str, table: str) -> str:
    """Return ``text`` with what stands between the markers ``start`` and ``end`` replaced."""
    head, sep, rest = text.partition(start)
    if not sep:
        raise ValueError(f"docs/ODD.md has no {start!r} marker")
    _, sep, tail = rest.partition(end)
    if not sep:
        raise ValueError(f"docs/ODD.md has no {end!r} marker")
    return f"{head}{start}\n{table}{end}{tail}"


def update_odd(path: str, sync, what: str) -> None:
    """Regenerate one generated table of the ODD file at ``path`` (the ``__main__`` blocks)."""
    import pathlib

    odd = pathlib.Path(path)
    odd.write_text(sync(odd.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"updated the {what} table in {odd}")


if __name__ == "__main__":
    import sys

    update_odd(sys.argv[1] if len(sys.argv) > 1 else "docs/ODD.md", sync_odd, "parameter")
