"""Build the committed geography of the eight countries under ``geodata/``.

Usage: python scripts/build_geodata.py [--source-data DIR] [--out DIR]

Reads the published boundaries and statistics (default: ``../shared/data`` beside the
checkout) and writes:

- ``adm1.geojson``: parishes, districts and regions, snapped to a 1e-5 degree grid;
- ``stations.geojson``: police stations with their station areas (Voronoi cells of
  the station points inside each parish);
- ``divisions.csv``: the divisions that group each country's stations;
- ``population.csv`` and ``population_sources.csv``: total population of countries,
  parishes and station areas for 2015 to 2024;
- ``age_sex_structure.csv``: the assumed shares of the population by sex and age band;
- ``stats/``: copies of the published statistics the product ships.

The output is deterministic: the same inputs give byte-identical files.
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from shapely.geometry import mapping

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = ROOT.parent / "shared" / "data"
GRID = 1e-5
FIRST_YEAR, LAST_PUBLISHED, LAST_YEAR = 2015, 2023, 2024
SEED = 2015

# Metric CRS per country (UTM zone of its main island or coast).
UTM = {
    "ATG": 32620,
    "BRB": 32621,
    "GRD": 32620,
    "GUY": 32621,
    "KNA": 32620,
    "LCA": 32620,
    "SUR": 32621,
    "VCT": 32620,
}

STATION_COUNTS = {
    "ATG": 13,
    "BRB": 12,
    "GRD": 14,
    "GUY": 124,
    "KNA": 11,
    "LCA": 15,
    "SUR": 65,
    "VCT": 21,
}

# The usual spelling of names the boundary file spells otherwise.
USUAL_NAMES = {("GUY", "Barina-Waini"): "Barima-Waini"}

# Approximate positions (WGS84 longitude, latitude) of main towns, used to place
# stations in the populated parts of each parish. A town counts for the parish whose
# polygon contains it.
TOWNS = {
    "ATG": [
        ("St. John's", -61.845, 17.121),
        ("Codrington", -61.826, 17.635),
        ("Liberta", -61.790, 17.044),
        ("English Harbour", -61.765, 17.005),
        ("Parham", -61.770, 17.097),
        ("Bolans", -61.880, 17.060),
        ("Piggotts", -61.800, 17.115),
    ],
    "BRB": [
        ("Bridgetown", -59.615, 13.097),
        ("Oistins", -59.537, 13.066),
        ("Holetown", -59.638, 13.187),
        ("Speightstown", -59.642, 13.250),
        ("Six Cross Roads", -59.490, 13.110),
    ],
    "GRD": [
        ("St. George's", -61.749, 12.056),
        ("Grenville", -61.625, 12.122),
        ("Gouyave", -61.729, 12.168),
        ("Sauteurs", -61.640, 12.218),
        ("Victoria", -61.706, 12.190),
        ("Hillsborough", -61.456, 12.481),
    ],
    "GUY": [
        ("Georgetown", -58.155, 6.801),
        ("Diamond", -58.170, 6.750),
        ("Enmore", -57.985, 6.768),
        ("Linden", -58.300, 6.000),
        ("New Amsterdam", -57.517, 6.250),
        ("Rose Hall", -57.355, 6.262),
        ("Corriverton", -57.150, 5.900),
        ("Vreed en Hoop", -58.190, 6.810),
        ("Parika", -58.420, 6.865),
        ("Anna Regina", -58.508, 7.264),
        ("Bartica", -58.620, 6.400),
        ("Mahdia", -59.150, 5.270),
        ("Lethem", -59.800, 3.380),
        ("Mabaruma", -59.780, 8.200),
        ("Mahaicony", -57.800, 6.560),
        ("Fort Wellington", -57.600, 6.390),
    ],
    "KNA": [
        ("Basseterre", -62.725, 17.296),
        ("Charlestown", -62.622, 17.138),
        ("Sandy Point Town", -62.850, 17.361),
        ("Cayon", -62.726, 17.356),
        ("Old Road", -62.800, 17.320),
        ("Gingerland", -62.575, 17.125),
    ],
    "LCA": [
        ("Castries", -60.987, 14.010),
        ("Gros Islet", -60.953, 14.080),
        ("Vieux Fort", -60.954, 13.728),
        ("Soufriere", -61.056, 13.856),
        ("Micoud", -60.900, 13.820),
        ("Dennery", -60.890, 13.913),
    ],
    "SUR": [
        ("Paramaribo", -55.204, 5.852),
        ("Lelydorp", -55.233, 5.700),
        ("Nieuw Nickerie", -56.980, 5.950),
        ("Moengo", -54.400, 5.620),
        ("Albina", -54.050, 5.500),
        ("Brokopondo", -54.980, 5.060),
        ("Groningen", -55.470, 5.800),
        ("Totness", -56.320, 5.880),
        ("Onverwacht", -55.190, 5.590),
        ("Nieuw Amsterdam", -55.080, 5.880),
        ("Meerzorg", -55.150, 5.820),
    ],
    "VCT": [
        ("Kingstown", -61.225, 13.160),
        ("Georgetown", -61.120, 13.280),
        ("Layou", -61.270, 13.200),
        ("Barrouallie", -61.270, 13.235),
        ("Chateaubelair", -61.245, 13.290),
        ("Port Elizabeth", -61.240, 13.010),
        ("Calliaqua", -61.190, 13.130),
        ("Clifton", -61.415, 12.597),
    ],
}

# Approximate positions of the places the Saint Lucia stations are named after.
LCA_STATION_PLACES = {
    "Gros Islet Police Station": (-60.953, 14.080),
    "Rodney Bay Police Station": (-60.950, 14.068),
    "Castries Central Police Station": (-60.987, 14.010),
    "Marchand Police Station": (-60.976, 14.006),
    "Babonneau Police Station": (-60.942, 14.000),
    "Marigot Police Station": (-61.023, 13.965),
    "Anse La Raye Police Station": (-61.037, 13.940),
    "Canaries Police Station": (-61.066, 13.903),
    "Dennery Police Station": (-60.890, 13.913),
    "Richfond Police Station": (-60.905, 13.940),
    "Micoud Police Station": (-60.900, 13.820),
    "Soufriere Police Station": (-61.056, 13.856),
    "Choiseul Police Station": (-61.049, 13.774),
    "Laborie Police Station": (-61.000, 13.750),
    "Vieux Fort Police Station": (-60.954, 13.728),
}

# Relative population weights of parishes in countries without a parish census in
# the data: rough shares of the national population in per cent, set for the demo
# and marked as estimates. Redonda is uninhabited.
PARISH_WEIGHTS = {
    "ATG": {
        "Saint John": 62,
        "Saint George": 9,
        "Saint Mary": 8,
        "Saint Paul": 9,
        "Saint Peter": 6,
        "Saint Philip": 4,
        "Barbuda": 2,
        "Redonda": 0,
    },
    "KNA": {
        "Saint George Basseterre": 29,
        "Saint Peter Basseterre": 7,
        "Christ Church Nichola Town": 4,
        "Saint Anne Sandy Point": 7,
        "Saint George Gingerland": 6,
        "Saint James Windward": 4,
        "Saint John Capisterre": 6,
        "Saint John Figtree": 6,
        "Saint Mary Cayon": 7,
        "Saint Paul Capisterre": 4,
        "Saint Paul Charlestown": 5,
        "Saint Thomas Lowland": 4,
        "Saint Thomas Middle Island": 5,
        "Trinity Palmetto Point": 7,
    },
    "VCT": {
        "Saint George": 48,
        "Charlotte": 24,
        "Saint Andrew": 6,
        "Saint David": 6,
        "Saint Patrick": 5,
        "Grenadines": 9,
    },
    "SUR": {
        "Paramaribo": 44,
        "Wanica": 22,
        "Nickerie": 6,
        "Coronie": 1,
        "Saramacca": 3,
        "Commewijne": 6,
        "Marowijne": 3,
        "Para": 5,
        "Brokopondo": 3,
        "Sipaliwini": 7,
    },
}

# Licence of each country's boundaries in geoBoundaries gbOpen.
BOUNDARY_LICENCES = {
    "ATG": "ODbL 1.0",
    "BRB": "ODbL 1.0",
    "GUY": "ODbL 1.0",
    "SUR": "ODbL 1.0",
    "VCT": "ODbL 1.0",
    "GRD": "CC BY-SA",
    "KNA": "CC BY-SA",
    "LCA": "CC BY-SA",
}

# Divisions: code, name and the parishes (boundary-file names) they group.
DIVISIONS = {
    "ATG": [
        ("NORTH", "Northern Division", ["Saint John", "Saint George", "Barbuda"]),
        ("EAST", "Eastern Division", ["Saint Peter", "Saint Philip"]),
        ("SOUTH", "Southern Division", ["Saint Mary", "Saint Paul", "Redonda"]),
    ],
    "BRB": [
        (
            "NORTH",
            "Northern Division",
            ["Saint Lucy", "Saint Peter", "Saint Andrew", "Saint James"],
        ),
        (
            "CENTRAL",
            "Central Division",
            [
                "Saint Michael",
                "Saint Thomas",
                "Saint Joseph",
                "Saint George",
                "Saint John",
            ],
        ),
        ("SOUTH", "Southern Division", ["Christ Church", "Saint Philip"]),
    ],
    "GRD": [
        ("SOUTH", "Southern Division", ["Saint George"]),
        ("EAST", "Eastern Division", ["Saint Andrew", "Saint David"]),
        ("NORTH", "Northern Division", ["Saint Patrick", "Saint Mark", "Saint John"]),
        ("CPM", "Carriacou and Petite Martinique", ["Southern Grenadine Islands"]),
    ],
    "GUY": [
        ("DEM", "Demerara Division", ["Demerara-Mahaica"]),
        ("WDEM", "West Demerara Division", ["Essequibo Islands-West Demerara"]),
        ("BER", "Berbice Division", ["Mahaica-Berbice", "East Berbice-Corentyne"]),
        ("ESS", "Essequibo Coast Division", ["Pomeroon-Supenaam", "Barina-Waini"]),
        ("LIN", "Linden Division", ["Upper Demerara-Berbice"]),
        (
            "INT",
            "Interior Division",
            [
                "Cuyuni-Mazaruni",
                "Potaro-Siparuni",
                "Upper Takutu-Upper Essequibo",
            ],
        ),
    ],
    "KNA": [
        (
            "BASSE",
            "Basseterre Division",
            ["Saint George Basseterre", "Saint Peter Basseterre"],
        ),
        (
            "STK",
            "St Kitts Rural Division",
            [
                "Christ Church Nichola Town",
                "Saint Anne Sandy Point",
                "Saint John Capisterre",
                "Saint Mary Cayon",
                "Saint Paul Capisterre",
                "Saint Thomas Middle Island",
                "Trinity Palmetto Point",
            ],
        ),
        (
            "NEV",
            "Nevis Division",
            [
                "Saint George Gingerland",
                "Saint James Windward",
                "Saint John Figtree",
                "Saint Paul Charlestown",
                "Saint Thomas Lowland",
            ],
        ),
    ],
    "LCA": [
        ("NORTH", "Northern Division", ["Gros Islet", "Castries"]),
        ("EAST", "Eastern Division", ["Dennery", "Micoud"]),
        ("SOUTH", "Southern Division", ["Vieux Fort", "Laborie", "Choiseul"]),
        ("WEST", "Western Division", ["Soufriere", "Canaries", "Anse la Raye"]),
    ],
    "SUR": [
        ("PBO", "Paramaribo Division", ["Paramaribo"]),
        ("WAN", "Wanica and Para Division", ["Wanica", "Para"]),
        ("WEST", "Western Division", ["Nickerie", "Coronie", "Saramacca"]),
        ("EAST", "Eastern Division", ["Commewijne", "Marowijne"]),
        ("INT", "Interior Division", ["Brokopondo", "Sipaliwini"]),
    ],
    "VCT": [
        ("KGN", "Kingstown Division", ["Saint George"]),
        ("EAST", "Eastern Division", ["Charlotte"]),
        (
            "WEST",
            "Western Division",
            ["Saint Andrew", "Saint Patrick", "Saint David"],
        ),
        ("GREN", "Grenadines Division", ["Grenadines"]),
    ],
}

# Assumed age structure of the population, in per cent of the total, and the male
# share of each band. One structure for all eight countries, chosen to resemble a
# Caribbean population with a median age in the early thirties.
AGE_STRUCTURE = (
    ("0-9", 14.0, 0.51),
    ("10-14", 7.5, 0.51),
    ("15-17", 4.5, 0.51),
    ("18-24", 10.5, 0.505),
    ("25-29", 7.5, 0.50),
    ("30-44", 21.0, 0.495),
    ("45-59", 19.0, 0.49),
    ("60+", 16.0, 0.45),
)

SOURCES = {
    "wb": "World Bank WDI SP.POP.TOTL (CC BY 4.0)",
    "wb_projection": (
        "Projection from the linear trend of World Bank SP.POP.TOTL 2019-2023"
    ),
    "census_share": (
        "Parish shares from {census}, applied to the World Bank national total"
    ),
    "weight_share": (
        "Demo estimate: national total apportioned by assumed rough parish shares"
    ),
    "station_split": (
        "Demo estimate: parish population split equally among its stations"
    ),
    "age_sex": (
        "Demo estimate: assumed Caribbean age and sex structure applied to the total"
    ),
}

STAT_FILES = (
    "population_worldbank_SP.POP.TOTL.csv",
    "population_adm1_census.csv",
    "saint_lucia_rslpf_police_stations.csv",
    "homicide_rate_unodc_owid_caribbean.csv",
    "homicide-rate-unodc.metadata.json",
)


def main() -> None:
    """Parse arguments and write every geodata file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source-data", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--out", type=Path, default=ROOT / "geodata")
    args = parser.parse_args()
    build(args.source_data, args.out)


