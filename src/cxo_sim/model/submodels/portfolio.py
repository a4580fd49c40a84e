"""The portfolio (ODD 7.13, 7.14): pilots, rationalisation, budget cuts and retirement.

Pilots learn from what their launches showed, a noisy sign of the capability's worth, not from
its worth itself: some good capabilities are dropped and some poor ones scaled up. Each quarter
IT proposes retiring the redundant and idle tools it knows of; a stack the martech budget can
no longer carry is cut, least used first. Marketing cancels idle subscriptions it bought around
IT only when it notices them.

Retiring a tool campaigns still use is contested and costly (``may_retire``, ``retire``): its
owner in marketing agrees as far as it minds cost, and an objection is a disagreement (under
IT's rights IT retires it anyway, under marketing's the objection stands, under a shared budget
the CEO arbitrates); migrating off it takes engineer-days that grow with the customer data it
holds and its integration; campaigns that used it lose fit; its licence runs to the end of the
contract's notice period.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from cxo_sim.model.submodels.campaigns import preference
from cxo_sim.model.submodels.decisions import disagreement
from cxo_sim.model.submodels.environment import WEEKS_PER_YEAR
from cxo_sim.model.submodels.relationship import ceo_sides_with_cmo
from cxo_sim.model.submodels.reviews import thoroughness

if TYPE_CHECKING:
    from cxo_sim.model import CxOModel
    from cxo_sim.model.agents import Tool


def end_pilots(model: CxOModel) -> None:
    """Pilots at their end: scale up those whose launches showed worth, stop the rest."""
    due = model.pilots.take_due(model.week)
    if not due:
        return
    k = model.k
    for _, tool in due:
        if not tool.active:
            continue
        cap = tool.capability
        shown = tool.shown
        # No launch, no evidence: the firm goes by what the capability was sold as (1).
        worth = math.exp(sum(math.log(v) for v in shown) / len(shown)) if shown else 1.0
        if worth >= 1.0 or not k.MECH_PILOT_VERDICT:
            care = thoroughness(model)
            model.queue(
                "scale_up",
                k.REVIEW_DAYS * care,
                marketing=True,
                priority=0,
                tool=tool,
                not_before=model.week + k.VENDOR_WEEKS * care,
            )
        else:
            cap.abandoned = True
            retire(model, tool, "failed pilot")
            model.log(
                "pilot", f"the {cap.name.replace('_', ' ')} pilot did not pay off and was stopped"
            )


def rationalise(model: CxOModel) -> None:
    """Retire redundant and idle tools IT knows about, where the owner agrees; fit the budget."""
    k = model.k
    dropped = learn_worth(model) if k.MECH_LEARNING else set()
    if not k.MECH_RETIREMENT:
        return
    candidates: list[Tool] = []
    for cap, tools in model.tools_by_cap.items():
        known = [t for t in tools if t.known and not t.pilot and not t.retiring]
        if cap in dropped:
            candidates.extend(known)
            continue
        keep = max(known, key=preference) if known else None
        candidates.extend(
            t for t in known if (t is not keep and not t.kept_by_owner) or idle(model, t)
        )
    for tool in list(model.stack):
        if tool.bypass and not tool.known and idle(model, tool):
            if model.random.random() < k.CANCEL_IDLE:
                retire(model, tool, "cancelled by marketing")
    candidates.extend(over_budget(model, candidates))
    for tool in candidates:
        if may_retire(model, tool):
            tool.retiring = True
            model.queue(
                "retire", migration_days(model, tool), marketing=False, priority=-1, tool=tool
            )


def migration_days(model: CxOModel, tool: Tool) -> float:
    """Engineer-days to retire ``tool``: more for the customer data and integrations it holds."""
    k = model.k
    if not k.MECH_MIGRATION:
        return k.RETIRE_DAYS
    return (
        k.RETIRE_DAYS + k.MIGRATE_DATA_DAYS * tool.data_held + k.MIGRATE_LINK_DAYS * tool.integrated
    )


def learn_worth(model: CxOModel) -> set:
    """Judge emerging capabilities by what launches on full tools showed; return those dropped.

    Any firm can learn that a capability is worth less than promised by buying it and watching
    its campaigns: once its full tools have carried ``LEARN_LAUNCHES`` launches, the mean of
    what they showed decides, once. A pilot (``end_pilots``) learns the same sooner, on fewer
    launches, a smaller licence and less customer data.
    """
    k = model.k
    dropped = set()
    for cap, tools in model.tools_by_cap.items():
        if not cap.emerging or cap.judged or cap.abandoned:
            continue
        shown = [v for tool in tools if not tool.pilot for v in tool.shown]
        if len(shown) < k.LEARN_LAUNCHES:
            continue
        cap.judged = True
        worth = math.exp(sum(math.log(v) for v in shown) / len(shown))
        if worth < 1.0:
            cap.abandoned = True
            dropped.add(cap)
            name = cap.name.replace("_", " ")
            model.log("pilot", f"the firm's {name} campaigns did not pay off: it drops {name}")
    return dropped


def over_budget(model: CxOModel, already: list[Tool]) -> list[Tool]:
    """Sanctioned tools to cut, least recently used first, until a year's licences fit."""
    _, _, sanctioned, _ = model.weekly_bill()
    excess = sanctioned * WEEKS_PER_YEAR - model.sanctioned_budget
    excess -= sum(t.weekly_cost for t in already if not t.bypass) * WEEKS_PER_YEAR
    cuts: list[Tool] = []
    if excess <= 0:
        return cuts
    pool = [t for t in model.stack if t.known and not t.bypass and not t.retiring]
    pool = [t for t in pool if t not in already]
    for tool in sorted(pool, key=lambda t: (t.last_used, t.unique_id)):
        if excess <= 0:
            break
        cuts.append(tool)
        excess -= tool.weekly_cost * WEEKS_PER_YEAR
    return cuts


