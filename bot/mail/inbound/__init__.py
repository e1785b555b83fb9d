"""Mail in: receiving (IMAP or files), parsing machine and human mail, handling replies."""
