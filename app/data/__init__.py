"""Cached, parameterised queries on the marts; nothing else in the app touches SQL."""
