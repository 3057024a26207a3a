"""The panel's bundle as Home Assistant serves it: raw and gzipped sizes of its files."""

import gzip
from pathlib import Path
from typing import Any

from ...const import PKG_DIR

BUNDLE_DIR = Path(PKG_DIR) / "frontend"


def bundle_sizes() -> dict[str, Any]:
    """Each ``frontend/*.js`` of the integration (as the run imported it), and the total."""
    files = {}
    for path in sorted(BUNDLE_DIR.glob("*.js")):
        data = path.read_bytes()
        files[path.name] = {
            "raw_bytes": len(data),
            "gzip_bytes": len(gzip.compress(data, compresslevel=9, mtime=0)),
        }
    return {
        "files": files,
        "raw_bytes": sum(f["raw_bytes"] for f in files.values()),
        "gzip_bytes": sum(f["gzip_bytes"] for f in files.values()),
    }