def build(source: Path, out: Path) -> None:
    """Write the geodata files from the published data in ``source``."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "stats").mkdir(exist_ok=True)
    for name in STAT_FILES:
        shutil.copyfile(source / "stats" / name, out / "stats" / name)

    stats = source / "stats"
    parishes = read_parishes(source / "boundaries" / "caribbean8_adm1.geojson")
    national = national_totals(stats / "population_worldbank_SP.POP.TOTL.csv")
    census = pd.read_csv(stats / "population_adm1_census.csv")
    parish_pop = parish_populations(parishes, national, census)
    lca_names = pd.read_csv(stats / "saint_lucia_rslpf_police_stations.csv")
    stations = build_stations(parishes, parish_pop, lca_names)
    write_parishes(parishes, out / "adm1.geojson")
    write_stations(stations, out / "stations.geojson")
    write_divisions(out / "divisions.csv")
    station_pop = station_populations(stations, parish_pop)
    write_population(national, parish_pop, station_pop, out)
    write_age_structure(out / "age_sex_structure.csv")


def read_parishes(path: Path) -> pd.DataFrame:
    """Return the parishes with geometries snapped to the output grid."""
    features = json.loads(path.read_text("utf-8"))["features"]
    rows = []
    for feature in features:
        props = feature["properties"]
        geometry = shapely.set_precision(
            shapely.geometry.shape(feature["geometry"]), GRID
        )
        rows.append(
            {
                "country_code": props["iso3"],
                "code": props["shapeISO"],
                "source_name": props["shapeName"],
                "name": USUAL_NAMES.get(
                    (props["iso3"], props["shapeName"]), props["shapeName"]
                ),
                "shape_id": props["shapeID"],
                "area_km2": props["area_km2"],
                "geometry": geometry,
            }
        )
    frame = pd.DataFrame(rows).sort_values(["country_code", "code"])
    return frame.reset_index(drop=True)


def write_parishes(parishes: pd.DataFrame, path: Path) -> None:
    """Write the parishes as GeoJSON with their codes and names."""
    features = []
    for row in parishes.itertuples():
        properties = {
            "country_code": row.country_code,
            "code": row.code,
            "name": row.name,
            "source_name": row.source_name,
            "shape_id": row.shape_id,
            "area_km2": row.area_km2,
            "source": (
                "geoBoundaries gbOpen ADM1, OpenStreetMap contributors, "
                f"{BOUNDARY_LICENCES[row.country_code]}"
            ),
        }
        features.append(_feature(row.geometry, properties))
    _write_geojson(features, path)


def _feature(geometry, properties: dict) -> dict:
    return {"type": "Feature", "properties": properties, "geometry": mapping(geometry)}


def _write_geojson(features: list[dict], path: Path) -> None:
    for feature in features:
        geometry = feature["geometry"]
        geometry["coordinates"] = _rounded(geometry["coordinates"])
    collection = {"type": "FeatureCollection", "features": features}
    text = json.dumps(collection, separators=(",", ":"), ensure_ascii=False)
    path.write_text(text + "\n", "utf-8")


def _rounded(coordinates):
    # Floats on the 1e-5 grid carry binary noise (13.100000000000001).
    if isinstance(coordinates[0], float | int):
        return [round(value, 5) for value in coordinates]
    return [_rounded(part) for part in coordinates]


def national_totals(path: Path) -> pd.DataFrame:
    """Return population by country and year, 2015 to 2024, 2024 projected."""
    frame = pd.read_csv(path)
    frame = frame[frame["iso3"].isin(STATION_COUNTS)]
    frame = frame[frame["year"].between(FIRST_YEAR, LAST_PUBLISHED)]
    rows = []
    for code, group in frame.groupby("iso3"):
        for year, value in zip(group["year"], group["population"], strict=True):
            rows.append((code, int(year), float(value), False, "wb"))
        recent = group[group["year"] >= LAST_PUBLISHED - 4]
        slope, intercept = np.polyfit(recent["year"], recent["population"], 1)
        projected = float(round(slope * LAST_YEAR + intercept))
        rows.append((code, LAST_YEAR, projected, True, "wb_projection"))
    return pd.DataFrame(
        rows, columns=["country_code", "year", "population", "is_estimate", "source"]
    )


def parish_populations(
    parishes: pd.DataFrame, national: pd.DataFrame, census: pd.DataFrame
) -> pd.DataFrame:
    """Return each parish's population by year, summing to the national totals."""
    rows = []
    for total in national.itertuples():
        in_country = parishes[parishes["country_code"] == total.country_code]
        shares, source = _parish_shares(in_country, census, total.year)
        counts = _apportion(total.population, shares)
        for code, count in zip(in_country["code"], counts, strict=True):
            rows.append((total.country_code, code, total.year, count, True, source))
    return pd.DataFrame(
        rows,
        columns=[
            "country_code",
            "area_code",
            "year",
            "population",
            "is_estimate",
            "source",
        ],
    )


