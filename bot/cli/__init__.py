"""The `twoloop` command, the terminal demo and the console's rendering of cards."""
