"""The data vintages the product can show, in one registry.

A *vintage* is one coherent bundle of open data in ``geodata/<key>/``:

* ``"2022"``: the 42 ICBs of July 2022 (keyed by ODS code, e.g. ``QGH``), 2011 LSOAs,
  IMD 2019, ONS mid-2020 single-year ages, NHS England 2022/23 weighted populations and
  the real July 2022 GP registrations by practice × LSOA;
* ``"2026"``: the 36 ICBs of April 2026 (keyed by ONS code, e.g. ``E54000071``, with the
  NHS England allocation-file code such as ``T04`` beside it), 2021 LSOAs, IMD 2025,
  Census 2021 residents in 6 age bands, NHS England 2026/27–2028/29 weighted
  populations, and GP registrations *modelled from July 2022 patterns* (no open
  practice × LSOA 2021 file exists).

Every vintage-aware function takes ``vintage=`` explicitly, defaulting to
:data:`DEFAULT_VINTAGE`; every figure and export states :attr:`Vintage.data_line` and
:attr:`Vintage.sources`.

Examples
--------
>>> get_vintage("2026").n_lsoas, get_vintage("2022").imd_name
(33755, 'IMD 2019')
>>> get_vintage("2019")
Traceback (most recent call last):
...
layers.vintages.UnknownVintageError: Unknown data vintage '2019'; choose one of 2022, 2026.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

__all__ = [
    "CENSUS_AGE_BANDS",
    "DEFAULT_VINTAGE",
    "MODELLED_REGISTRATIONS",
    "VINTAGES",
    "UnknownVintageError",
    "Vintage",
    "check_vintage",
    "get_vintage",
]

#: The vintage used when a caller names none: today's NHS (the dashboard's default too).
DEFAULT_VINTAGE: Final = "2026"

#: Lower edges of the Census 2021 age bands of the 2026 vintage: 0–15, 16–24, 25–34,
#: 35–49, 50–64, 65+.
CENSUS_AGE_BANDS: Final = (0, 16, 25, 35, 50, 65)

#: The label every table and figure built on the 2026 registrations carries.
MODELLED_REGISTRATIONS: Final = "modelled from July 2022 patterns"


class UnknownVintageError(ValueError):
    """A vintage key that is not in :data:`VINTAGES`."""


@dataclass(frozen=True)
class Vintage:
    """One data vintage: what it holds and the words every figure uses for it.

    Attributes
    ----------
    key : str
        ``"2022"`` or ``"2026"``; also the folder under ``geodata/``.
    label : str
        Short label for a selector, e.g. ``"April 2026 (36 ICBs)"``.
    data_line : str
        The one line of data vintage every figure, page and export shows.
    sources : str
        Licences and attribution every view and export must carry.
    icb_date : str
        When the ICBs of this vintage were in force.
    n_icbs, n_lsoas : int
        ICBs and English LSOAs.
    lsoa_year : int
        2011 or 2021 LSOAs.
    icb_key : str
        What ``icb_code`` holds: an ODS code (2022) or an ONS code (2026).
    imd_name : str
        The deprivation index, e.g. ``"IMD 2025"``.
    imd_has_scores : bool
        Whether the ``lsoas`` table has ``imd_score``.
    population_source : str
        Residents' source, e.g. ``"ONS mid-2020"`` or ``"Census 2021"``.
    population_short : str
        The same in a hover: ``"mid-2020"`` or ``"Census 2021"``.
    age_bands : tuple of int
        Lower edges of the ages the data really has: every year 0–90 (90 = 90+) for
        2022, :data:`CENSUS_AGE_BANDS` for 2026.
    allocation_years : tuple of str
        NHS England allocation years with weighted populations; the first is the default.
    registrations : str
        What the ``registrations`` table is.
    registrations_modelled : bool
        True when registrations are modelled rather than published counts.
    registered_label : str
        What a registered-patient count is, for axis and legend labels (``"Jul 2022"``).
    registrations_source : str
        Source line for figures built on registrations.
    imd_source : str
        Source line for the deprivation index.
    epcn_date : str
        Date of the practice → PCN extract.
    la_year : int
        Year of the local authority boundaries (LAD and upper tier).
    lineage : mapping
        Predecessor levels for boundary alignment: level → (code column, name column,
        plain plural label). 2022: former CCGs and STPs (April 2021); 2026: the sub-ICB
        locations and ICBs of April 2024 that the LSOAs came from.
    example_icb : str
        A code of this vintage for examples (Herefordshire and Worcestershire).
    """

    key: str
    label: str
    data_line: str
    sources: str
    icb_date: str
    n_icbs: int
    n_lsoas: int
    lsoa_year: int
    icb_key: str
    imd_name: str
    imd_has_scores: bool
    population_source: str
    population_short: str
    age_bands: tuple[int, ...]
    allocation_years: tuple[str, ...]
    registrations: str
    registrations_modelled: bool
    registered_label: str
    registrations_source: str
    imd_source: str
    epcn_date: str
    la_year: int
    lineage: MappingProxyType
    example_icb: str

    @property
    def single_year_ages(self) -> bool:
        """Whether the residents come by single year of age."""
        return len(self.age_bands) > len(CENSUS_AGE_BANDS)

    @property
    def no_pcn_label(self) -> str:
        """Label for practices the vintage's ePCN extract puts in no PCN."""
        return f"No PCN in ePCN ({self.epcn_date})"

    @property
    def imd_decile_title(self) -> str:
        """Legend title for an IMD decile choropleth."""
        return f"{self.imd_name} decile<br>(1 = most deprived)"

    @property
    def residents_title(self) -> str:
        """Legend title for a residents choropleth."""
        return f"Residents<br>({self.population_source})"

    @property
    def default_allocation_year(self) -> str:
        """The allocation year used when none is chosen."""
        return self.allocation_years[0]


