"""Analysis: statistics with CIs, findings, sensitivity, scenario discovery, and ``explain``.

``explain`` (with ``diagnostics`` and ``explaincmd``) measures which mechanisms carry a lever's
effect, the shadow prices of the firm's resources and the artefact flags (ODD section 9.10).
"""
