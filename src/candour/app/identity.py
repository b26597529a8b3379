"""Signing in and out, and who the caller is: the first thing every interface asks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from candour.auth import sessions
from candour.auth.passwords import check_strength, hash_password
from candour.errors import AuthenticationError
from candour.store.access import Actor
from candour.store.people import get_user, set_password

if TYPE_CHECKING:
    from candour.app.core import Candour
    from candour.auth.sessions import SignedIn


class IdentityService:
    def __init__(self, app: Candour) -> None:
        self.app = app

    def sign_in(self, identifier: str, password: str, *, kind: str = "cli") -> SignedIn:
        """A new session for a person (service accounts get tokens from an administrator)."""
        with self.app.store().transaction() as session:
            try:
                return sessions.sign_in(
                    session, identifier, password, kind=kind, lifetimes=self.app.lifetimes
                )
            except AuthenticationError as exc:
                # Caught inside the transaction, so the failed attempt's event is committed.
                failure = exc
        raise failure

    def actor(self, token: str | None) -> Actor:
        """The signed-in actor for a token, or AuthenticationError. Touches last-seen at most
        once a minute, so the idle timeout counts from the last use."""
        store = self.app.store()
        with store.reading() as session:
            actor, due = sessions.authenticate(session, token)
        if due and token:
            with store.transaction() as session:
                sessions.touch(session, token)
        return actor

    def sign_out(self, token: str | None, *, everywhere: bool = False) -> int:
        with self.app.store().transaction() as session:
            return sessions.sign_out(session, token or "", everywhere=everywhere)

    def change_password(self, token: str | None, old: str, new: str) -> None:
        """The user's own change: proves the old password; every session of theirs ends."""
        check_strength(new)
        actor = self.actor(token)
        with self.app.store().transaction() as session:
            assert actor.identifier is not None
            user = get_user(session, actor.identifier)
            if not sessions.check_password(user, old):
                raise AuthenticationError("the current password is wrong")
            set_password(session, user, hash_password(new), actor)
            sessions.revoke_user_sessions(session, user.id, "password changed")