def _parish_shares(in_country: pd.DataFrame, census: pd.DataFrame, year: int):
    code = in_country["country_code"].iloc[0]
    names = in_country["source_name"]
    if code in PARISH_WEIGHTS:
        weights = names.map(PARISH_WEIGHTS[code]).astype(float)
        if weights.isna().any():
            raise ValueError(f"{code}: parishes without a weight: {list(names)}")
        return weights.to_numpy() / weights.sum(), "weight_share"

    rows = census[census["iso3"] == code]
    years = sorted(rows["year"].unique())
    by_year = {y: _census_shares(rows[rows["year"] == y], names) for y in years}
    if len(years) == 1 or year <= years[0]:
        first = years[0]
        return by_year[first], f"census_share:{first}"
    if year >= years[-1]:
        return by_year[years[-1]], f"census_share:{years[-1]}"
    # Between two censuses, shares move linearly from one to the next.
    fraction = (year - years[0]) / (years[-1] - years[0])
    shares = (1 - fraction) * by_year[years[0]] + fraction * by_year[years[-1]]
    return shares, f"census_share:{years[0]}-{years[-1]}"


def _census_shares(rows: pd.DataFrame, names: pd.Series) -> np.ndarray:
    by_name = dict(
        zip(rows["geoboundaries_shapeName"], rows["population"], strict=True)
    )
    counts = names.map(by_name)
    if counts.isna().any():
        raise ValueError(f"census lacks parishes {list(names[counts.isna()])}")
    return counts.to_numpy(float) / counts.sum()


