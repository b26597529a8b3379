"""Signing in and out, and who the caller is: the first thing every interface asks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from candour.auth import sessions, totp
from candour.auth.capabilities import Capability, require
from candour.auth.passwords import check_strength, hash_password
from candour.errors import (
    AuthenticationError,
    CandourError,
    SecondFactorRequired,
    ValidationError,
)
from candour.store.access import Actor
from candour.store.people import get_user, set_password

if TYPE_CHECKING:
    from candour.app.core import Candour
    from candour.auth.sessions import SignedIn
    from candour.auth.totp import Enrolment


class IdentityService:
    def __init__(self, app: Candour) -> None:
        self.app = app

    def _box(self) -> totp.SecretBox:
        return totp.SecretBox(self.app.settings.effective_totp_key_file)

    def sign_in(
        self, identifier: str, password: str, *, kind: str = "cli", code: str | None = None
    ) -> SignedIn:
        """A new session for a person (service accounts get tokens from an administrator).
        An account with a second factor must send its current code (`CodeNeeded` otherwise);
        under `require_second_factor`, a required role without one gets a web session held to
        enrolment, and no CLI or API session at all (`SecondFactorRequired`)."""
        factor = sessions.SecondFactor(self._box(), code, self.app.settings.require_second_factor)
        with self.app.store().transaction() as session:
            try:
                return sessions.sign_in(
                    session,
                    identifier,
                    password,
                    kind=kind,
                    lifetimes=self.app.lifetimes,
                    factor=factor,
                )
            except (AuthenticationError, SecondFactorRequired) as exc:
                # Caught inside the transaction, so the failed attempt's event is committed.
                failure: CandourError = exc
        raise failure

    def actor(self, token: str | None, *, enrolling: bool = False) -> Actor:
        """The signed-in actor for a token, or AuthenticationError. Touches last-seen at most
        once a minute, so the idle timeout counts from the last use. A session that must have
        a second factor and has none raises `SecondFactorRequired`, unless it is `enrolling`
        one (the only thing such a session may do besides signing out)."""
        store = self.app.store()
        with store.reading() as session:
            actor, due = sessions.authenticate(session, token)
        if due and token:
            with store.transaction() as session:
                sessions.touch(session, token)
        if not enrolling and self.held_to_enrolment(actor):
            raise SecondFactorRequired(
                "your role must use a second factor: set one up under Account first"
            )
        return actor

    def held_to_enrolment(self, actor: Actor) -> bool:
        """Whether this session must enrol a second factor before it may do anything else."""
        setting = self.app.settings.require_second_factor
        return totp.required(actor.role, setting) and not actor.second_factor

    # The second factor
    def second_factor(self, actor: Actor) -> bool:
        """Whether the actor's account has a confirmed second factor."""
        assert actor.id is not None
        with self.app.store().reading() as session:
            return totp.active(session, actor.id) is not None

    def begin_second_factor(self, token: str | None, password: str) -> Enrolment:
        """A new secret for the caller's own account, shown once; it replaces any factor only
        when confirmed. The password is asked again, so an unattended session cannot swap the
        factor for one its finder holds."""
        actor = self.actor(token, enrolling=True)
        with self.app.store().transaction() as session:
            assert actor.identifier is not None
            user = get_user(session, actor.identifier)
            if not sessions.check_password(user, password):
                raise ValidationError("the password is wrong", field="password")
            return totp.begin(session, self._box(), user, actor, confirmed=False)

    def confirm_second_factor(self, token: str | None, code: str) -> None:
        """The caller's authenticator shows a code from the new secret: it becomes their second
        factor, and this session counts as having passed it."""
        actor = self.actor(token, enrolling=True)
        with self.app.store().transaction() as session:
            assert actor.identifier is not None and token is not None
            user = get_user(session, actor.identifier)
            totp.confirm(session, self._box(), user, code, actor)
            sessions.mark_second_factor(session, token)

    def reset_second_factor(self, actor: Actor, identifier: str) -> bool:
        """An administrator ends a user's second factor (a lost or stolen device): the user's
        sessions end, and they sign in with the password alone until they enrol again (a
        required role is then held to enrolment). Returns whether there was one."""
        require(actor, Capability.MANAGE_USERS)
        with self.app.store().transaction() as session:
            user = get_user(session, identifier)
            ended = totp.reset(session, user, actor)
            sessions.revoke_user_sessions(session, user.id, "second factor reset")
            return ended

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
