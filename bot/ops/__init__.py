"""Process plumbing: the scheduler, claimed ticks, leadership, redelivered Slack events."""
