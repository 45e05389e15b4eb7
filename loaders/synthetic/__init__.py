"""Synthetic data: reproducible demo datasets for a province or the whole country
(``generator``, ``demo_today``) and ``danvan demo``'s loading of them (``demo``)."""
