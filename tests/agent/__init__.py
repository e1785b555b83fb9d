"""The agent loop: agent files, matching, drafting, the gate."""
