"""Conversation and workflow logic, independent of any chat platform."""
