"""The config folder `twoloop init` writes: agents, plays, mailboxes, feeds and sample data."""
