"""Candour: case, intelligence and accountability for child-safeguarding partnerships.

Importing this package stays cheap: heavy stages (NLP, linkage, PDF rendering) load lazily.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
