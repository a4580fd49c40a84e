"""Money (ODD 7.15): budgets that bind, prices, and the costs of coordination and people.

Two yearly budgets bind. The martech budget pays sanctioned licences, set-up fees and
integrations; whoever holds the decision rights spends it (article 002). Marketing's
discretionary money pays what marketing buys around IT. A purchase a budget cannot carry to the
end of the year waits for the next one. The people that practices take (the liaison, embedded
engineers, meeting time, the platform team) are priced in ``coordination_cost``; executive time
spent deciding, negotiating and escalating is priced in ``decision_cost``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cxo_sim.model.submodels.environment import WEEKS_PER_YEAR
from cxo_sim.model.submodels.relationship import REFERENCE_TEAM

if TYPE_CHECKING:
    from cxo_sim.model import CxOModel
    from cxo_sim.model.agents import Capability, Tool


def budgets(model: CxOModel) -> tuple[float, float]:
    """The yearly martech budget the deciders spend and marketing's money outside it (k$).

    A shared budget is funded partly by marketing (Gartner 2021: 74% of technology purchases
    are funded at least partly by business units): ``SHARED_FUNDING`` of its discretionary money
    joins the martech budget the two executives decide over, and is no longer marketing's to
    spend around IT.
    """
    k = model.k
    pooled = 0.0
    if model.rights == "shared" and k.MECH_SHARED_FUNDING:
        pooled = k.SHARED_FUNDING * model.marketing_discretionary
    return model.martech_budget + pooled, model.marketing_discretionary - pooled


def vendor_licence(model: CxOModel, cap: Capability) -> float:
    """An enterprise licence for ``cap`` (k$/week): lognormal around the capability's level."""
    k = model.k
    sigma = k.LICENCE_SIGMA
    return k.LICENCE_MEAN * cap.cost_factor * model.random.lognormvariate(-0.5 * sigma**2, sigma)


def weeks_left_in_year(model: CxOModel) -> int:
    """Weeks left in this budget year, this one included."""
    return WEEKS_PER_YEAR - (model.week - 1) % WEEKS_PER_YEAR


def affordable(model: CxOModel, weekly_cost: float, sanctioned: bool) -> bool:
    """Whether a budget can carry a new licence to the end of the year, set-up included.

    The licences the budget already pays are committed for the rest of the year first.
    """
    weeks = weeks_left_in_year(model)
    licences, _, sanctioned_bill, outside_bill = weekly_bill(model)
    if sanctioned:
        free = model.martech_left - sanctioned_bill * weeks
        return free >= weekly_cost * (weeks + model.k.SETUP_WEEKS)
    free = model.discretionary_left - outside_bill * weeks
    return free >= weekly_cost * weeks


def weekly_bill(model: CxOModel) -> tuple[float, float, float, float]:
    """This week's licences: total, in shadow tools, sanctioned, bought around IT.

    Licences still paid on notice for retired tools count as they did before retirement. Kept
    until the stack, a standing or a licence changes (``bill_changed``).
    """
    if model.bill is None:
        # Retired tools' licences run to the end of their notice periods (ODD 7.14).
        notice = model.notice_bill
        sanctioned = notice["sanctioned"]
        outside = notice["outside"] + notice["shadow"]
        shadow = notice["shadow"]
        bill = (sanctioned + outside, shadow, sanctioned, outside)
        for tool in model.stack:
            bill = billed(bill, tool)
        model.bill = bill
    return model.bill


def billed(
    bill: tuple[float, float, float, float], tool: Tool
) -> tuple[float, float, float, float]:
    """``bill`` (total, shadow, sanctioned, bought around IT) with ``tool``'s licence added.

    One sum for the whole stack (``weekly_bill``) and for a tool just bought
    (``CxOModel.new_tool`` extends the kept bill with it), so both give the same bits.
    """
    licences, shadow, sanctioned, outside = bill
    cost = tool.weekly_cost
    licences += cost
    if not tool.known:
        shadow += cost
    if tool.bypass:
        outside += cost
    else:
        sanctioned += cost
    return licences, shadow, sanctioned, outside


