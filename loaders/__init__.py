"""What comes in: documents, spreadsheets, reference data and synthetic data, one sub-package each.

``review`` (the queue of what a load left uncertain) serves both the document and the
spreadsheet loaders, so it sits beside them rather than inside either.
"""
