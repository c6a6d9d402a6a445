"""The app factory: builds the Flask server and the Dash app with every page.

Pages are listed in ``PAGE_NAMES``. For a name ``x``, ``layouts/x.py`` exposes
``PAGE = Page(...)`` and ``callbacks/x.py`` exposes ``register_callbacks(app)``.
Nothing is registered when these modules are imported; ``create_app`` does it.
"""

from __future__ import annotations

import gc
import importlib
import logging
from collections.abc import Iterable
from types import ModuleType

from dash import Dash, html
from flask import Flask, has_request_context
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from callbacks import shell as shell_callbacks
from callbacks.context import (
    ENGINE_KEY,
    QUERY_CACHE_KEY,
    REGISTRY_KEY,
    SETTINGS_KEY,
    get_engine,
    is_scoped,
    page_context,
)
from dashboard.auth import BOOTSTRAP_URL, init_auth
from dashboard.bad_requests import install_bad_request_handlers
from dashboard.config import ASSETS_DIR, Settings
from dashboard.guard import install_guards
from dashboard.outage import install_outage_handlers
from data_access import cache
from data_access.engine import make_engine
from data_access.scope import Scope
from layouts import shell
from layouts.registry import Page, PageContext, PageRegistry, RegistryError, output_ids

logger = logging.getLogger(__name__)

# Pages in navbar order. Add a page by writing layouts/NAME.py, layouts/NAME_ids.py
# and callbacks/NAME.py, then adding NAME here.
PAGE_NAMES = ("station", "strategy", "indicators", "regional", "admin")


def create_app(settings: Settings | None = None) -> Dash:
    """Build the dashboard: server, login, pages, callbacks and access control.

    Parameters
    ----------
    settings
        Configuration; read from the environment when ``None``.

    Returns
    -------
    dash.Dash
        The app; its Flask server is ``app.server``.

    Raises
    ------
    ConfigError
        If the settings have no usable secret key.
    RegistryError
        If pages or callbacks are declared inconsistently.
    """
    settings = settings or Settings.from_env()
    server = Flask(__name__, static_folder=None)
    init_auth(server, settings)
    modules = [_page_modules(name) for name in PAGE_NAMES]
    registry = PageRegistry(page for page, _ in modules)
    engine = make_engine(settings.database_url, create_missing=False)
    query_cache = cache.make_cache(settings.redis_url) if settings.query_cache else None
    cache.install(query_cache, engine)
    server.config.update(
        {
            ENGINE_KEY: engine,
            SETTINGS_KEY: settings,
            REGISTRY_KEY: registry,
            QUERY_CACHE_KEY: query_cache,
        }
    )

    app = Dash(
        __name__,
        server=server,
        title="crimedash",
        update_title=None,
        assets_folder=str(ASSETS_DIR),
        # Bootstrap is linked first through external_stylesheets; keep Dash from
        # adding its folder again after the other stylesheets.
        assets_path_ignore=["^bootstrap$"],
        external_stylesheets=[BOOTSTRAP_URL],
        serve_locally=True,
        meta_tags=[
            {"name": "viewport", "content": "width=device-width, initial-scale=1"}
        ],
    )
    app.layout = _layout_function(registry)
    app.validation_layout = _validation_layout(registry)
    callback_pages = _register_callbacks(app, registry, modules)
    install_guards(server, registry, settings, callback_pages)
    install_outage_handlers(server)
    install_bad_request_handlers(server)
    logger.info("dashboard built with pages %s", [p.path for p in registry.pages])
    # Move the objects built at start-up (about 230,000 after the first app of a
    # process) out of the collector's reach: full collections that walked them
    # showed as p95 spikes in request times (bench/strategy_page.py --freeze-gc).
    # Collect first so that no garbage is frozen with them.
    # NOTE: an app built and dropped later in the same process, as in tests,
    # keeps its reference cycles frozen: about 0.8 MiB per app.
    gc.collect()
    gc.freeze()
    return app


def _page_modules(name: str) -> tuple[Page, ModuleType]:
    page = importlib.import_module(f"layouts.{name}").PAGE
    return page, importlib.import_module(f"callbacks.{name}")


def _layout_function(registry: PageRegistry):
    def serve_layout():
        # Dash also calls this once outside any login, to check the layout.
        if not has_request_context() or not current_user.is_authenticated:
            return shell.shell_layout(html.Div())
        user = current_user.record
        context = page_context(get_engine(), user)
        pages = registry.pages_for_role(user.role)
        return shell.shell_layout(shell.navbar(pages, context, generate_csrf()))

    return serve_layout


def _validation_layout(registry: PageRegistry) -> html.Div:
    """Return every component any page can show, so Dash can check callback ids."""
    sample = PageContext(
        display_name="",
        role="administrator",
        role_label="",
        scope=Scope.everything(),
        scope_label="",
    )
    navbar = shell.navbar(list(registry.pages), sample, "")
    layouts = [page.layout(sample) for page in registry.pages]
    return html.Div([shell.shell_layout(navbar), *layouts])


def _register_callbacks(
    app: Dash, registry: PageRegistry, modules: Iterable[tuple[Page, ModuleType]]
) -> dict[str, Page | None]:
    """Register the callbacks of the shell and each page and return their owners."""
    owners: dict[str, Page | None] = {}
    registrations = [(None, lambda: shell_callbacks.register_callbacks(app, registry))]
    registrations += [
        (page, lambda module=module: module.register_callbacks(app))
        for page, module in modules
    ]
    for page, register in registrations:
        before = set(app.callback_map)
        register()
        for key in set(app.callback_map) - before:
            _check_callback(app, registry, key, page)
            owners[key] = page
    return owners


def _check_callback(app: Dash, registry: PageRegistry, key: str, page: Page | None):
    owner = "the shell" if page is None else f"page {page.path}"
    for component_id in output_ids(key):
        if registry.page_for_component(component_id) is not page:
            raise RegistryError(
                f"callback {key!r} of {owner} writes to {component_id!r}, which "
                "belongs elsewhere; give it the page's id prefix."
            )
    function = app.callback_map[key].get("callback")
    if function is not None and not is_scoped(function):
        raise RegistryError(
            f"callback {key!r} of {owner} is not wrapped in scoped_callback; "
            "wrap it so the user's scope is checked."
        )
