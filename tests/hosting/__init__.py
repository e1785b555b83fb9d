"""The process: HTTP front, work process, crashes, replicas, the scheduler."""
