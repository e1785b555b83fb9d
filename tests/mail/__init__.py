"""Mail out and mail in: outbox, pacing, SMTP, IMAP, parsing, triage, replies."""
