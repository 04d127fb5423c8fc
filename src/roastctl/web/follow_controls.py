"""The Follow panel's controls: follow a reference, pause, resume, stop; set or clear a drop target.

Each is a ``POST /api/control/<name>`` run by :class:`~roastctl.web.commands.Controls` like every
other control: operators only, same origin, the caller named in the command log. They call the
session manager's own methods (``follow_profile``, ``pause_following``, ``resume_following``,
``stop_following``, ``set_drop_target``, ``clear_drop_target``), which check the values, log the
command and refuse what they must.

``follow`` takes exactly one of ``roast_id`` (a kept roast), ``path`` (a roast file on the
server's machine) or ``curve`` (a designed curve as ``mm:ss BT`` lines, :mod:`curve_text`), and
optionally ``name`` for a designed curve.
"""

from __future__ import annotations

from typing import Any

from roastctl.errors import InvalidCommandError
from roastctl.session.manager import RoastSessionManager
from roastctl.web.commands import Action, RequestRefused
from roastctl.web.curve_text import parse_curve_text

#: The body keys of ``follow``: one reference (roast_id, path or curve) and a name for a curve.
FOLLOW_KEYS = ("roast_id", "path", "curve", "name")
#: The body keys of ``drop-target``: exactly one, as set_drop_target takes.
DROP_TARGET_KEYS = ("dtr_percent", "bt_c", "development_s")
#: The longest path or name read from the page.
MAX_TEXT = 1000


def _text(body: dict[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_TEXT:
        raise RequestRefused(
            f"{key} must be a non-empty text of at most {MAX_TEXT} characters, got "
            f"{str(value)[:40]!r}. Nothing was changed."
        )
    return value.strip()


def follow_reference(manager: RoastSessionManager, body: dict[str, Any]) -> None:
    """Follow the reference ``body`` names (see the module's docstring)."""
    given = [key for key in ("roast_id", "path", "curve") if body.get(key) not in (None, "")]
    if len(given) != 1:
        sent = ", ".join(given) or "none"
        raise RequestRefused(
            f"follow needs exactly one of roast_id (a kept roast), path (a roast file) or curve "
            f"('mm:ss BT' lines); got {sent}. Nothing was changed; choose one reference."
        )
    name = _text(body, "name")
    if given == ["roast_id"]:
        roast_id = body["roast_id"]
        if isinstance(roast_id, bool) or not isinstance(roast_id, int) or roast_id < 1:
            raise RequestRefused(
                f"roast_id must be a kept roast's id (a whole number from 1), got {roast_id!r}. "
                "Nothing was changed; pick one from the list."
            )
        manager.follow_profile(roast_id)
    elif given == ["path"]:
        manager.follow_profile(str(_text(body, "path")))
    else:
        text = body["curve"]
        if not isinstance(text, str):
            raise RequestRefused(
                f"curve must be text ('mm:ss BT' lines), got {type(text).__name__}. Nothing was "
                "changed."
            )
        try:
            curve = parse_curve_text(text, name=name or "designed curve")
        except InvalidCommandError as exc:
            raise RequestRefused(str(exc)) from None  # refused by the page: logged as such
        manager.follow_profile(curve)


def set_drop_target(manager: RoastSessionManager, body: dict[str, Any]) -> None:
    """Set the drop target ``body`` names; the manager checks the kind and range."""
    manager.set_drop_target(**{key: body.get(key) for key in DROP_TARGET_KEYS})


def follow_actions(manager: RoastSessionManager) -> dict[str, tuple[Action, tuple[str, ...]]]:
    """Return the Follow panel's controls, by name, with the body keys each takes."""
    return {
        "follow": (lambda body: follow_reference(manager, body), FOLLOW_KEYS),
        "follow-pause": (lambda _body: manager.pause_following(), ()),
        "follow-resume": (lambda _body: manager.resume_following(), ()),
        "follow-stop": (lambda _body: manager.stop_following(), ()),
        "drop-target": (lambda body: set_drop_target(manager, body), DROP_TARGET_KEYS),
        "drop-target-clear": (lambda _body: manager.clear_drop_target(), ()),
    }


__all__ = ["DROP_TARGET_KEYS", "FOLLOW_KEYS", "follow_actions", "follow_reference"]
