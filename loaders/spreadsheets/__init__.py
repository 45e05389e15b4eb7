"""Spreadsheets in: the board's .xlsx/.csv sheets checked against size limits (``sheet_limits``),
their names resolved (``sheet_resolver``) and their rows written (``load``)."""
