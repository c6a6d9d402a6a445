"""The caller's scope: which countries, division or station a query may read.

A ``Scope`` is built on the server from the logged-in user and passed to every read
in ``data_access``. Queries intersect what the browser asks for with the scope; a
request outside it raises ``OutOfScope`` rather than returning less data silently.
"""

from __future__ import annotations

from dataclasses import dataclass


class OutOfScope(PermissionError):
    """A request names a country, division or station outside the caller's scope."""


@dataclass(frozen=True)
class Scope:
    """What one user may read.

    Attributes
    ----------
    countries
        ISO codes of the countries the user may read, or ``None`` for all countries.
    division_code
        Code of the one division the user is limited to, if any.
    station_code
        Code of the one station the user is limited to, if any.
    aggregate_only
        True when the user may read rollup aggregates only, never incident rows.
    """

    countries: frozenset[str] | None
    division_code: str | None = None
    station_code: str | None = None
    aggregate_only: bool = False

    @classmethod
    def everything(cls) -> Scope:
        """Return the scope of the command line and of tests: every country."""
        return cls(countries=None)

    def check_country(self, country_code: str) -> None:
        """Raise ``OutOfScope`` unless the scope includes ``country_code``."""
        if self.countries is not None and country_code not in self.countries:
            raise OutOfScope(f"country {country_code!r} is outside the user's scope")

    def check_station(
        self, country_code: str, station_code: str, division_code: str | None
    ) -> None:
        """Raise ``OutOfScope`` unless the scope includes the given station."""
        self.check_country(country_code)
        if self.station_code is not None and station_code != self.station_code:
            raise OutOfScope(f"station {station_code!r} is outside the user's scope")
        if self.division_code is not None and division_code != self.division_code:
            raise OutOfScope(
                f"station {station_code!r} of division {division_code!r} is outside "
                "the user's scope"
            )

    def check_incident_rows(self) -> None:
        """Raise ``OutOfScope`` if the scope may read aggregates only."""
        if self.aggregate_only:
            raise OutOfScope("this role may read aggregates only, not incident rows")
