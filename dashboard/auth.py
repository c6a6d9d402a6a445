"""Login, logout and the session: a server-rendered form in front of the Dash app.

The form is a plain Flask view protected by Flask-WTF's CSRF token. Whatever went
wrong, a failed login shows one generic message; the reason goes to the audit log.
Passwords never reach a log line, the audit log or an error page.

The signed session cookie carries a session id whose record in ``app_session`` is
checked on every request, so logging out ends the session on the server and a copy
of the cookie taken earlier is rejected.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, timedelta

from flask import (
    Blueprint,
    Flask,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
)
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError, CSRFProtect, generate_csrf
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from callbacks.context import ENGINE_KEY, REGISTRY_KEY, SETTINGS_KEY
from dashboard.config import Settings
from data_access import audit, sessions, users
from data_access.app_tables import (
    SESSION_ENDED_BY_EXPIRY,
    SESSION_ENDED_BY_LOGOUT,
    SESSION_ENDED_BY_PASSWORD,
)
from data_access.scope import Scope

logger = logging.getLogger(__name__)

BOOTSTRAP_URL = "/assets/vendor/bootstrap/bootstrap.min.css"
LOGIN_FAILED_MESSAGE = "Wrong user name or password, or the account is locked."
# Session key holding the time of login, for the absolute session lifetime.
LOGIN_TIME_KEY = "login_at"
# Session key where Flask-Login keeps the value of ``SessionUser.get_id``.
FLASK_LOGIN_ID_KEY = "_user_id"

blueprint = Blueprint("auth", __name__, template_folder="templates")


class SessionUser(UserMixin):
    """The Flask-Login user object: the logged-in account and its session id."""

    def __init__(self, record: users.UserRecord, session_id: str) -> None:
        self.record = record
        self.session_id = session_id
        self.username = record.username
        self.role = record.role

    def get_id(self) -> str:
        # Flask-Login stores this in the cookie and passes it to the user loader.
        # It is the session id rather than the account id, so that ending the
        # session record rejects every copy of the cookie.
        return self.session_id

    @property
    def is_active(self) -> bool:
        return self.record.is_active


def scope_for(user: SessionUser) -> Scope:
    """Return the ``Scope`` of a logged-in user, built from the account."""
    return users.scope_for_record(user.record)


class LoginForm(FlaskForm):
    """The login form; Flask-WTF adds and checks the CSRF token."""

    username = StringField("User name", validators=[DataRequired(), Length(max=64)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=256)])


def init_auth(server: Flask, settings: Settings) -> None:
    """Configure sessions, Flask-Login and CSRF protection, and add the login views.

    Raises
    ------
    ConfigError
        If ``settings`` has no usable secret key.
    """
    server.config.update(
        SECRET_KEY=settings.require_secret_key(),
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=settings.session_minutes),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        SESSION_COOKIE_NAME="crimedash_session",
    )
    manager = LoginManager(server)
    manager.login_view = "auth.login"
    manager.user_loader(_load_user)

    csrf = CSRFProtect(server)
    # Dash callbacks post JSON without a form token. They are protected by the
    # login guard and by the SameSite=Lax cookie, which browsers leave off
    # cross-site POSTs.
    csrf.exempt("dash.dash.dispatch")
    server.register_error_handler(CSRFError, _csrf_failed)
    server.register_blueprint(blueprint)


def _load_user(session_id: str) -> SessionUser | None:
    engine = current_app.config[ENGINE_KEY]
    record = sessions.find_session(engine, session_id)
    rejection = _rejection(record, session_id)
    if rejection is not None:
        _log_rejection(record, rejection)
        # Drop the id from the cookie so that the browser's next request skips
        # the lookup. A copied cookie still carries it and is rejected again.
        session.pop(FLASK_LOGIN_ID_KEY, None)
        session.pop(LOGIN_TIME_KEY, None)
        return None
    sessions.touch_session(engine, record)
    return SessionUser(record.user, session_id)


def _rejection(record: sessions.SessionRecord | None, session_id: str) -> str | None:
    """Return why the session ``record`` may not be used, or ``None`` if it may.

    A session past its lifetime is marked ended here.
    """
    if record is None:
        return "unknown"
    if record.ended_at is not None:
        return record.end_reason or "ended"
    if not record.user.is_active:
        return "account disabled"
    if _started_before_password_change(record.user):
        return SESSION_ENDED_BY_PASSWORD
    settings: Settings = current_app.config[SETTINGS_KEY]
    if users.utcnow() - record.created_at > timedelta(minutes=settings.session_minutes):
        sessions.end_session(
            current_app.config[ENGINE_KEY], session_id, SESSION_ENDED_BY_EXPIRY
        )
        return SESSION_ENDED_BY_EXPIRY
    return None


def _log_rejection(record: sessions.SessionRecord | None, rejection: str) -> None:
    if record is None:
        # A cookie from before session records existed, or whose record was
        # deleted a day after it ended.
        logger.info("rejected a session id that is not in app_session")
    elif rejection == SESSION_ENDED_BY_LOGOUT:
        logger.warning(
            "rejected a session of user %s that was logged out, so the cookie "
            "may be a copy taken before logout",
            record.user.username,
        )
    else:
        logger.info(
            "rejected a session of user %s: %s", record.user.username, rejection
        )


def _started_before_password_change(record: users.UserRecord) -> bool:
    changed = record.password_changed_at
    started = session.get(LOGIN_TIME_KEY)
    if changed is None or started is None:
        return False
    changed_at = changed.replace(tzinfo=UTC).timestamp()
    return started < changed_at


def _csrf_failed(error: CSRFError):
    logger.warning("rejected a form post to %s: %s", request.path, error.description)
    return (
        _render_login(
            LoginForm(formdata=None),
            "The form expired or did not come from this site. Please log in again.",
        ),
        400,
    )


def _render_login(form: LoginForm, error: str | None = None, next_path: str = ""):
    return render_template(
        "login.html",
        form=form,
        error=error,
        next_path=next_path,
        stylesheet=BOOTSTRAP_URL,
    )


@blueprint.route("/login", methods=["GET", "POST"])
def login():
    """Show the login form, or check it and start a session."""
    registry = current_app.config[REGISTRY_KEY]
    if current_user.is_authenticated:
        return redirect(registry.landing_path(current_user.role))
    form = LoginForm()
    next_path = request.values.get("next", "")
    if request.method == "GET":
        return _render_login(form, next_path=next_path)
    if not form.validate_on_submit():
        return _render_login(form, LOGIN_FAILED_MESSAGE, next_path), 401

    result = _authenticate(form.username.data, form.password.data)
    if result.user is None:
        return _render_login(form, LOGIN_FAILED_MESSAGE, next_path), 401
    _start_session(result.user)
    return redirect(_after_login_path(registry, result.user.role, next_path))


def _authenticate(username: str, password: str) -> users.LoginResult:
    settings: Settings = current_app.config[SETTINGS_KEY]
    engine = current_app.config[ENGINE_KEY]
    result = users.authenticate(
        engine,
        username,
        password,
        settings.max_failed_logins,
        settings.lockout_minutes,
    )
    if result.user is None:
        logger.info("login failed for %s: %s", username, result.reason)
        audit.record(
            engine,
            username[:64],
            audit.LOGIN_FAILED,
            object="login",
            detail=result.reason,
            remote_addr=request.remote_addr,
        )
    return result


def _start_session(user: users.UserRecord) -> None:
    settings: Settings = current_app.config[SETTINGS_KEY]
    session_id = sessions.start_session(
        current_app.config[ENGINE_KEY],
        user.id,
        timedelta(minutes=settings.session_minutes),
    )
    session.clear()
    login_user(SessionUser(user, session_id))
    session.permanent = True
    session[LOGIN_TIME_KEY] = time.time()
    # Make the form token now: the page's first requests run in parallel, and a
    # token added to the session by one of them would be overwritten by the
    # cookies of the others. The login form cached its token in ``g``, and that
    # token went with the cleared session, so drop the cache first.
    g.pop("csrf_token", None)
    generate_csrf()
    logger.info("user %s logged in", user.username)
    audit.record(
        current_app.config[ENGINE_KEY],
        user.username,
        audit.LOGIN,
        object="login",
        remote_addr=request.remote_addr,
    )


def _after_login_path(registry, role: str, next_path: str) -> str:
    """Return ``next_path`` if it is a page the role may open, else its landing."""
    page = registry.page_for_path(next_path) if next_path.startswith("/") else None
    if page is not None and page.allows(role):
        return page.path
    return registry.landing_path(role)


@blueprint.route("/favicon.ico")
def favicon():
    """Send browsers that ask for the icon at the root to Dash's icon."""
    return redirect("/_favicon.ico", code=301)


@blueprint.route("/logout", methods=["POST"])
def logout():
    """End the session and return to the login form."""
    if current_user.is_authenticated:
        audit.record(
            current_app.config[ENGINE_KEY],
            current_user.username,
            audit.LOGOUT,
            object="login",
            remote_addr=request.remote_addr,
        )
        logger.info("user %s logged out", current_user.username)
    end_current_session(SESSION_ENDED_BY_LOGOUT)
    return redirect("/login")


def end_current_session(reason: str) -> None:
    """End the session of this request in ``app_session`` and clear its cookie.

    ``reason`` is one of the ``SESSION_ENDED_BY_*`` values of
    ``data_access.app_tables``.
    """
    if current_user.is_authenticated:
        sessions.end_session(
            current_app.config[ENGINE_KEY], current_user.session_id, reason
        )
    logout_user()
    session.clear()


def session_expired(settings: Settings) -> bool:
    """Return whether the current session is older than ``settings.session_minutes``.

    The signed cookie also expires after that long without a request; this check
    bounds a session that is kept busy.
    """
    started = session.get(LOGIN_TIME_KEY)
    if started is None:
        return True
    return time.time() - started > settings.session_minutes * 60
