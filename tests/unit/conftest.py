"""The unit tier: the ``layers`` library on hand-made data with known answers, real-data
facts and the reference suites. Nothing here starts a web server or a browser (the
layers.people tests run embedded DuckDB and a local Dask cluster: the engines they test)."""

import pytest


@pytest.fixture(scope="session")
def qgh_lookups():
    """Lookups (2022 vintage) of Herefordshire and Worcestershire, for layers.people tests."""
    from layers.people.lookups import load_lookups
    from layers.system import load_system

    return load_lookups(
        "2022", load_system("QGH", detail="light", vintage="2022").practices["practice_code"]
    )


@pytest.fixture(scope="session")
def qgh_extract(tmp_path_factory):
    """The synthetic population of QGH written as a person-level extract (817,738 rows)."""
    from layers.people.synthetic import write_synthetic_extract

    return write_synthetic_extract(
        tmp_path_factory.mktemp("people") / "extract", ["QGH"], vintage="2022"
    )
