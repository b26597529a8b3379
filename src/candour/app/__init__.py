"""The application object every interface receives (`Candour`)."""

from candour.app.core import Candour

__all__ = ["Candour"]
