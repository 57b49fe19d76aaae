"""The business actions of individual performance, one module per part of the work:
``settings`` (a year's scheme, its families and behaviours), ``assignments`` (who is evaluated
by whom, and the schede counted)."""
