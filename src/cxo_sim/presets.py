"""Named parameter sets (ODD section 5).

Each preset lists only what differs from the registry's defaults; :data:`PRESETS` holds the
complete, validated parameter sets so that ``CxOModel(**PRESETS[name])`` is fully specified.
"""

from __future__ import annotations

from typing import Any

from cxo_sim.params import did_you_mean, resolve

NO_PRACTICES: dict[str, Any] = {
    "alignment": 0.1,
    "meeting_interval": 0,
    "mixed_teams": 0.0,
    "shared_tools": False,
    "liaison": False,
    "self_serve_platform": False,
    "pilot_first": False,
}

PRESET_CHANGES: dict[str, dict[str, Any]] = {
    "old_world": {
        **NO_PRACTICES,
        "budget_owner": "cio",
        "combined_role": False,
        "data_governance": "basic",
    },
    "new_world": {
        **NO_PRACTICES,
        "budget_owner": "cmo",
        "marketing_technologists": 1,
        "combined_role": False,
        "data_governance": "basic",
    },
    "combined_role": {
        **NO_PRACTICES,
        "budget_owner": "shared",
        "combined_role": True,
        "data_governance": "basic",
    },
    "turf_war": {
        **NO_PRACTICES,
        "budget_owner": "shared",
        "combined_role": False,
        "alignment": 0.0,
        "data_governance": "basic",
        "initial_trust": 0.2,
    },
    "best_practice": {
        "budget_owner": "shared",
        "combined_role": False,
        "alignment": 0.8,
        "meeting_interval": 2,
        "mixed_teams": 0.25,
        "shared_tools": True,
        "data_governance": "clear",
        "liaison": True,
        "self_serve_platform": True,
        "pilot_first": True,
    },
}

PRESET_DESCRIPTIONS: dict[str, str] = {
    "old_world": "IT owns technology; no collaboration practices; basic data governance",
    "new_world": "marketing owns the martech budget, the CIO advises; no collaboration practices",
    "combined_role": "one executive holds both titles",
    "turf_war": "shared budget, no practices, low initial trust",
    "best_practice": "shared budget, high alignment, fortnightly meetings, mixed teams, shared "
    "tools, clear governance, liaison, self-serve platform, pilots first",
}

PRESETS: dict[str, dict[str, Any]] = {
    name: resolve(changes) for name, changes in PRESET_CHANGES.items()
}


def preset(name: str) -> dict[str, Any]:
    """Return a copy of the complete parameter set of preset ``name``."""
    if name not in PRESETS:
        hint = did_you_mean(name, PRESETS)
        raise ValueError(f"unknown preset {name!r}{hint}; known: {', '.join(PRESETS)}")
    return dict(PRESETS[name])
