"""The demo company: deterministic sources so the whole warehouse runs without credentials."""
