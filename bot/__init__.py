"""The Warta process: settings, CLI, channel adapters, outbox worker."""