def _apportion(total: float, shares: np.ndarray) -> np.ndarray:
    """Split an integer total by shares, largest remainders first."""
    exact = total * np.asarray(shares, dtype=float)
    counts = np.floor(exact)
    remainder = int(round(total - counts.sum()))
    order = np.argsort(-(exact - counts), kind="stable")
    counts[order[:remainder]] += 1
    return counts


def _station_allocation(weights: np.ndarray, total: int) -> np.ndarray:
    """Return stations per parish, proportional to population.

    Every inhabited parish gets at least one station when there are enough; with
    fewer stations than parishes, the most populous parishes get one each.
    """
    inhabited = np.flatnonzero(weights > 0)
    counts = np.zeros(len(weights), dtype=int)
    if total < len(inhabited):
        largest = inhabited[np.argsort(-weights[inhabited], kind="stable")[:total]]
        counts[largest] = 1
        return counts
    counts[inhabited] = 1
    extra = _apportion(total - len(inhabited), weights / weights.sum())
    return counts + extra.astype(int)


def build_stations(
    parishes: pd.DataFrame, parish_pop: pd.DataFrame, lca_names: pd.DataFrame
) -> pd.DataFrame:
    """Return every station with its point, area, parish and division.

    The parish geometries in ``parishes`` are replaced by the union of their
    snapped pieces, so that parishes and station areas share every boundary.
    """
    rng = np.random.default_rng(SEED)
    latest = parish_pop[parish_pop["year"] == LAST_PUBLISHED].set_index("area_code")
    frames = []
    for code in sorted(STATION_COUNTS):
        in_country = parishes[parishes["country_code"] == code].reset_index(drop=True)
        weights = latest.loc[in_country["code"], "population"].to_numpy(float)
        frame, shapes = _country_stations(code, in_country, weights, lca_names, rng)
        frames.append(frame)
        snapped = parishes["code"].map(shapes)
        parishes["geometry"] = snapped.where(snapped.notna(), parishes["geometry"])
    stations = pd.concat(frames, ignore_index=True)
    stations["also_covers"] = stations["also_covers"].fillna("")
    return stations


