"""Discord webhook client: paced, retried, the URL kept secret."""
