"""Secrets (app passwords, API keys) live in the OS keyring and nowhere else.

Never in the database, the settings or the logs. If the computer has no
keyring the app says so plainly instead of quietly writing passwords to disk.
"""

from __future__ import annotations

from typing import NamedTuple

import keyring
from keyring.errors import KeyringError, NoKeyringError

from networked_councillor.base.errors import ConfigError

SERVICE = "networked-councillor"

NO_KEYRING = (
    "This computer has no password store the app can use, so it cannot keep passwords and API keys safely."
)
NO_KEYRING_HINT = (
    "Windows and macOS have one built in. On Linux, install and unlock GNOME Keyring or KWallet, then restart the app."
)


class AppSecret(NamedTuple):
    """A secret of the app itself rather than of one source (listed in Settings > Passwords)."""

    namespace: str
    name: str
    label: str


class SecretStore:
    """The secrets of one source (or other part of the app), namespaced by its id.

    ``in_use`` false says this owner has never stored a secret, so asking for
    one needs no keyring: a public forum's source works on a computer that has
    none. ``memory`` keeps them in that dict instead of the keyring: the demo
    ward's pretend Bluesky account, which exists only on this computer.
    """

    def __init__(self, namespace: str, *, in_use: bool = True, memory: dict[str, str] | None = None) -> None:
        self.namespace = namespace
        self.in_use = in_use
        self.memory = memory

    def _user(self, name: str) -> str:
        return f"{self.namespace}:{name}"

    def get(self, name: str) -> str | None:
        if self.memory is not None:
            return self.memory.get(name)
        if not self.in_use:
            return None
        return _call(keyring.get_password, SERVICE, self._user(name))

    def set(self, name: str, value: str) -> None:
        if self.memory is not None:
            self.memory[name] = value
            return
        _call(keyring.set_password, SERVICE, self._user(name), value)
        self.in_use = True

    def delete(self, name: str) -> None:
        if self.memory is not None:
            self.memory.pop(name, None)
            return
        if not self.in_use:
            return
        try:
            _call(keyring.delete_password, SERVICE, self._user(name))
        except ConfigError:
            raise
        except KeyringError:
            pass  # nothing stored: nothing to delete


def keyring_status() -> tuple[bool, str]:
    """Whether secrets can be stored here, and a sentence saying which keyring or why not."""
    backend = keyring.get_keyring()
    if getattr(backend, "priority", 0) <= 0 or "fail" in type(backend).__module__:
        return False, f"{NO_KEYRING} {NO_KEYRING_HINT}"
    return True, f"Passwords are kept in {type(backend).__name__} ({type(backend).__module__})."


def _call(fn, *args):
    try:
        return fn(*args)
    except NoKeyringError as exc:
        raise ConfigError(NO_KEYRING, hint=NO_KEYRING_HINT) from exc
    except keyring.errors.PasswordDeleteError:
        return None
    except KeyringError as exc:
        raise ConfigError(f"The password store refused the request ({type(exc).__name__}).",
                          hint="It may be locked: unlock it and try again.") from exc
