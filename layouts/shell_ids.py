"""Component ids of the application shell: location, navbar and content area."""

URL = "shell-url"
NAVBAR = "shell-navbar"
CONTENT = "shell-content"
NAVBAR_TOGGLER = "shell-navbar-toggler"
NAVBAR_COLLAPSE = "shell-navbar-collapse"
# Also named in assets/warehouse_status.js, which shows it on a 503 response.
WAREHOUSE_BANNER = "shell-warehouse-banner"
