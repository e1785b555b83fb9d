"""The pure core: matching, drafting, the gate and the content rules. No database, no runtime, no clock of its own."""
