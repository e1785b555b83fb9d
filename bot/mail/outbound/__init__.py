"""Mail out: the outbox (the only way mail leaves), transports, follow-up sequences, unsubscribe, the deliverability guard."""
