"""The environment (ODD 7.1): threat pressure, emerging capabilities, ageing capabilities.

Everything here draws from the model's environment stream only, and the number of draws does
not depend on anything the organisation does: runs that differ in a practice face the same
threats and the same catalogue (common random numbers, ODD 4).
"""

from __future__ import annotations

from bisect import bisect
from typing import TYPE_CHECKING

from cxo_sim.model.agents import Capability

if TYPE_CHECKING:
    import random

    from cxo_sim.model import CxOModel

WEEKS_PER_YEAR = 52

# The starting catalogue (name, data sensitivity, popularity, licence factor): an input table
# (ODD 6), from the articles' list of capabilities; sensitivities rank how much customer data
# each holds (a CDP or personalisation engine far more than a social scheduler).
BASE_CATALOGUE = [
    ("email", 0.4, 0.9, 0.6),
    ("social", 0.1, 0.7, 0.4),
    ("paid_ads", 0.2, 0.6, 0.8),
    ("web_cms", 0.2, 0.5, 1.0),
    ("analytics", 0.5, 0.6, 0.9),
    ("crm", 0.8, 0.5, 1.8),
    ("marketing_automation", 0.6, 0.45, 1.4),
    ("personalisation", 0.8, 0.35, 1.3),
    ("cdp", 0.95, 0.3, 1.8),
    ("content_ai", 0.3, 0.3, 0.7),
    ("loyalty", 0.7, 0.2, 1.1),
    ("mobile_app", 0.6, 0.2, 1.2),
]
# Emerging capabilities (article 000: AI, VR, IoT) are drawn from the ranges of the table above:
# sensitivity, mainstream popularity and licence factor, each uniform between these bounds.
EMERGING_RANGES = {"sensitivity": (0.3, 0.9), "popularity": (0.2, 0.6), "cost": (0.8, 1.6)}
EMERGING_NAMES = [
    "generative_ai",
    "vr_showroom",
    "iot_beacons",
    "ai_agents",
    "voice_commerce",
    "ar_try_on",
    "conversational_ai",
    "metaverse_events",
]


def make_catalogue(n: int, env: random.Random) -> list[Capability]:
    """The starting catalogue of ``n`` capabilities; past the table, variants of its rows."""
    catalogue = []
    for i in range(n):
        name, sensitivity, popularity, cost = BASE_CATALOGUE[i % len(BASE_CATALOGUE)]
        if i >= len(BASE_CATALOGUE):
            name = f"{name}_{i // len(BASE_CATALOGUE) + 1}"
            low, high = EMERGING_RANGES["sensitivity"]
            sensitivity = env.uniform(low, high)
        catalogue.append(Capability(name, sensitivity, popularity, cost, demand=popularity))
    return catalogue


def update_environment(model: CxOModel) -> None:
    """Threat drifts; an emerging capability may appear; capabilities age; a budget year opens."""
    k, env = model.k, model.env_random
    model.threat_drift = k.THREAT_PERSISTENCE * model.threat_drift + env.gauss(
        0.0, k.THREAT_VOLATILITY
    )
    model.threat = min(1.0, max(0.0, model.threat_level * (1.0 + model.threat_drift)))
    if env.random() < model.emerging_rate / WEEKS_PER_YEAR:
        model.catalogue.append(new_emerging_capability(model))
    age_capabilities(model)
    if model.week % WEEKS_PER_YEAR == 1 and model.week > 1:
        model.new_budget_year()


def new_emerging_capability(model: CxOModel) -> Capability:
    """A new capability marketing wants early and hard; its true worth is uncertain."""
    k, env = model.k, model.env_random
    index = model.emerging_made
    model.emerging_made += 1
    name = EMERGING_NAMES[index % len(EMERGING_NAMES)]
    if index >= len(EMERGING_NAMES):
        name = f"{name}_{index // len(EMERGING_NAMES) + 1}"
    sigma = k.EMERGING_VALUE_SIGMA
    cap = Capability(
        name,
        sensitivity=env.uniform(*EMERGING_RANGES["sensitivity"]),
        popularity=env.uniform(*EMERGING_RANGES["popularity"]),
        cost_factor=env.uniform(*EMERGING_RANGES["cost"]),
        emerging=True,
        value_factor=env.lognormvariate(-0.5 * sigma * sigma, sigma),  # mean worth 1
        born=model.week,
        hype=k.HYPE_START,
    )
    model.log("emerging", f"a new capability appeared: {name.replace('_', ' ')}")
    return cap


def age_capabilities(model: CxOModel) -> None:
    """Each capability may start to go out of use; demand follows maturity, hype and fading.

    A capability's demand is its popularity times its maturity (emerging ones take
    ``MATURITY_WEEKS`` to reach it) times its fading once obsolete, plus its hype. Obsolete
    capabilities whose demand has faded leave the catalogue; their tools stay until retired.
    """
    k, env, week = model.k, model.env_random, model.week
    # New capabilities replace old ones: at the rate they emerge, so a catalogue keeps its size
    # in a constant environment (chiefmartec: the landscape turns over 15-30% a year).
    hazard = model.emerging_rate / (WEEKS_PER_YEAR * model.n_capabilities)
    current = [cap.obsolete_since < 0 for cap in model.catalogue].count(True)
    hype_decay, maturity_weeks, fade_weeks = k.HYPE_DECAY, k.MATURITY_WEEKS, k.FADE_WEEKS
    faded = k.FADED
    draw = env.random
    kept, cumulative, total = [], [], 0.0
    for cap in model.catalogue:
        if draw() < hazard and cap.obsolete_since < 0 and current > 1:
            current -= 1
            cap.obsolete_since = week
            model.log("obsolete", f"{cap.name.replace('_', ' ')} is going out of use")
        cap.hype *= hype_decay
        demand = cap.popularity
        if cap.emerging and week - cap.born < maturity_weeks:
            demand *= (week - cap.born) / maturity_weeks
        if cap.obsolete_since >= 0:
            fading = 2.0 ** (-(week - cap.obsolete_since) / fade_weeks)
            if fading <= faded:
                continue
            demand *= fading
        cap.demand = demand + cap.hype
        kept.append(cap)
        total += cap.demand
        cumulative.append(total)
    model.catalogue = kept
    model.cum_demand = cumulative


def draw_capability(model: CxOModel, ideas: random.Random) -> Capability:
    """A capability drawn in proportion to demand, from a marketer's idea stream."""
    cumulative = model.cum_demand
    top = cumulative[-1]
    if top <= 0.0:
        return model.catalogue[int(ideas.random() * len(cumulative))]
    return model.catalogue[bisect(cumulative, ideas.random() * top, 0, len(cumulative) - 1)]
