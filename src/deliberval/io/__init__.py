"""Reading and writing the canonical tables, and mapping files."""

from deliberval.io._common import canonicalise
from deliberval.io.mapping import Mapping, apply_mapping, load_mapping, suggest_mapping
from deliberval.io.readers import (
    FORMATS,
    decode_text,
    detect_format,
    read_csv,
    read_excel,
    read_kobo,
    read_limesurvey,
    read_qualtrics,
    read_responses,
    read_spss,
    read_stata,
    read_table,
)
from deliberval.io.writers import (
    WRITE_FORMATS,
    write_csv,
    write_excel,
    write_kobo,
    write_limesurvey,
    write_qualtrics,
    write_responses,
    write_spss,
    write_stata,
)

__all__ = [
    "FORMATS",
    "WRITE_FORMATS",
    "Mapping",
    "apply_mapping",
    "canonicalise",
    "decode_text",
    "detect_format",
    "load_mapping",
    "read_csv",
    "read_excel",
    "read_kobo",
    "read_limesurvey",
    "read_qualtrics",
    "read_responses",
    "read_spss",
    "read_stata",
    "read_table",
    "suggest_mapping",
    "write_csv",
    "write_excel",
    "write_kobo",
    "write_limesurvey",
    "write_qualtrics",
    "write_responses",
    "write_spss",
    "write_stata",
]
