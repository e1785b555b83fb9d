"""What people read about the fleet: digests, the tuning report, status, App Home, `why`."""
