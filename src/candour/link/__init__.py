"""Linking: which mentions are the same person, with Splink, and what the links reveal."""
