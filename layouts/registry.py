"""The page registry: which pages exist, who may open them and which ids they own.

Each page module in ``layouts`` exposes ``PAGE = Page(...)``; the app factory collects
them into a ``PageRegistry``, which answers every access question: the pages of a
role (for the navbar), whether a role may open a path, where a role lands after
login, and which page a component id belongs to (for refusing callbacks).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from data_access.scope import Scope
from data_access.users import ROLES

# Ids of the application shell (navbar, location, content area) start with this.
SHELL_PREFIX = "shell-"


class RegistryError(ValueError):
    """Pages are declared inconsistently; the message names the page and field."""


@dataclass(frozen=True)
class PageContext:
    """What a layout function may know about the user, computed on the server.

    Attributes
    ----------
    display_name, role, role_label
        The user's name on screen, role code and role name on screen.
    scope
        The user's scope, built from the account, never from the browser.
    scope_label
        The scope in words, for example ``"Saint Lucia, station CAS"``.
    countries
        ``(code, name)`` of the countries in scope, for country pickers.
    """

    display_name: str
    role: str
    role_label: str
    scope: Scope
    scope_label: str
    countries: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Page:
    """One page of the dashboard.

    Attributes
    ----------
    path
        URL path, for example ``"/station"``.
    title
        Title in the navbar and the page heading.
    roles
        Roles that may open the page.
    layout
        Pure function from a ``PageContext`` to the page's component tree.
    ids
        Module (or class) whose upper-case string attributes are the page's
        component ids; every one starts with ``id_prefix``.
    id_prefix
        Prefix of every component id of the page, for example ``"station-"``. A
        callback whose output id has this prefix belongs to this page.
    landing_roles
        Roles that land on this page after login.
    """

    path: str
    title: str
    roles: frozenset[str]
    layout: Callable[[PageContext], Any]
    ids: ModuleType | type
    id_prefix: str
    landing_roles: frozenset[str] = field(default_factory=frozenset)

    def allows(self, role: str) -> bool:
        """Return whether ``role`` may open this page."""
        return role in self.roles

    def component_ids(self) -> list[str]:
        """Return every id constant declared by the page's ids module."""
        return [
            value
            for name, value in vars(self.ids).items()
            if name.isupper() and isinstance(value, str)
        ]


class PageRegistry:
    """The pages of one app, checked for consistency when built.

    Raises
    ------
    RegistryError
        If two pages share a path or id prefix, a role is unknown, an id lacks its
        page's prefix, or a role has no landing page or more than one.
    """

    def __init__(self, pages: Iterable[Page]) -> None:
        self.pages = tuple(pages)
        self._by_path = {page.path: page for page in self.pages}
        self._check()

    def _check(self) -> None:
        if len(self._by_path) != len(self.pages):
            raise RegistryError("two pages share a path; give each page its own.")
        prefixes = [page.id_prefix for page in self.pages] + [SHELL_PREFIX]
        if len(set(prefixes)) != len(prefixes):
            raise RegistryError(f"two pages share an id prefix among {prefixes!r}.")
        for page in self.pages:
            _check_page(page)
        for role in ROLES:
            landing = [page.path for page in self.pages if role in page.landing_roles]
            if len(landing) != 1:
                raise RegistryError(
                    f"role {role!r} lands on {landing!r}; it needs exactly one page."
                )

    def page_for_path(self, path: str) -> Page | None:
        """Return the page at URL ``path`` (a trailing slash is ignored)."""
        if path != "/":
            path = path.rstrip("/")
        return self._by_path.get(path)

    def pages_for_role(self, role: str) -> list[Page]:
        """Return the pages ``role`` may open, in registry order."""
        return [page for page in self.pages if page.allows(role)]

    def landing_path(self, role: str) -> str:
        """Return the path ``role`` lands on after login."""
        for page in self.pages:
            if role in page.landing_roles:
                return page.path
        raise RegistryError(f"role {role!r} has no landing page.")

    def page_for_component(self, component_id: str | dict) -> Page | None:
        """Return the page owning ``component_id``, or ``None`` for the shell.

        A pattern-matching id (a dict) belongs to the page whose prefix starts its
        ``type`` value.

        Raises
        ------
        RegistryError
            If the id has neither the shell prefix nor any page's prefix.
        """
        name = (
            component_id.get("type", "")
            if isinstance(component_id, dict)
            else component_id
        )
        if str(name).startswith(SHELL_PREFIX):
            return None
        for page in self.pages:
            if str(name).startswith(page.id_prefix):
                return page
        raise RegistryError(f"component id {component_id!r} belongs to no page.")


def _check_page(page: Page) -> None:
    unknown = set(page.roles) - set(ROLES)
    if unknown:
        raise RegistryError(
            f"page {page.path!r} names unknown roles {sorted(unknown)}."
        )
    if not page.landing_roles <= page.roles:
        raise RegistryError(
            f"page {page.path!r} has landing roles that may not open it."
        )
    for component_id in page.component_ids():
        if not component_id.startswith(page.id_prefix):
            raise RegistryError(
                f"id {component_id!r} of page {page.path!r} does not start with "
                f"{page.id_prefix!r}; rename it."
            )


def output_ids(callback_key: str) -> list[str | dict]:
    """Return the component ids in a Dash callback key such as ``"a.children"``.

    Dash names a callback by its outputs: ``"id.prop"`` for one output and
    ``"..id1.prop1...id2.prop2.."`` for several; a pattern-matching id is a JSON
    object, and ``allow_duplicate`` adds an ``@hash`` suffix to the property.
    """
    if callback_key.startswith("..") and callback_key.endswith(".."):
        parts = callback_key[2:-2].split("...")
    else:
        parts = [callback_key]
    ids: list[str | dict] = []
    for part in parts:
        name = part.rsplit(".", 1)[0]
        ids.append(json.loads(name) if name.startswith("{") else name)
    return ids