def pay_the_week(model: CxOModel) -> None:
    """Licences and the running costs of the practices, charged against the year's budgets."""
    k = model.k
    for _, cost, kind in model.notices.take_due(model.week):
        model.notice_bill[kind] = max(0.0, model.notice_bill[kind] - cost)
        model.bill_changed()
    licences, shadow, sanctioned, outside = weekly_bill(model)
    model.martech_left = max(0.0, model.martech_left - sanctioned)
    model.discretionary_left = max(0.0, model.discretionary_left - outside)
    model.tally["martech_spend"] += licences
    model.tally["shadow_spend"] += shadow
    model.year["martech_spend"] += licences
    model.year["shadow_spend"] += shadow
    spend(model, licences)
    # People's time in any design: the engineer-days IT gives marketing's queue, and marketing's
    # own technologists on its payroll (article 004).
    people = model.n_engineers * k.DAYS_PER_WEEK * k.MARKETING_SHARE * k.ENGINEER_DAY_COST
    spend(model, people + model.marketing_technologists * k.TECHNOLOGIST_COST)
    cost = 0.0
    if model.liaison is not None:
        cost += k.LIAISON_COST
    if model.shared_tools:
        cost += k.SHARED_TOOLS_COST
    if model.self_serve_platform:
        cost += k.PLATFORM_RUN_COST if model.platform_live else k.PLATFORM_BUILD_COST
    if model.data_governance == "clear":
        cost += k.GOVERNANCE_RUN_COST if model.governance_live else k.GOVERNANCE_SETUP_COST
    # Engineer time the practices take from IT's other work: embedded engineers' weeks beyond
    # the share any engineer gives marketing, and alignment's extra share of the others.
    diverted = model.n_embedded * k.DAYS_PER_WEEK * (1.0 - k.MARKETING_SHARE)
    regular = model.n_engineers - model.n_embedded
    diverted += regular * k.DAYS_PER_WEEK * k.ALIGNMENT_SHARE * model.alignment
    cost += diverted * k.ENGINEER_DAY_COST
    coordinate(model, cost)


def coordinate(model: CxOModel, cost: float) -> None:
    """Charge a cost of coordination (k$) to technology spend."""
    model.tally["coordination_cost"] += cost
    spend(model, cost)


def spend(model: CxOModel, cost: float) -> None:
    """Charge ``cost`` (k$) to technology spend."""
    model.tally["tech_spend"] += cost
    model.year["tech_spend"] += cost


def executive_time(model: CxOModel, hours: float) -> None:
    """Price executive hours spent deciding, advising, negotiating or escalating."""
    model.tally["decision_cost"] += hours * model.k.EXEC_HOUR_COST


def seat_price(model: CxOModel, licence: float) -> float:
    """What one further user adds to a licence of ``licence`` k$/week (0 with seats off).

    Seats are priced by the share of the firm's marketers they add (``SEAT_SHARE`` per
    twentieth), so a firm five times as large pays the same for the same share of its people.
    """
    k = model.k
    return k.MECH_SEATS * k.SEAT_SHARE * REFERENCE_TEAM / model.n_marketers * licence


def add_user(model: CxOModel, tool: Tool, marketer: int) -> None:
    """A marketer launches on a tool: its first time there may add seats (ODD 7.3, 7.15).

    Past the tool's first user, reuse is not free: each further user adds seats to the
    licence (``SEAT_SHARE`` of the first licence, on whichever budget pays it) and, on a tool
    IT knows, access work to IT's queue (``ACCESS_DAYS``); see ``seat_price``. The platform's
    modules are licensed for the firm and a pilot carries only a few users: neither adds seats.
    """
    if marketer in tool.users:
        return
    first = not tool.users
    tool.users.add(marketer)
    k = model.k
    if first or tool.platform or tool.pilot or not k.MECH_SEATS:
        return
    tool.weekly_cost += seat_price(model, tool.licence)
    model.bill_changed()
    if tool.known:
        model.queue("access", k.ACCESS_DAYS, marketing=True, priority=0, tool=tool)


def pay_setup(model: CxOModel, weekly_cost: float) -> None:
    """A sanctioned purchase's one-off set-up fee, from the martech budget."""
    fee = weekly_cost * model.k.SETUP_WEEKS
    model.martech_left = max(0.0, model.martech_left - fee)
    spend(model, fee)