def _country_stations(code, in_country, weights, lca_names, rng):
    """Return a country's stations and its snapped parish geometries by code."""
    to_metric = Transformer.from_crs(4326, UTM[code], always_xy=True)
    to_degrees = Transformer.from_crs(UTM[code], 4326, always_xy=True)
    if code == "LCA":
        planned = _lca_planned(in_country, lca_names)
    else:
        counts = _station_allocation(weights, STATION_COUNTS[code])
        planned = _generic_planned(in_country, counts)

    rows = []
    for parish in in_country.itertuples():
        mine = [plan for plan in planned if plan["admin_area_code"] == parish.code]
        if not mine:
            continue
        metric = shapely.transform(parish.geometry, _project(to_metric))
        points = _place_points(code, metric, mine, to_metric, rng)
        cells = _voronoi_cells(metric, points, to_degrees)
        for plan, point, cell in zip(mine, points, cells, strict=True):
            lon, lat = to_degrees.transform(point.x, point.y)
            piece = (parish.code, shapely.intersection(cell, parish.geometry))
            rows.append(
                {**plan, "lon": round(lon, 5), "lat": round(lat, 5), "pieces": [piece]}
            )
    _attach_empty_parishes(in_country, rows)

    pieces = [(n, p, g) for n, row in enumerate(rows) for p, g in row.pop("pieces")]
    snapped = snap_coverage([geometry for _, _, geometry in pieces])
    station_parts: dict[int, list] = {}
    parish_parts: dict[str, list] = {}
    for (number, parish_code, _), geometry in zip(pieces, snapped, strict=True):
        station_parts.setdefault(number, []).append(geometry)
        parish_parts.setdefault(parish_code, []).append(geometry)
    division_of = {
        parish: division
        for division, _, members in DIVISIONS[code]
        for parish in members
    }
    names = dict(zip(in_country["code"], in_country["source_name"], strict=True))
    for number, row in enumerate(rows):
        row["division_code"] = division_of[names[row["admin_area_code"]]]
        row["country_code"] = code
        row["geometry"] = shapely.union_all(station_parts[number])
        del row["place"]
    shapes = {key: shapely.union_all(parts) for key, parts in parish_parts.items()}
    return pd.DataFrame(rows), shapes


