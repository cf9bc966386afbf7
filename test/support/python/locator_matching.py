"""Answers the TypeScript parity test of the Python reference server's matching
(test/integration/python-locator-matching.test.ts): reads {"queries", "numbers", "names", "pairs"} as JSON
on stdin and writes what examples/detainee-locator-py/matching.py makes of each, as JSON on stdout."""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "examples" / "detainee-locator-py"))

from matching import match_name, normalise_name, parse_alien_number, parse_natural_query  # noqa: E402

inputs = json.load(sys.stdin)
json.dump(
    {
        "queries": [
            {key: value for key, value in vars(parse_natural_query(query)).items() if value is not None}
            for query in inputs["queries"]
        ],
        "numbers": [parse_alien_number(number) for number in inputs["numbers"]],
        "names": [normalise_name(name) for name in inputs["names"]],
        "pairs": [match_name(query, candidate, fuzzy) for query, candidate, fuzzy in inputs["pairs"]],
    },
    sys.stdout,
    ensure_ascii=False,
)
