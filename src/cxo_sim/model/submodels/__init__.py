"""The model's processes, one module per submodel of docs/ODD.md section 7.

Each module holds the functions of one process (the environment, meetings, campaigns, data
governance, going around IT, decisions, engineering, reviews, security, the relationship,
pilots and rationalisation, money); ``CxOModel.step`` in ``cxo_sim.model`` calls them in the
order of the weekly schedule (ODD section 3), and the agents' own choices live in
``cxo_sim.model.agents``.
"""
