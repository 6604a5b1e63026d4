"""Channel adapters: the only modules that import a chat platform's library."""
