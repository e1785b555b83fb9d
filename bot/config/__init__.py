"""The files people write: agent and play files with their front matter, mailboxes, cron."""
