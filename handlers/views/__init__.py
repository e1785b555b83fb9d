"""Block Kit and Slack text as pure functions: data from `bot/` in, blocks and views out."""
