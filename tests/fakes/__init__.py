"""Test doubles that behave like the real thing where it matters (threads, sockets)."""
