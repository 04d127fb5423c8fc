"""The errors of reading roast files: one per kind of file, all :class:`RoastFileError`.

Each is a :class:`~roastctl.errors.RoasterError` and a :class:`ValueError` (through
:class:`~roastctl.errors.RoastFileError`), so a caller may catch the family or one member. The
other members live where they are raised: :class:`~roastctl.files.limits.FileLimitError` (too
large, not a file), :class:`~roastctl.logs.literal.LiteralError` (not a literal, beyond a parse
limit) and :class:`~roastctl.roast.analysis.AnalyzeError` (a file ``analyze`` cannot read).
Every message names the file, the problem and what to do next.
"""

from __future__ import annotations

from roastctl.errors import RoastFileError


class AlogError(RoastFileError):
    """The file is not a readable Artisan roast profile (``.alog`` or Artisan JSON)."""

    code = "alog_error"


class ArtisanCsvError(RoastFileError):
    """The file is not a readable Artisan CSV export."""

    code = "artisan_csv_error"


class RoastLogError(RoastFileError):
    """The file is not a readable roast log of any supported format, or cannot be read at all."""

    code = "roast_log_error"


class ImportLimitError(RoastFileError):
    """A roast file holds what the live path would refuse; nothing of it is imported."""

    code = "import_limit"


__all__ = ["AlogError", "ArtisanCsvError", "ImportLimitError", "RoastFileError", "RoastLogError"]