def _project(transformer):
    def apply(coords):
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return apply


def snap_coverage(areas: list) -> list:
    """Snap polygons that tile a region to the output grid, keeping the tiling.

    Snapping each polygon on its own would move shared boundaries differently in the
    two neighbours, opening gaps and overlaps. So all boundaries are snap-rounded
    together, the snapped lines are cut into faces, and each face goes to the
    polygon that covers most of it.
    """
    lines = shapely.union_all([shapely.boundary(area) for area in areas])
    snapped = shapely.union_all(shapely.set_precision(lines, GRID))
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(snapped)))
    tree = shapely.STRtree(areas)
    owned: dict[int, list] = {index: [] for index in range(len(areas))}
    for face in faces:
        candidates = tree.query(face, predicate="intersects")
        shares = [areas[i].intersection(face).area for i in candidates]
        if not shares or max(shares) < 0.5 * face.area:
            continue  # a hole of the region, such as a lagoon
        owned[int(candidates[int(np.argmax(shares))])].append(face)
    return [shapely.union_all(owned[index]) for index in range(len(areas))]


def _lca_planned(in_country: pd.DataFrame, lca_names: pd.DataFrame) -> list[dict]:
    by_name = dict(zip(in_country["source_name"], in_country["code"], strict=True))
    planned = []
    for district, group in lca_names.groupby("district_inferred", sort=False):
        parish_code = by_name[district]
        for number, name in enumerate(group["station_name"], start=1):
            planned.append(
                {
                    "code": f"{parish_code.replace('-', '')}-{number:02d}",
                    "name": name,
                    "admin_area_code": parish_code,
                    "is_demo": False,
                    "place": LCA_STATION_PLACES[name],
                    "position_note": (
                        "real station name; position generated near the named place"
                    ),
                    "also_covers": None,
                }
            )
    return sorted(planned, key=lambda plan: plan["code"])


