"""Channel adapters: the only modules that import a chat platform's library."""


class TokenRejected(Exception):
    """The platform refused the bot's credentials; retrying will not help."""
