"""The demo city's management grid (网格) as GeoJSON, and placing a point on it.

The grid is generated, not surveyed: rectangles of GRID_STEP degrees over the city's bounding box,
each given to the county whose (approximate, illustrative) seat is nearest. `tongban workorders grid`
writes data/grid.geojson; the demo loader reads that file into GridCell rows; the statistics map is
drawn from the same rows, so no map tiles or outside services are needed.
"""

import json
import math
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from tongban.workorders import conf
from tongban.workorders.conf import DEFAULT_BOUNDS

GRID_FILE = Path(__file__).parent / "data" / "grid.geojson"
GRID_STEP = 0.025
# Illustrative county seats used only to give each generated cell a county.
COUNTY_SEATS = {
    "411002": ("魏都区", 113.82, 34.03),
    "411003": ("建安区", 113.84, 34.14),
    "411024": ("鄢陵县", 114.18, 34.10),
    "411025": ("襄城县", 113.48, 33.85),
    "411081": ("禹州市", 113.47, 34.14),
    "411082": ("长葛市", 113.77, 34.22),
}
URBAN_DISTRICT = "411002"
# The urban core is split by street (街道) so grid workers and routing rules can use them.
TOWNSHIP_SEATS = {
    "411002001000": ("西大街道", 113.80, 34.03),
    "411002002000": ("东大街道", 113.85, 34.03),
    "411002003000": ("南关街道", 113.82, 34.00),
    "411002005000": ("五一路街道", 113.82, 34.06),
}
URBAN_RADIUS = 0.03  # degrees: cells this close to a street's seat belong to that street
DISTRICT_RADIUS = 0.07  # 魏都区 is the small city district around the seat; beyond it, the others


def city_bounds() -> tuple[float, float, float, float]:
    return conf.city_bounds()


def inside_city(lng: float, lat: float) -> bool:
    lng_min, lat_min, lng_max, lat_max = city_bounds()
    return lng_min <= lng <= lng_max and lat_min <= lat <= lat_max


def _nearest(seats: dict, lng: float, lat: float) -> tuple[str, float]:
    code = min(seats, key=lambda c: math.dist((lng, lat), seats[c][1:]))
    return code, math.dist((lng, lat), seats[code][1:])


def generate(bounds=DEFAULT_BOUNDS, step=GRID_STEP) -> dict:
    """The grid as a GeoJSON FeatureCollection (properties: code, name, region)."""
    lng_min, lat_min, lng_max, lat_max = bounds
    columns = round((lng_max - lng_min) / step)
    rows = round((lat_max - lat_min) / step)
    features = []
    for row in range(rows):
        for column in range(columns):
            west, south = lng_min + column * step, lat_min + row * step
            east, north = west + step, south + step
            centre = (west + step / 2, south + step / 2)
            region, _ = _nearest(COUNTY_SEATS, *centre)
            if (
                region == URBAN_DISTRICT
                and math.dist(centre, COUNTY_SEATS[region][1:]) > DISTRICT_RADIUS
            ):
                others = {k: v for k, v in COUNTY_SEATS.items() if k != URBAN_DISTRICT}
                region, _ = _nearest(others, *centre)
            name = COUNTY_SEATS[region][0]
            township, distance = _nearest(TOWNSHIP_SEATS, *centre)
            if distance <= URBAN_RADIUS:
                region, name = township, TOWNSHIP_SEATS[township][0]
            code = f"{region[:6]}-{row:02d}{column:02d}"
            ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
            features.append(
                {
                    "type": "Feature",
                    "properties": {
                        "code": code,
                        "name": f"{name}第{row:02d}{column:02d}网格",
                        "region": region,
                    },
                    "geometry": {
                        "type": "Polygon",
                        "coordinates": [[[round(x, 6), round(y, 6)] for x, y in ring]],
                    },
                }
            )
    return {"type": "FeatureCollection", "features": features}


def write_grid_file(path: Path = GRID_FILE) -> int:
    collection = generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(collection, ensure_ascii=False, separators=(",", ":")) + "\n")
    return len(collection["features"])


def read_grid_file(path: Path = GRID_FILE) -> dict:
    return json.loads(path.read_text())


def load_cells(collection: dict) -> int:
    """Create or update GridCell rows from a FeatureCollection of rectangles."""
    from tongban.workorders.models import GridCell

    existing = {cell.code: cell for cell in GridCell.objects.all()}
    new, changed = [], []
    for feature in collection["features"]:
        ring = feature["geometry"]["coordinates"][0]
        lngs, lats = [p[0] for p in ring], [p[1] for p in ring]
        props = feature["properties"]
        cell = existing.get(props["code"]) or GridCell(code=props["code"])
        cell.name, cell.region_id = props["name"], props["region"]
        cell.min_lng, cell.max_lng = Decimal(str(min(lngs))), Decimal(str(max(lngs)))
        cell.min_lat, cell.max_lat = Decimal(str(min(lats))), Decimal(str(max(lats)))
        (changed if cell.pk else new).append(cell)
    GridCell.objects.bulk_create(new)
    fields = ["name", "region", "min_lng", "max_lng", "min_lat", "max_lat"]
    GridCell.objects.bulk_update(changed, fields, batch_size=200)
    return len(collection["features"])


@dataclass(frozen=True)
class Place:
    grid_cell_id: int | None
    region_id: str | None


def locate(lng: Decimal, lat: Decimal) -> Place:
    """The grid cell and region of a point (the point is already known to be inside the city)."""
    from tongban.workorders.models import GridCell

    cell = (
        GridCell.objects.filter(
            min_lng__lte=lng, max_lng__gte=lng, min_lat__lte=lat, max_lat__gte=lat
        )
        .only("pk", "region_id")
        .first()
    )
    if cell is None:
        return Place(None, None)
    return Place(cell.pk, cell.region_id)


def distance_m(lng1, lat1, lng2, lat2) -> float:
    """Great-circle distance in metres (haversine), good enough for a few kilometres."""
    lng1, lat1, lng2, lat2 = map(math.radians, map(float, (lng1, lat1, lng2, lat2)))
    a = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    )
    return 6371000 * 2 * math.asin(math.sqrt(a))
