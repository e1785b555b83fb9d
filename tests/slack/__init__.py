"""The Slack surface as Slack uses it: signed requests, the fake Web API, Socket Mode."""
