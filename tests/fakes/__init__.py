"""Stand-ins on loopback: a Slack Web API and Socket Mode end, an OpenAI-compatible model, IMAP and SMTP servers, signed Slack requests, replicas."""
