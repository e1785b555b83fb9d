"""What comes in about accounts: imports, the signals webhook, RSS and Atom feeds."""
