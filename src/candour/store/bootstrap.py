"""First-time set-up: migrate, create the signing key and the first administrator, atomically
enough that a failed or repeated `init` changes nothing that was there before."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from candour.auth.passwords import new_password
from candour.errors import AlreadyInitialisedError
from candour.ledger.keys import ensure_signing_key
from candour.ledger.note import Verifier
from candour.settings import Settings
from candour.store.access import Actor
from candour.store.db import Store, check_connection, current_revision, masked, upgrade
from candour.store.models import User
from candour.store.people import NewUser, actor_for, create_user


@dataclass(frozen=True)
class InitResult:
    schema: str
    verifier: Verifier
    admin: str
    password: str | None  # set only when generated: shown once, never stored in clear
    database: str = ""


def initialise(
    store: Store, settings: Settings, admin: str, admin_name: str, password: str | None
) -> InitResult:
    check_connection(store.engine)
    if current_revision(store.engine) is not None:
        with store.reading() as session:
            if session.execute(select(User.id).where(User.role == "admin")).first():
                raise AlreadyInitialisedError(
                    f"the store at {masked(store.engine.url)} is already initialised; "
                    "nothing was changed (use 'candour db upgrade' to migrate)"
                )
    generated = None if password else new_password()
    verifier, _ = ensure_signing_key(settings)
    _, schema = upgrade(store.engine)
    with store.transaction() as session:
        new = NewUser(admin, admin_name, "Staff", "admin", password=password or generated)
        admin_user = create_user(session, new, Actor.system())
        from candour.rules.registry import load_defaults

        load_defaults(session, actor_for(admin_user))
    return InitResult(schema, verifier, admin, generated, masked(store.engine.url))
