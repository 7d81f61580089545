"""Reading scenarios: folders to a validated, frozen Scenario; the lexicon; coherence warnings."""
