"""Validation reports for data stewards: one model (:mod:`.model`), in several formats (:mod:`.render`)."""
