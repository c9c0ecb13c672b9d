"""Device trust commands (who is verified, pinning) in chat."""