def _generic_planned(in_country: pd.DataFrame, counts) -> list[dict]:
    planned = []
    for parish, count in zip(in_country.itertuples(), counts, strict=True):
        for number in range(1, count + 1):
            planned.append(
                {
                    "code": f"{parish.code.replace('-', '')}-{number:02d}",
                    "name": f"{parish.name} {number}",
                    "admin_area_code": parish.code,
                    "is_demo": True,
                    "place": None,
                    "position_note": "generated station for the demo",
                    "also_covers": None,
                }
            )
    return planned


def _place_points(code, metric, planned, to_metric, rng) -> list:
    """Return one point per planned station inside ``metric`` (the parish)."""
    anchors = _town_anchors(code, metric, to_metric)
    if not anchors:
        anchors = [shapely.point_on_surface(metric)]
    spread = float(np.clip(0.2 * np.sqrt(metric.area), 1_500, 25_000))
    min_gap = min(800.0, 0.25 * np.sqrt(metric.area / len(planned)))

    points = []
    for index, plan in enumerate(planned):
        if plan["place"] is not None:
            target = shapely.Point(*to_metric.transform(*plan["place"]))
        elif index < len(anchors):
            target = anchors[index]
        else:
            target = None
        if (
            target is not None
            and metric.contains(target)
            and _far(target, points, min_gap)
        ):
            points.append(target)
            continue
        points.append(_sample_near(anchors, metric, points, spread, min_gap, rng))
    return points


def _town_anchors(code, metric, to_metric) -> list:
    anchors = []
    for _, lon, lat in TOWNS.get(code, []):
        point = shapely.Point(*to_metric.transform(lon, lat))
        if metric.contains(point):
            anchors.append(point)
    return anchors


def _far(point, points, gap: float) -> bool:
    return all(point.distance(other) >= gap for other in points)


def _sample_near(anchors, metric, points, spread, min_gap, rng):
    for attempt in range(2_000):
        anchor = anchors[rng.integers(len(anchors))] if attempt < 1_500 else None
        if anchor is None:
            minx, miny, maxx, maxy = metric.bounds
            x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        else:
            x, y = rng.normal([anchor.x, anchor.y], spread)
        candidate = shapely.Point(x, y)
        if metric.contains(candidate) and _far(candidate, points, min_gap):
            return candidate
    raise RuntimeError("could not place a station; lower the minimum gap")


def _voronoi_cells(metric, points, to_degrees) -> list:
    """Return each point's Voronoi cell, computed in metres, in degrees."""
    if len(points) == 1:
        return [shapely.box(-180, -90, 180, 90)]
    cells = shapely.voronoi_polygons(
        shapely.MultiPoint(points), extend_to=metric.buffer(10_000)
    )
    result = []
    for point in points:
        cell = next(c for c in cells.geoms if c.contains(point))
        result.append(shapely.transform(cell, _project(to_degrees)))
    return result


