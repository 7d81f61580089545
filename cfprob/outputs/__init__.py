"""Outputs: tables, listings, plots, reports, saved and cached fits, safe file writing, checksums, neutralised
text."""