_OGL = (
    "Contains public sector information licensed under the Open Government Licence v3.0. "
    "Contains OS data © Crown copyright and database right."
)

VINTAGES: Final[MappingProxyType[str, Vintage]] = MappingProxyType(
    {
        "2022": Vintage(
            key="2022",
            label="July 2022 (42 ICBs)",
            data_line=(
                "ICBs and GP registrations July 2022; LSOA 2011 boundaries; IMD 2019; "
                "ONS mid-2020 population; NHS England 2022/23 weighted populations"
            ),
            sources=(
                f"{_OGL} "
                "LSOA boundaries via Martin Chorley, UK-GeoJSON (CC-BY-4.0). "
                "Sources: ONS, NHS Digital, NHS England, MHCLG (IoD2019)."
            ),
            icb_date="1 July 2022",
            n_icbs=42,
            n_lsoas=32_844,
            lsoa_year=2011,
            icb_key="ODS code (e.g. QGH)",
            imd_name="IMD 2019",
            imd_has_scores=False,
            population_source="ONS mid-2020",
            population_short="mid-2020",
            age_bands=tuple(range(91)),
            allocation_years=("2022/23",),
            registrations="GP registrations by practice × LSOA, July 2022 (NHS Digital)",
            registrations_modelled=False,
            registered_label="Jul 2022",
            registrations_source="NHS Digital GP registrations, July 2022",
            imd_source="MHCLG English Indices of Deprivation 2019",
            epcn_date="May 2022",
            la_year=2022,
            lineage=MappingProxyType(
                {
                    "ccg": ("ccg21_code", "ccg21_name", "Former CCGs (April 2021)"),
                    "stp": ("stp21_code", "stp21_name", "STPs (April 2021)"),
                }
            ),
            example_icb="QGH",
        ),
        "2026": Vintage(
            key="2026",
            label="April 2026 (36 ICBs)",
            data_line=(
                "ICBs April 2026; GP registrations modelled from July 2022 patterns on "
                "2026/27 list sizes; LSOA 2021 boundaries; IMD 2025; Census 2021 population "
                "(6 age bands); NHS England 2026/27–2028/29 weighted populations"
            ),
            sources=(
                f"{_OGL} "
                "Source: Office for National Statistics licensed under the Open Government "
                "Licence v.3.0. Contains information from NHS England, licensed under the "
                "current version of the Open Government Licence. "
                "Sources: ONS (Census 2021, LSOA 2021 boundaries, ICB April 2026), NHS England "
                "(2026/27–2028/29 weighted populations), NHS Digital (July 2022 registrations, "
                "ePCN), MHCLG (IoD2025)."
            ),
            icb_date="1 April 2026",
            n_icbs=36,
            n_lsoas=33_755,
            lsoa_year=2021,
            icb_key="ONS code (e.g. E54000071), NHS England code beside it",
            imd_name="IMD 2025",
            imd_has_scores=True,
            population_source="Census 2021",
            population_short="Census 2021",
            age_bands=CENSUS_AGE_BANDS,
            allocation_years=("2026/27", "2027/28", "2028/29"),
            registrations=(
                f"GP registrations by practice × LSOA 2021, {MODELLED_REGISTRATIONS}: each "
                "practice's 2026/27 list spread over where its patients lived in July 2022"
            ),
            registrations_modelled=True,
            registered_label="2026/27, modelled",
            registrations_source=(
                f"NHS England 2026/27 list sizes by practice × LSOA, {MODELLED_REGISTRATIONS}"
            ),
            imd_source="MHCLG English Indices of Deprivation 2025",
            epcn_date="Oct 2024",
            la_year=2024,
            lineage=MappingProxyType(
                {
                    "sicbl": ("sicbl_code", "sicbl_name", "Sub-ICB locations (April 2024)"),
                    "icb24": ("icb24_code", "icb24_name", "ICBs (April 2024)"),
                }
            ),
            example_icb="E54000019",
        ),
    }
)


def check_vintage(vintage: object) -> str:
    """Return ``vintage`` as a known key, or raise :class:`UnknownVintageError`.

    Examples
    --------
    >>> check_vintage("2026")
    '2026'
    >>> check_vintage(2026)
    '2026'
    """
    key = str(vintage).strip() if isinstance(vintage, str | int) else None
    if isinstance(vintage, bool) or key not in VINTAGES:
        raise UnknownVintageError(
            f"Unknown data vintage {vintage!r}; choose one of {', '.join(VINTAGES)}."
        )
    return key


def get_vintage(vintage: object = DEFAULT_VINTAGE) -> Vintage:
    """The :class:`Vintage` for a key (``"2022"`` or ``"2026"``).

    Raises
    ------
    UnknownVintageError
        For any other key (a ``ValueError``).
    """
    return VINTAGES[check_vintage(vintage)]
