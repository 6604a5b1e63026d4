"""Persistence: models, repositories, migrations and the media folder."""