def idle(model: CxOModel, tool: Tool) -> bool:
    """Nobody has used the tool for ``UNUSED_WEEKS`` (nor was it bought in that time)."""
    return model.week - max(tool.last_used, tool.bought) > model.k.UNUSED_WEEKS


def may_retire(model: CxOModel, tool: Tool) -> bool:
    """The owner decides: IT retires its own; marketing agrees as far as it minds cost.

    An idle tool nobody defends. For a marketing tool campaigns still use, an objection is a
    disagreement: under IT's rights IT retires it anyway, under marketing's the objection
    stands, under a shared budget the CEO decides by relative influence; the combined
    executive decides alone. A refusal stands (IT does not ask again each quarter) unless the
    tool falls idle.
    """
    rights = model.rights
    if tool.owner == "it" or rights == "combined":
        return True
    contested = model.k.MECH_CONTESTED_RETIREMENT and not idle(model, tool)
    if rights == "cio" and not contested:
        return True
    if model.policy.consents(model, tool, consent_margin(model, tool)):
        return True
    if rights == "cio":
        disagreement(model, f"marketing objected to retiring {model.a_tool(tool.capability)}")
        return True
    if rights == "shared" and contested:
        disagreement(model, f"marketing objected to retiring {model.a_tool(tool.capability)}")
        if not ceo_sides_with_cmo(model):
            return True
    # Marketing's no to retiring a duplicate it uses stands until the tool falls idle.
    tool.kept_by_owner = True
    return False


def stake(model: CxOModel, tool: Tool) -> float:
    """What the tool's owner would lose if it were retired, in blame units (drawn once)."""
    if tool.stake < 0.0:
        tool.stake = model.random.expovariate(1.0 / model.k.DISCLOSE_STAKE)
    return tool.stake


def consent_margin(model: CxOModel, tool: Tool) -> float:
    """What retiring a tool it owns gains marketing: the saving it weighs less its stake.

    A year's licence saved, in campaigns' worth, counts as far as marketing's KPIs charge for
    money (the CMO's thrift) plus IT's as far as alignment weighs them; marketing agrees when
    that outweighs what its owner would lose (``stake``).
    """
    k = model.k
    saving = tool.weekly_cost * WEEKS_PER_YEAR / k.VALUE_MEAN
    weight = (1.0 - model.cmo.spend) + model.alignment
    return weight * saving - stake(model, tool)


def retire(model: CxOModel, tool: Tool, why: str) -> None:
    """Remove a tool from the stack; its licence runs to the end of the notice period.

    Campaigns in progress on it move to another tool, and fit it less well.
    """
    k = model.k
    if k.MECH_MIGRATION:
        if not tool.pilot:  # a pilot's contract ends with the pilot
            kind = "sanctioned" if not tool.bypass else "shadow" if not tool.known else "outside"
            model.notices.add(model.week + int(k.NOTICE_WEEKS), tool.weekly_cost, kind)
            model.notice_bill[kind] += tool.weekly_cost
        for marketer in model.team:
            if not marketer.campaigns:
                continue
            for campaign in marketer.campaigns:
                if tool in campaign.tools.values():  # by identity: tools define no equality
                    campaign.fit *= k.MIGRATION_FIT
    tool.active = False
    model.tools_by_cap[tool.capability].remove(tool)
    model.stack.remove(tool)
    model.bill_changed()
    model.tally["tools_retired"] += 1
    tool.remove()
