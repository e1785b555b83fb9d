"""CRM sync: the CRM is the source of truth for owners, customer status and deals, and sees what the agents did."""
