"""Local fake servers speaking the real wire formats."""
