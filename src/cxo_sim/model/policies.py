"""Decisions behind one small interface (ODD 7.17): who chooses what, given what it sees.

Every yes-or-no choice an agent makes goes through the model's :class:`Policy`:

========================  ===========================  =========================================
method                    who                          ``gain`` (the agent's own reckoning)
========================  ===========================  =========================================
``wants``                 the CIO or the CMO           its score of a request by its KPIs
``goes_around``           a marketer                   ``shadow_it.around_gain`` (tool or data)
``discloses``             a shadow tool's owner        ``meetings.disclosure_gain``
``copies_data``           a marketer                   ``data.copy_gain``
``skips_review``          the CMO, under its rights    ``decisions.skips_review``'s margin
``consents``              a marketing tool's owner     ``portfolio.consent_margin``
``reuses``                the decider(s) of a request  ``decisions.reuse_gain``
``escalates``             a refused or overruled       ``decisions.escalation_gain``
                          executive
``borrows``               a marketer going around IT   ``shadow_it.borrow_gain``
``takes_offer``           a marketer the liaison       ``campaigns.offer_gain``
                          points to a tool the firm has
========================  ===========================  =========================================

The submodels work out what the agent sees and weighs (the expected wait, the chance of being
found, its stake, its KPIs) and pass it on as ``gain``, together with the agent and the thing
decided about; the policy says yes or no. The default policy says yes when the gain is positive:
the model's agents as the ODD describes them. A subclass that overrides one method stands a
person (a participatory class), a searched rule or a scripted strategy in for that one choice
without touching the submodels; it may read the model and the subject, and must not change them.
Randomness a policy needs must come from ``model.random`` so runs stay reproducible.

Example: marketers who never go around IT, whatever they expect::

    class Loyal(Policy):
        def goes_around(self, model, marketer, campaign, gain):
            return False

    CxOModel(seed=1, policy=Loyal())
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cxo_sim.model import CxOModel
    from cxo_sim.model.agents import Campaign, Executive, Marketer, Tool, ToolRequest


class Policy:
    """The agents' choices, each a yes or no given the agent's own reckoning (``gain``).

    Every method asks :meth:`yes` by default, so a rule for all choices overrides that alone,
    and a rule for one choice overrides that choice's method.
    """

    def yes(self, choice: str, gain: float) -> bool:
        """The default answer to ``choice`` (a method's name): yes when it gains."""
        return gain > 0.0

    def wants(self, model: CxOModel, executive: Executive, request: ToolRequest, gain: float):
        """Whether an executive wants the tool requested (its KPI score, with noise)."""
        return self.yes("wants", gain)

    def goes_around(self, model: CxOModel, marketer: Marketer, campaign: Campaign, gain: float):
        """Whether a marketer acts around IT now rather than wait (a tool, or a data copy)."""
        return self.yes("goes_around", gain)

    def discloses(self, model: CxOModel, tool: Tool, gain: float) -> bool:
        """Whether a shadow tool's owner discloses it at the CIO-CMO meeting."""
        return self.yes("discloses", gain)

    def copies_data(self, model: CxOModel, campaign: Campaign, gain: float) -> bool:
        """Whether a marketer copies customer data around governance to make up a shortfall."""
        return self.yes("copies_data", gain)

    def skips_review(self, model: CxOModel, request: ToolRequest, gain: float) -> bool:
        """Whether, under marketing's rights, the CMO buys without IT's advisory review."""
        return self.yes("skips_review", gain)

    def consents(self, model: CxOModel, tool: Tool, gain: float) -> bool:
        """Whether a marketing tool's owner agrees to IT retiring it."""
        return self.yes("consents", gain)

    def reuses(self, model: CxOModel, request: ToolRequest, gain: float) -> bool:
        """Whether the deciders point a request to a tool the firm has rather than buy one."""
        return self.yes("reuses", gain)

    def escalates(
        self, model: CxOModel, executive: Executive, request: ToolRequest, gain: float
    ) -> bool:
        """Whether an executive refused or overruled takes the request to the CEO."""
        return self.yes("escalates", gain)

    def borrows(self, model: CxOModel, marketer: Marketer, tool: Tool, gain: float) -> bool:
        """Whether a marketer going around IT borrows a colleague's tool rather than buy one."""
        return self.yes("borrows", gain)

    def takes_offer(self, model: CxOModel, marketer: Marketer, gain: float) -> bool:
        """Whether a marketer takes the tool the liaison points it to over the one it asked for."""
        return self.yes("takes_offer", gain)


CHOICES = (
    "wants",
    "goes_around",
    "discloses",
    "copies_data",
    "skips_review",
    "consents",
    "reuses",
    "escalates",
    "borrows",
    "takes_offer",
)


class Threshold(Policy):
    """A searched rule: yes when the gain exceeds a threshold per choice (default 0).

    ``Threshold(goes_around=0.2)`` makes marketers go around IT only when that gains a fifth
    of a campaign's worth; the names are the :class:`Policy` methods'.
    """

    def __init__(self, **thresholds: float):
        unknown = sorted(set(thresholds) - set(CHOICES))
        if unknown:
            raise ValueError(f"unknown choice {unknown[0]!r}; choices are {', '.join(CHOICES)}")
        self.thresholds = {name: float(thresholds.get(name, 0.0)) for name in CHOICES}

    def yes(self, choice: str, gain: float) -> bool:
        """Yes when ``gain`` exceeds the choice's threshold."""
        return gain > self.thresholds[choice]


def check_policy(policy: Any) -> Policy:
    """The policy to use: the default for None; a clear error for anything but a Policy."""
    if policy is None:
        return DEFAULT
    if not isinstance(policy, Policy):
        raise ValueError(f"policy must be a cxo_sim Policy, not {type(policy).__name__}")
    return policy


DEFAULT = Policy()
