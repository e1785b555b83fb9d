"""Reply triage: what a human reply wants, which escalation triggers it hits, where it goes."""