def _attach_empty_parishes(in_country, rows) -> None:
    """Add each parish without a station to the area of the nearest station."""
    covered = {row["admin_area_code"] for row in rows}
    for parish in in_country.itertuples():
        if parish.code in covered:
            continue
        nearest = min(
            rows, key=lambda row: row["pieces"][0][1].distance(parish.geometry)
        )
        nearest["pieces"].append((parish.code, parish.geometry))
        codes = [c for c in (nearest["also_covers"] or "").split(";") if c]
        nearest["also_covers"] = ";".join([*codes, parish.code])


def write_stations(stations: pd.DataFrame, path: Path) -> None:
    """Write stations as GeoJSON: the area is the geometry, the point a property."""
    features = []
    for row in stations.itertuples():
        properties = {
            "country_code": row.country_code,
            "code": row.code,
            "name": row.name,
            "division_code": row.division_code,
            "admin_area_code": row.admin_area_code,
            "also_covers": row.also_covers or None,
            "lon": row.lon,
            "lat": row.lat,
            "is_demo": bool(row.is_demo),
            "position_note": row.position_note,
        }
        features.append(_feature(row.geometry, properties))
    _write_geojson(features, path)


def write_divisions(path: Path) -> None:
    """Write the divisions table."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["country_code", "code", "name"])
        for code in sorted(DIVISIONS):
            for division, name, _ in DIVISIONS[code]:
                writer.writerow([code, division, name])


def station_populations(stations: pd.DataFrame, parish_pop: pd.DataFrame):
    """Return station-area populations.

    A parish's population is split equally among the stations inside it. A parish
    without a station of its own counts wholly for the station that covers it.
    """
    serving: dict[str, list[str]] = {}
    for row in stations.itertuples():
        serving.setdefault(row.admin_area_code, []).append(row.code)
    for row in stations.itertuples():
        for parish_code in (row.also_covers or "").split(";"):
            if parish_code:
                serving[parish_code] = [row.code]

    totals: dict[tuple[str, int], float] = {}
    for total in parish_pop.itertuples():
        codes = serving[total.area_code]
        counts = _apportion(total.population, np.full(len(codes), 1 / len(codes)))
        for station_code, count in zip(codes, counts, strict=True):
            key = (station_code, total.year)
            totals[key] = totals.get(key, 0) + count
    country_of = dict(zip(stations["code"], stations["country_code"], strict=True))
    rows = [
        (country_of[code], code, year, count, "station_split")
        for (code, year), count in sorted(totals.items())
    ]
    return pd.DataFrame(
        rows,
        columns=["country_code", "area_code", "year", "population", "source"],
    )


def write_population(national, parish_pop, station_pop, out: Path) -> None:
    """Write population.csv and the table of its source texts."""
    frames = [
        national.rename(columns={"country_code": "area_code"}).assign(
            country_code=national["country_code"], area_type="country"
        ),
        parish_pop.assign(area_type="admin_area"),
        station_pop.assign(area_type="station", is_estimate=True),
    ]
    table = pd.concat(frames, ignore_index=True)
    table["population"] = table["population"].astype(int)
    table = table[
        [
            "country_code",
            "area_type",
            "area_code",
            "year",
            "population",
            "is_estimate",
            "source",
        ]
    ].sort_values(["country_code", "area_type", "area_code", "year"])
    table["is_estimate"] = table["is_estimate"].map({True: "1", False: "0"})
    table.to_csv(out / "population.csv", index=False, lineterminator="\n")

    with (out / "population_sources.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["source", "text"])
        for key in sorted(table["source"].unique()):
            writer.writerow([key, _source_text(key)])
        writer.writerow(["age_sex", SOURCES["age_sex"]])


def _source_text(key: str) -> str:
    base, _, years = key.partition(":")
    if "-" in years:
        first, last = years.split("-")
        census = f"Census {first} and Census {last}, interpolated by year"
    else:
        census = f"Census {years}"
    return SOURCES[base].format(census=census)


def write_age_structure(path: Path) -> None:
    """Write the assumed shares of the population by sex and age band."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["age_band", "share_percent", "male_share"])
        for band, share, male in AGE_STRUCTURE:
            writer.writerow([band, share, male])


if __name__ == "__main__":
    main()
