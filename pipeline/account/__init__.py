"""Account stage: the KPI table, targets and status, and each municipality's green account (sections,
charts, the notebook runner)."""
