"""The twoloop command, settings and logs."""
