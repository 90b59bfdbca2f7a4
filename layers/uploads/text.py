"""Bytes to text for uploads: size cap, file-type sniffing and strict UTF-8 decoding.

Only UTF-8 (with or without a byte-order mark) is accepted. Anything else is refused
with a message that names the first offending byte, its position (a 0-based byte
offset, as a hex editor shows it) and its line, and says how to fix the file.
"""

from __future__ import annotations

from typing import Final

from layers.uploads.errors import UploadError

__all__ = ["MAX_UPLOAD_BYTES", "as_bytes", "check_size", "decode_text", "describe_size"]

#: Largest upload accepted: ``server.maxUploadSize = 50`` (MB) in streamlit_config.toml,
#: which Streamlit counts in MiB.
MAX_UPLOAD_BYTES: Final = 50 * 1024 * 1024

_BOM: Final = b"\xef\xbb\xbf"
_SIGNATURES: Final = (
    (b"PK\x03\x04", "a zip file or an Excel workbook (.xlsx)"),
    (b"PK\x05\x06", "an empty zip file"),
    (b"\xd0\xcf\x11\xe0", "an Excel 97-2003 workbook (.xls)"),
    (b"SQLite format 3\x00", "a database (SQLite or GeoPackage)"),
    (b"%PDF", "a PDF document"),
    (b"\x1f\x8b", "a gzip-compressed file"),
)


def as_bytes(raw: object, name: str = "raw_bytes") -> bytes:
    """Return ``raw`` as ``bytes``; a non-bytes argument is a programming error.

    Raises
    ------
    TypeError
        If ``raw`` is not bytes, bytearray or memoryview.

    Examples
    --------
    >>> as_bytes(bytearray(b"a,b"))
    b'a,b'
    """
    if isinstance(raw, bytes):
        return raw
    if isinstance(raw, (bytearray, memoryview)):
        return bytes(raw)
    raise TypeError(
        f"{name} must be bytes (e.g. UploadedFile.getvalue()), got {type(raw).__name__}"
    )


def describe_size(n_bytes: int) -> str:
    """Size for a message: bytes, KB or MB (1 MB = 1,048,576 bytes, as Streamlit counts).

    Examples
    --------
    >>> describe_size(512), describe_size(2048), describe_size(60 * 1024 * 1024)
    ('512 bytes', '2.0 KB', '60.0 MB')
    """
    if n_bytes < 1024:
        return f"{n_bytes:,} bytes"
    if n_bytes < 1024 * 1024:
        return f"{n_bytes / 1024:,.1f} KB"
    return f"{n_bytes / (1024 * 1024):,.1f} MB"


def check_size(raw: bytes, limit: int = MAX_UPLOAD_BYTES) -> None:
    """Refuse an empty file or one over the upload cap.

    Raises
    ------
    UploadError
        If ``raw`` is empty or longer than ``limit`` bytes.

    Examples
    --------
    >>> check_size(b"")
    Traceback (most recent call last):
    ...
    layers.uploads.errors.UploadError: The file is empty (0 bytes).
    """
    if len(raw) == 0:
        raise UploadError("The file is empty (0 bytes).")
    if len(raw) > limit:
        raise UploadError(
            f"The file is {describe_size(len(raw))} ({len(raw):,} bytes), more than the "
            f"{describe_size(limit)} ({limit:,} bytes) allowed. Upload a smaller file."
        )


def decode_text(raw: bytes, what: str = "CSV", advice: str = "Save it as CSV UTF-8") -> str:
    r"""Decode an upload as UTF-8 text, refusing anything else with a clear message.

    Parameters
    ----------
    raw : bytes
        The uploaded file.
    what : str, default "CSV"
        What the file should be, for messages ("CSV", "GeoJSON").
    advice : str, default "Save it as CSV UTF-8"
        How to fix an encoding problem, for messages.

    Returns
    -------
    str
        The text, without a UTF-8 byte-order mark.

    Raises
    ------
    UploadError
        If the file is empty, too large, another kind of file (zip/Excel, PDF...),
        UTF-16, not UTF-8, cut short inside a character, contains NUL bytes, or holds
        only blank lines.

    Examples
    --------
    >>> decode_text("\ufeffpractice_code\n".encode())
    'practice_code\n'
    >>> try:
    ...     decode_text(b"name\nSt Mary\xa3s\n")
    ... except UploadError as err:
    ...     print(err)  # doctest: +NORMALIZE_WHITESPACE
    The file is not UTF-8 text (byte 0xA3 at position 12, line 2). Save it as CSV UTF-8 and
    upload again.
    """
    raw = as_bytes(raw)
    check_size(raw)
    for signature, kind in _SIGNATURES:
        if raw.startswith(signature):
            hint = (
                " In Excel use File > Save As > CSV UTF-8 (Comma delimited) and upload the "
                ".csv file."
                if "Excel" in kind
                else ""
            )
            raise UploadError(f"This is {kind}, not {what} text.{hint}")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UploadError(
            f"The file is UTF-16 text, not UTF-8. {advice} and upload again "
            "(in Excel: CSV UTF-8 (Comma delimited), not Unicode Text)."
        )
    offset = len(_BOM) if raw.startswith(_BOM) else 0
    try:
        text = raw[offset:].decode("utf-8")
    except UnicodeDecodeError as exc:
        position = exc.start + offset
        line = raw[:position].count(b"\n") + 1
        if exc.reason == "unexpected end of data":
            raise UploadError(
                f"The file ends part-way through a character (position {position}, line "
                f"{line}); it may be cut short. Upload the complete file."
            ) from None
        raise UploadError(
            f"The file is not UTF-8 text (byte 0x{raw[position]:02X} at position {position}, "
            f"line {line}). {advice} and upload again."
        ) from None
    nul = text.find("\x00")
    if nul >= 0:
        position = len(text[:nul].encode("utf-8")) + offset
        raise UploadError(
            f"The file contains NUL bytes (the first at position {position}), so it is not "
            f"{what} text. {advice} and upload again."
        )
    if not text.strip():
        raise UploadError("The file is empty (it holds only blank lines or spaces).")
    return text
