"""Users' credentials. Need-to-know rules live with the store (`candour.store.access`)."""

from candour.auth.passwords import hash_password, new_password, verify_password

__all__ = ["hash_password", "new_password", "verify_password"]
