"""Analysis of stored results: statistics with CIs, findings, sensitivity, scenario discovery."""
