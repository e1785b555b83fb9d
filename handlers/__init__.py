"""Slack: listeners by kind (listeners/), Block Kit views (views/), the ids both share
(ids.py), the Slack adapters of bot's ports; and the process that hosts them (hosting/)."""
