"""Hand-made inputs shared by the upload tests (test_uploads, test_upload_properties)."""

from layers.uploads import SCHEMAS

#: The practices a place grouping may name.
KNOWN = ["A81001", "A81002", "A81003"]
#: The PCNs a practice list may name.
PCNS = ["U00001", "U00002"]
#: A full header of each CSV kind: every column of its schema, in order; budgets by
#: place (a budgets file has one level of code).
FULL_HEADERS = {
    "place_groupings": [column.name for column in SCHEMAS["place_groupings"].columns],
    "practice_list": [column.name for column in SCHEMAS["practice_list"].columns],
    "budgets": ["place_code", "pounds"],
}
