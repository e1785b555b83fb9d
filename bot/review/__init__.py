"""The human loop's mechanics: reviews and their cards, posting, trust, learning, operator control."""
