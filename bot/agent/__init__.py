"""The agent loop: discovery, matching, drafting and the gate, run per agent; plays and their approval."""
