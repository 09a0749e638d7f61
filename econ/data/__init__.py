"""The datasets in data/: loaded through schemas, with provenance checked.

Every CSV in data/ is tidy, ends with the columns ``source_id, quality, note``, and is listed in
data/manifest.yaml with its title, units and SHA-256. :func:`load` validates a file against its
schema before returning it; a malformed file fails with one message per problem naming the
file, the column and the line. Conflicting estimates are kept as separate rows and exactly one
row per key carries ``is_default``; :func:`load` returns all rows, :func:`defaults` the chosen ones.
"""

from econ.data.loading import cite, defaults, load, sources, validate_file, validate_frame
from econ.data.manifest import check_manifest, manifest, rehash, sha256
from econ.data.schemas import (
    CATEGORIES,
    DATASETS,
    DEADLINE_LAST_YEAR,
    ECONOMIES,
    EVENT_TYPES,
    JURISDICTIONS,
    QUALITY,
    TIERS,
    TIMELINE_YEARS,
    Dataset,
    names,
    period,
)

__all__ = ["CATEGORIES", "DATASETS", "DEADLINE_LAST_YEAR", "ECONOMIES", "EVENT_TYPES", "JURISDICTIONS", "QUALITY",
           "TIERS", "TIMELINE_YEARS", "Dataset", "check_manifest", "cite", "defaults", "load", "manifest", "names",
           "period", "rehash", "sha256", "sources", "validate_file", "validate_frame"]
