"""The domain: the agent loop, the human loop and the mail between them; Slack lives in handlers/."""
