"""Read survey, outcome and unit files into pandas, and validate them against the data model.

Three loaders, one per table of the data model (DESIGN.md, "The data model"):

* :func:`read_survey`: respondents, one row per survey response, item columns on a
  Likert scale (default ``Q01``...``Q12`` on 1-5);
* :func:`read_outcomes`: business outcomes, one row per unit x period, with their
  exposure columns (scheduled days, headcount, hours worked...);
* :func:`read_units`: unit-level engagement already aggregated per unit (a survey
  vendor's export, a published index), optionally with outcomes in the same table.

``source`` is a path (``.csv``, ``.tsv``/``.tab``, ``.txt``, ``.xlsx``/``.xlsm``,
``.xls``, ``.parquet``, ``.sav``; csv/tsv/txt may be compressed ``.gz``/``.zip``/
``.bz2``/``.xz``) or a pandas DataFrame. ``columns`` maps the file's column names to
the data model's (``{"Store": "unit_id", "Q1": "Q01"}``).

Every problem raises :class:`~empathystats.errors.DataError` whose message names the
file, the column, up to five offending rows and the fix. Row numbers are those a
spreadsheet shows: the header is row 1, the first data row is row 2 (for a DataFrame
source, the index labels are shown instead). Blank answers ("", " ", "NA", "N/A",
"NaN", "null", "." and pandas' other default codes, plus any ``na_values`` you pass)
are kept as missing values (NaN); rows that are blank in every column (trailing
spreadsheet lines) are skipped and counted in ``frame.attrs["blank_rows"]``. Nothing
else is dropped: a bad value is an error, never a silent NaN.

The caller's DataFrame is never modified. Each loader returns a plain DataFrame whose
``attrs`` record where it came from (``attrs["source"]``) and what was recognised.
"""

from __future__ import annotations

import os
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._checks import check_choice
from ._optional import require
from .errors import DataError, MissingDependencyError, ParameterError, data_error
from .outcomes import OutcomeSpec, resolve_specs

__all__ = ["read_survey", "read_outcomes", "read_units", "DEFAULT_ITEMS", "SUPPORTED_EXTENSIONS"]

#: Default item columns: twelve Q12-style items.
DEFAULT_ITEMS: tuple[str, ...] = tuple(f"Q{i:02d}" for i in range(1, 13))

#: File extension -> reader.
SUPPORTED_EXTENSIONS: dict[str, str] = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".txt": "txt",
    ".xlsx": "excel",
    ".xlsm": "excel",
    ".xls": "xls",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".sav": "spss",
    ".zsav": "spss",
}
_COMPRESSION = (".gz", ".bz2", ".zip", ".xz", ".zst")
# Blank codes on top of pandas' defaults ("", "NA", "N/A", "NaN", "null", "None", "#N/A"...).
_EXTRA_NA = [" ", "  ", "   ", "\t", "."]
_PERCENT = re.compile(r"^[-+]?(\d+(\.\d*)?|\.\d+)\s*%$")


# ---------------------------------------------------------------------------
# reading
# ---------------------------------------------------------------------------
@dataclass
class _Loaded:
    """A freshly read table plus what is needed to word error messages."""

    frame: pd.DataFrame
    source: str
    from_file: bool
    renamed: dict[str, str] = field(default_factory=dict)  # model name -> file's name
    file_rows: np.ndarray | None = None  # file row number per position (None: position + 2)
    blank_rows: int = 0

    def col(self, name: str) -> str:
        """The column's name as the user sees it in the file."""
        orig = self.renamed.get(name)
        return f"{orig} (read as {name})" if orig is not None and orig != name else name

    def rows(self, mask: np.ndarray | pd.Series, values: Any = None) -> list[tuple[Any, Any]]:
        """``(row label, value)`` for the first five offending rows (spreadsheet row numbers for files).

        ``values`` is a Series aligned with the frame, or a callable taking the positions
        and returning the values to show.
        """
        pos = np.flatnonzero(np.asarray(mask, dtype=bool))[:5]
        if self.from_file:
            labels = (self.file_rows[pos] if self.file_rows is not None else pos + 2).tolist()
        else:
            labels = self.frame.index[pos].tolist()
        if values is None:
            vals: list[Any] = [None] * len(pos)
        elif callable(values):
            vals = list(values(pos))
        else:
            vals = values.iloc[pos].tolist()
        return [(r, _plain(v)) for r, v in zip(labels, vals, strict=True)]


def _plain(v: Any) -> Any:
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def _extension(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] in _COMPRESSION and len(suffixes) > 1:
        return suffixes[-2]
    return suffixes[-1] if suffixes else ""


def _sniff_sep(path: Path, encoding: str) -> str:
    """Comma unless the header line clearly uses tabs or semicolons (Excel in many European locales)."""
    try:
        with pd.io.common.get_handle(str(path), "r", encoding=encoding, compression="infer", errors="strict") as h:
            first = h.handle.readline()
    except (UnicodeDecodeError, OSError):
        return ","  # the real read reports the problem
    counts = {sep: first.count(sep) for sep in (",", "\t", ";", "|")}
    best = max(counts, key=lambda s: counts[s])
    return best if counts[best] > counts[","] else ","


def _load(
    source: Any,
    *,
    func: str,
    columns: Mapping[str, str] | None,
    required: Sequence[str],
    wanted: Collection[str] | None,
    id_columns: Collection[str],
    items: Collection[str] = (),
    encoding: str | None,
    sep: str | None,
    sheet: str | int,
    na_values: Sequence[Any] | None,
) -> _Loaded:
    """Read ``source`` (path or DataFrame), rename columns, check the required ones exist.

    ``wanted`` (data-model names): when given, only these columns are kept (and, for csv
    and parquet, only these are read). ``id_columns`` are read as text from delimited
    files so that identifiers such as ``007`` keep their leading zeros.
    """
    if columns is not None and (
        not isinstance(columns, Mapping) or not all(isinstance(k, str) and isinstance(v, str) for k, v in columns.items())
    ):
        raise ParameterError(
            f"The 'columns' parameter of {func} must be a dict mapping the file's column names to the data "
            f"model's (e.g. {{'Store': 'unit_id'}}); got {columns!r} instead."
        )
    mapping = dict(columns or {})
    inverse = {v: k for k, v in mapping.items()}
    extra_na = list(na_values or [])

    if isinstance(source, pd.DataFrame):
        label = "DataFrame"
        frame = source.rename(columns=mapping)  # a new object: the caller's frame is never touched
        frame = _apply_na(frame, extra_na, id_columns)
        _check_present(list(frame.columns), required, label=label, inverse=inverse, items=items)
        if wanted is not None:
            frame = frame[[c for c in frame.columns if c in set(wanted)]]
        if len(frame) == 0:
            raise data_error("the DataFrame has no rows", source=label, fix="pass a table with data.")
        return _Loaded(frame, label, False, renamed=inverse)

    if not isinstance(source, (str, os.PathLike)):
        raise ParameterError(
            f"The 'source' parameter of {func} must be a file path or a pandas DataFrame; "
            f"got {type(source).__name__} instead."
        )
    path = Path(source).expanduser()
    label = str(source)
    if not path.exists():
        raise data_error(
            "file not found",
            source=label,
            fix=f"check the path and its spelling (the current directory is {Path.cwd()}).",
        )
    if path.is_dir():
        raise data_error("this is a folder, not a file", source=label, fix="pass the path of the data file itself.")
    ext = _extension(path)
    kind = SUPPORTED_EXTENSIONS.get(ext)
    if kind is None:
        raise data_error(
            f"unknown file type {ext or '(no extension)'!r}",
            source=label,
            fix=f"save the data as one of {', '.join(SUPPORTED_EXTENSIONS)} (csv is simplest), or read it "
            f"with pandas yourself and pass the DataFrame.",
        )
    if path.stat().st_size == 0:
        raise data_error("the file is empty (0 bytes)", source=label, fix="check that the export finished and wrote data.")

    na = _EXTRA_NA
    file_wanted = None if wanted is None else {inverse.get(c, c) for c in wanted}
    file_ids = {inverse.get(c, c) for c in id_columns}

    try:
        if kind in ("csv", "tsv", "txt"):
            enc = encoding or "utf-8-sig"
            delim = sep or ("\t" if kind == "tsv" else _sniff_sep(path, enc))
            opts: dict[str, Any] = dict(
                sep=delim, encoding=enc, na_values=na, keep_default_na=True, skip_blank_lines=False,
                encoding_errors="strict",
            )
            header = pd.read_csv(path, nrows=0, **opts).columns
            names = [_clean_name(c) for c in header]
            _check_present([mapping.get(c, c) for c in names], required, label=label, inverse=inverse, items=items)
            # every column is parsed (usecols would silently accept rows with extra fields, the sign of an
            # unquoted delimiter shifting values); unwanted ones are dropped just after
            dtypes = {h: "str" for h, c in zip(header, names, strict=True) if c in file_ids}
            frame = pd.read_csv(path, dtype=dtypes, low_memory=False, **opts)
        elif kind == "parquet":
            import pyarrow.parquet as pq

            names = list(pq.read_schema(path).names)
            _check_present([mapping.get(c, c) for c in names], required, label=label, inverse=inverse, items=items)
            cols = None if file_wanted is None else [c for c in names if c in file_wanted]
            frame = pd.read_parquet(path, columns=cols)
        elif kind == "excel":
            require("openpyxl", extra="excel", purpose="read Excel (.xlsx) files")
            frame = pd.read_excel(path, sheet_name=sheet, engine="openpyxl", na_values=na, keep_default_na=True,
                                  dtype={c: "str" for c in file_ids})
        elif kind == "xls":
            try:
                import xlrd  # noqa: F401
            except ImportError:
                raise MissingDependencyError(
                    f"{label}: reading old Excel (.xls) files needs the optional package 'xlrd'. "
                    "Fix: pip install xlrd, or save the sheet as .xlsx or .csv."
                ) from None
            frame = pd.read_excel(path, sheet_name=sheet, na_values=na, keep_default_na=True,
                                  dtype={c: "str" for c in file_ids})
        else:  # spss
            require("pyreadstat", extra="spss", purpose="read SPSS (.sav) files")
            frame = pd.read_spss(path, convert_categoricals=False)
    except (MissingDependencyError, DataError):
        raise
    except UnicodeDecodeError as exc:
        raise data_error(
            f"cannot decode the file as {encoding or 'utf-8'} ({_decode_problem(path, encoding or 'utf-8-sig', exc)})",
            source=label,
            fix="pass the file's encoding, e.g. encoding='cp1252' for Windows/Excel 'ANSI' exports or "
            "encoding='latin-1', or re-save it from Excel as 'CSV UTF-8'.",
        ) from None
    except LookupError as exc:
        raise ParameterError(
            f"The 'encoding' parameter of {func} must be an encoding Python knows (e.g. 'utf-8', 'cp1252'); "
            f"got {encoding!r} instead ({exc})."
        ) from None
    except pd.errors.EmptyDataError:
        raise data_error("the file has no header and no data", source=label,
                         fix="check that the export finished and wrote data.") from None
    except pd.errors.ParserError as exc:
        raise data_error(
            f"cannot parse the file as a table ({str(exc).strip()})",
            source=label,
            fix="check the delimiter (pass sep=';' or sep='\\t' if needed) and that text containing the "
            "delimiter is quoted.",
        ) from None
    except ValueError as exc:
        if kind in ("excel", "xls") and "Worksheet" in str(exc):
            raise data_error(f"no sheet {sheet!r} ({exc})", source=label, fix="pass sheet= with an existing sheet name or number.") from None
        raise data_error(f"cannot read the file ({exc})", source=label,
                         fix="check that the file is a valid, complete export of the stated type.") from None
    except (OSError, ImportError, TypeError, KeyError) as exc:
        raise data_error(f"cannot read the file ({type(exc).__name__}: {exc})", source=label,
                         fix="check that the file is a valid, complete export of the stated type (open it in a "
                         "spreadsheet to see).") from None

    frame.columns = [_clean_name(c) for c in frame.columns]
    if kind not in ("csv", "tsv", "txt", "parquet"):
        _check_present([mapping.get(c, c) for c in frame.columns], required, label=label, inverse=inverse, items=items)
    frame = frame.rename(columns=mapping)
    frame = _apply_na(frame, extra_na, id_columns)
    if wanted is not None:
        frame = frame[[c for c in frame.columns if c in set(wanted)]]
    if len(frame) == 0:
        raise data_error("the file has a header but no data rows", source=label,
                         fix="check that the export finished and wrote data.")
    loaded = _Loaded(frame, label, True, renamed=inverse)
    blank = frame.isna().all(axis=1).to_numpy()
    if blank.any():
        loaded.file_rows = np.flatnonzero(~blank) + 2
        loaded.blank_rows = int(blank.sum())
        loaded.frame = frame.loc[~blank].reset_index(drop=True)
        if len(loaded.frame) == 0:
            raise data_error("every data row is blank", source=label, fix="check that the export wrote data.")
    return loaded


def _decode_problem(path: Path, encoding: str, exc: UnicodeDecodeError) -> str:
    """Say which line holds the first byte that does not decode (reads at most the first 64 MB)."""
    bad = exc.object[exc.start:exc.start + 1]
    if path.suffix.lower() in _COMPRESSION:
        return f"byte {bad!r}"
    try:
        with open(path, "rb") as fh:
            data = fh.read(64 * 2**20)
        data.decode(encoding)
    except UnicodeDecodeError as inner:
        line = data.count(b"\n", 0, inner.start) + 1
        return f"byte {inner.object[inner.start:inner.start + 1]!r} on line {line}"
    except (OSError, LookupError):
        pass
    return f"byte {bad!r}"


def _apply_na(frame: pd.DataFrame, extra: list[Any], ids: Collection[str]) -> pd.DataFrame:
    """Codes the user says mean "no answer" become NaN, in every column except identifiers."""
    if not extra:
        return frame
    codes = list(dict.fromkeys([*extra, *(str(v) for v in extra)]))
    for col in [c for c in frame.columns if c not in set(ids)]:
        frame[col] = frame[col].replace(codes, np.nan)  # frame is the loader's own object (copy-on-write)
    return frame


def _clean_name(c: Any) -> Any:
    return c.replace("\ufeff", "").strip() if isinstance(c, str) else c


def _check_present(
    present: Sequence[Any], required: Sequence[str], *, label: str, inverse: Mapping[str, str],
    items: Collection[str] = (),
) -> None:
    missing = [c for c in required if c not in set(present)]
    if not missing:
        return
    shown = ", ".join(repr(inverse.get(c, c)) + (f" (read as {c!r})" if c in inverse else "") for c in missing)
    have = ", ".join(map(repr, list(present)[:25])) + (" ..." if len(present) > 25 else "")
    raise data_error(
        f"missing required column(s) {shown}; the columns present are: {have}",
        source=label,
        column=str(inverse.get(missing[0], missing[0])),
        fix="rename the column in the file, or tell the loader its name with the matching keyword "
        "(e.g. unit='Store') or with columns={'Store': 'unit_id'}."
        + (" For items named differently, pass items=[...] (e.g. items=['q1', 'q2', ...]) or map them with "
           "columns={'q1': 'Q01', ...}." if any(c in set(items) for c in missing) else ""),
    )


# ---------------------------------------------------------------------------
# value checks
# ---------------------------------------------------------------------------
def _is_text(s: pd.Series) -> bool:
    return s.dtype == object or pd.api.types.is_string_dtype(s)


def _numeric(
    ld: _Loaded, name: str, *, percent: bool = False, what: str = "numbers", fix: str | None = None
) -> pd.Series:
    """Column ``name`` as float64; text that is not a number raises a DataError naming the rows."""
    s = ld.frame[name]
    if pd.api.types.is_bool_dtype(s):
        return s.astype("float64")
    if pd.api.types.is_numeric_dtype(s):
        return s.astype("float64") if s.dtype != np.float64 else s
    txt = s.astype("string").str.strip()
    is_pct = txt.str.endswith("%").fillna(False)
    body = txt.str.rstrip("%").str.strip() if percent else txt
    num = pd.to_numeric(body.replace("", pd.NA), errors="coerce").astype("Float64")
    if percent:
        num = num.where(~is_pct, num / 100)
    bad = (num.isna() & txt.notna() & (txt != "")).fillna(False).to_numpy(dtype=bool)
    if bad.any():
        pct_bad = bool((is_pct.to_numpy(dtype=bool) & bad).any())
        if pct_bad and not percent:
            hint = ("the values are percent strings such as '63%': pass percent=True to read them as proportions "
                    "(63% -> 0.63).")
        else:
            hint = fix or ("remove or recode the text (e.g. 'n/a', 'n<10'); list codes that mean 'missing' in "
                           "na_values=[...] to read them as blank.")
        raise data_error(
            f"{int(bad.sum())} value(s) are not {what}",
            source=ld.source,
            column=ld.col(name),
            rows=ld.rows(bad, s),
            fix=hint,
        )
    return num.astype("float64")


def _percent_columns(frame: pd.DataFrame, *, skip: Collection[str]) -> list[str]:
    """Convert, in place, every text column whose non-blank values are all percent strings ("63%" -> 0.63).

    All candidate columns are tested in one vectorised pass (published tables have ~100 of them).
    """
    cands = [c for c in frame.columns if c not in set(skip) and _is_text(frame[c])]
    if not cands:
        return []
    n = len(frame)
    flat = pd.Series(frame[cands].to_numpy(dtype=object).ravel(order="F"), dtype="string").str.strip()
    flat = flat.mask(flat == "")
    pct = flat.str.fullmatch(_PERCENT.pattern).fillna(False).to_numpy(dtype=bool).reshape(len(cands), n)
    blank = flat.isna().to_numpy(dtype=bool).reshape(len(cands), n)
    ok = (pct | blank).all(axis=1) & pct.any(axis=1)
    if not ok.any():
        return []
    nums = pd.to_numeric(flat.str.rstrip("%").str.strip(), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    values = nums.reshape(len(cands), n)[ok] / 100
    chosen = [c for c, k in zip(cands, ok, strict=True) if k]
    frame[chosen] = values.T
    return chosen


def _require_values(ld: _Loaded, name: str, what: str) -> None:
    miss = ld.frame[name].isna().to_numpy()
    if miss.any():
        raise data_error(
            f"{int(miss.sum())} row(s) have no {what}",
            source=ld.source,
            column=ld.col(name),
            rows=ld.rows(miss, ld.frame[name]),
            fix=f"fill in the {what} on every row, or delete rows that are not data.",
        )


def _require_keys(ld: _Loaded, **keys: str | None) -> None:
    """The unit id on every row; company and period on every row when their column exists."""
    for what, col in keys.items():
        if col is not None and (what == "unit" or col in ld.frame.columns):
            _require_values(ld, col, "unit id" if what == "unit" else what)


def _check_duplicates(ld: _Loaded, keys: list[str], what: str, fix: str) -> None:
    dup = ld.frame.duplicated(keys, keep=False).to_numpy()
    if not dup.any():
        return
    sub = ld.frame[keys]

    def shown(pos: np.ndarray) -> list[Any]:
        return [tuple(_plain(x) for x in sub.iloc[p]) if len(keys) > 1 else sub.iloc[p, 0] for p in pos]

    raise data_error(
        f"{int(dup.sum())} rows share a {' x '.join(keys)} with another row; each {what} must appear once",
        source=ld.source,
        column=ld.col(keys[-1] if what == "respondent" else keys[0]),
        rows=ld.rows(dup, shown),
        fix=fix,
    )


def _check_scale(scale: Any, func: str) -> tuple[float, float]:
    ok = (
        isinstance(scale, (tuple, list))
        and len(scale) == 2
        and all(isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) for v in scale)
        and np.isfinite(scale).all()
        and scale[0] < scale[1]
    )
    if not ok:
        raise ParameterError(
            f"The 'scale' parameter of {func} must be a pair (low, high) of numbers with low < high, "
            f"e.g. (1, 5); got {scale!r} instead."
        )
    return float(scale[0]), float(scale[1])


def _check_items(items: Any, func: str) -> list[str]:
    if items is None:
        return list(DEFAULT_ITEMS)
    if isinstance(items, str) or not isinstance(items, Sequence) or not items or not all(
        isinstance(i, str) for i in items
    ):
        raise ParameterError(
            f"The 'items' parameter of {func} must be a non-empty list of column names (e.g. ['Q01', 'Q02']); "
            f"got {items!r} instead."
        )
    if len(set(items)) != len(items):
        raise ParameterError(f"The 'items' parameter of {func} must not repeat a column; got {items!r} instead.")
    return list(items)


def _check_key_names(func: str, **names: Any) -> None:
    for key, value in names.items():
        if value is not None and not isinstance(value, str):
            raise ParameterError(f"The {key!r} parameter of {func} must be a column name (str); got {value!r} instead.")


def _explicit_keys(company: str | None = "company", period: str | None = "period") -> list[str]:
    """Optional key columns named explicitly (not their defaults): they must exist in the file."""
    return [c for c, default in ((company, "company"), (period, "period")) if c is not None and c != default]


def _finish(ld: _Loaded, kind: str, **attrs: Any) -> pd.DataFrame:
    frame = ld.frame
    frame.attrs = {"source": ld.source, "kind": kind, "blank_rows": ld.blank_rows, **attrs}
    return frame


# ---------------------------------------------------------------------------
# public loaders
# ---------------------------------------------------------------------------
def read_survey(
    source: str | os.PathLike[str] | pd.DataFrame,
    *,
    items: Sequence[str] | None = None,
    unit: str = "unit_id",
    company: str = "company",
    period: str = "period",
    respondent: str | None = "respondent_id",
    scale: tuple[float, float] = (1, 5),
    columns: Mapping[str, str] | None = None,
    na_values: Sequence[Any] | None = None,
    encoding: str | None = None,
    sep: str | None = None,
    sheet: str | int = 0,
) -> pd.DataFrame:
    """Read respondent-level survey answers and check them against the data model.

    One row per survey response: a unit id, optionally company, period and a
    respondent id, and the item columns. Answers must be numbers on the Likert
    ``scale``; blank answers are kept as missing (NaN). Item columns are returned as
    ``float32`` (4 bytes per answer, so 2.7 million respondents x 12 items take
    about 130 MB); identifier columns read from text files stay text, so ``007`` keeps
    its leading zeros.

    Checks, each raising :class:`~empathystats.errors.DataError` that names the file,
    column, up to five rows (spreadsheet numbering: header = row 1) and the fix:

    * the unit column and every item column exist;
    * every row has a unit id (and a company and a period, when those columns exist);
    * item values are numbers (text such as "Agree" is an error) within
      ``scale = (low, high)`` inclusive (out-of-range codes such as 9 = "don't know"
      are errors, not silent NaN: recode them with ``na_values=[9]``);
    * no respondent id appears twice within the same company and period.

    Parameters
    ----------
    source : str, path or DataFrame
        ``.csv``, ``.tsv``, ``.txt``, ``.xlsx``, ``.xls``, ``.parquet``, ``.sav`` file, or a DataFrame
        (never modified).
    items : list of str, optional
        Item columns (data-model names, after ``columns`` mapping). Default: ``Q01`` ... ``Q12``,
        all required. When given, only the key and item columns are kept (and a parquet
        file reads only those columns: the fast path for very large files).
    unit, company, period : str
        Key columns. ``unit`` is required; ``company`` and ``period`` are used when present.
    respondent : str or None
        Respondent id column, used when present to check duplicates; ``None`` skips it.
        When not the default, the column is required.
    scale : (low, high)
        Allowed range of answers, inclusive (1-5 for Q12-style items).
    columns : dict, optional
        File column name -> data-model name, e.g. ``{"Store": "unit_id", "Q1": "Q01"}``.
    na_values : list, optional
        Extra codes meaning "no answer" (e.g. ``[9, "Don't know"]``), read as NaN.
    encoding : str, optional
        Text encoding of csv/tsv/txt files. Default UTF-8 (a byte-order mark is handled);
        use ``"cp1252"`` for Windows/Excel "ANSI" exports.
    sep : str, optional
        Delimiter of text files. Default: comma (tab for .tsv), or tab/semicolon when the
        header line clearly uses it.
    sheet : str or int
        Excel sheet name or number.

    Returns
    -------
    DataFrame
        The survey: the other columns in file order, then the item columns as one ``float32``
        block (``survey[items].to_numpy()`` is a view, not a copy). ``attrs`` holds
        ``source``, ``kind="survey"``, ``items``, ``scale``, ``respondent`` (the id column
        or ``None``) and ``blank_rows`` (fully blank lines skipped).

    Examples
    --------
    >>> import pandas as pd
    >>> import empathystats as es
    >>> raw = pd.DataFrame({"Store": ["A", "A", "B"], "respondent_id": [1, 2, 3],
    ...                     "Q1": [5, 4, None], "Q2": [3, 4, 5]})
    >>> survey = es.read_survey(raw, items=["Q01", "Q02"], columns={"Store": "unit_id", "Q1": "Q01", "Q2": "Q02"})
    >>> survey["Q01"].dtype
    dtype('float32')

    References
    ----------
    Harter, J. K., Schmidt, F. L., Agrawal, S., Blue, A., Plowman, S. K., Josh, P. & Asplund, J. (2020).
    *The relationship between engagement at work and organizational outcomes: 2020 Q12 meta-analysis*
    (10th ed.). Gallup. (The 12-item, 5-point unit of analysis this loader defaults to.)
    """
    func = "read_survey"
    _check_key_names(func, unit=unit, company=company, period=period, respondent=respondent)
    item_list = _check_items(items, func)
    lo, hi = _check_scale(scale, func)
    required = [unit, *_explicit_keys(company, period), *item_list]
    if respondent is not None and respondent != "respondent_id":
        required.insert(1, respondent)
    keys = [c for c in (company, period, unit, respondent) if c is not None]
    wanted = None if items is None else [*keys, *item_list]
    dup_items = [c for c in item_list if c in (unit, company, period, respondent)]
    if dup_items:
        raise ParameterError(f"The 'items' parameter of {func} must not include key columns; got {dup_items!r}.")
    ld = _load(
        source, func=func, columns=columns, required=required, wanted=wanted,
        id_columns=[c for c in (unit, company, respondent) if c is not None], items=item_list,
        encoding=encoding, sep=sep, sheet=sheet, na_values=na_values,
    )
    frame = ld.frame
    _require_keys(ld, unit=unit, company=company, period=period)

    # items: numbers on the scale, stored compactly as ONE float32 block, so that
    # survey[items].to_numpy() is a view (no copy) for the scoring of millions of rows
    block = np.empty((len(item_list), len(frame)), dtype=np.float32)
    for j, item in enumerate(item_list):
        s = frame[item]
        if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
            if isinstance(s.dtype, np.dtype):
                block[j] = s.to_numpy()  # casts into place, NaN stays NaN
            else:  # nullable integer / float extension dtypes
                block[j] = s.to_numpy(dtype=np.float32, na_value=np.nan)
        else:
            block[j] = _numeric(
                ld, item, what="numbers (answers must be coded as numbers)",
                fix=f"recode text answers to numbers on the {lo:g}-{hi:g} scale (e.g. 'Strongly agree' -> {hi:g}); "
                "list codes that mean 'no answer' in na_values=[...] to read them as blank.",
            ).to_numpy(dtype=np.float32, na_value=np.nan)
        arr = block[j]
        out = (arr < lo) | (arr > hi)
        if out.any():
            raise data_error(
                f"{int(out.sum())} value(s) are outside the answer scale {lo:g}-{hi:g}",
                source=ld.source,
                column=ld.col(item),
                rows=ld.rows(out, s),
                fix="correct the values; recode 'don't know'/'not applicable' codes to blank with "
                "na_values=[...] (e.g. na_values=[9]); or pass scale=(low, high) if the survey uses another scale.",
            )
    others = frame.drop(columns=item_list)
    frame = pd.concat([others, pd.DataFrame(block.T, columns=item_list, index=others.index, copy=False)], axis=1)
    ld.frame = frame

    resp = respondent if respondent is not None and respondent in frame.columns else None
    if resp is not None:
        _require_values(ld, resp, "respondent id")
        dup_keys = [c for c in (company, period) if c in frame.columns] + [resp]
        if not frame[resp].is_unique:  # ids unique on their own (the usual case) need no compound check
            _check_duplicates(
                ld, dup_keys, "respondent",
                fix="remove repeated responses (keep one per person and period), or give each response its own id.",
            )
    return _finish(ld, "survey", items=item_list, scale=(lo, hi), respondent=resp)


def _check_outcomes(ld: _Loaded, specs: Mapping[str, Any] | None, percent: bool, func: str) -> dict[str, OutcomeSpec]:
    """Validate every standard/declared outcome column present (and its exposure column)."""
    frame = ld.frame
    found = resolve_specs(specs, frame.columns)
    numeric_cols: list[str] = []
    for name, spec in found.items():
        numeric_cols.append(name)
        if spec.exposure is not None and spec.exposure in frame.columns:
            numeric_cols.append(spec.exposure)
    values: dict[str, pd.Series] = {}
    for col in dict.fromkeys(numeric_cols):
        values[col] = _numeric(ld, col, percent=percent)
        frame[col] = values[col]

    for name, spec in found.items():
        y = values[name]
        exp = spec.exposure if spec.exposure is not None and spec.exposure in frame.columns else None
        checks = []
        if exp is not None:
            checks.append((exp, values[exp] < 0, f"negative {exp.replace('_', ' ')} (an exposure cannot be negative)"))
        if spec.kind in ("count", "proportion") or exp is not None and spec.kind == "rate":
            checks.append((name, y < 0, f"negative {spec.label} (a {spec.kind if exp is None else 'count'} cannot be negative)"))
        for col, mask, problem in checks:
            m = mask.fillna(False).to_numpy(dtype=bool)
            if m.any():
                raise data_error(
                    f"{int(m.sum())} row(s) have {problem}",
                    source=ld.source, column=ld.col(col), rows=ld.rows(m, frame[col]),
                    fix="correct the values (a missing value should be left blank, not coded as a negative number).",
                )
        if spec.kind == "proportion":
            if exp is None:
                m = (y > 1).fillna(False).to_numpy(dtype=bool)
                if m.any():
                    looks_pct = bool((y.dropna() <= 100).all())
                    raise data_error(
                        f"{int(m.sum())} value(s) of {spec.label} are above 1; without a {spec.exposure!r} column it is "
                        f"read as a proportion between 0 and 1",
                        source=ld.source, column=ld.col(name), rows=ld.rows(m, frame[name]),
                        fix=("the values look like percentages: divide them by 100, or "
                             if looks_pct else "correct the values, or ")
                        + f"add the {spec.exposure!r} column so that {name!r} is read as a count out of it.",
                    )
            else:
                m = (y > values[exp]).fillna(False).to_numpy(dtype=bool)
                if m.any():
                    num_, den_ = y, values[exp]

                    def shown(pos: np.ndarray, num_: pd.Series = num_, den_: pd.Series = den_) -> list[str]:
                        return [f"{_plain(num_.iloc[p])} > {_plain(den_.iloc[p])}" for p in pos]

                    raise data_error(
                        f"{int(m.sum())} row(s) have more {spec.label} than {exp.replace('_', ' ')} "
                        f"({name} is read as a count out of {exp})",
                        source=ld.source, column=ld.col(name), rows=ld.rows(m, shown),
                        fix=f"correct the values; if {name!r} already holds a proportion, drop or rename the {exp!r} "
                        f"column, or pass specs={{{name!r}: {{'exposure': None}}}}.",
                    )
    return found


def read_outcomes(
    source: str | os.PathLike[str] | pd.DataFrame,
    *,
    unit: str = "unit_id",
    period: str = "period",
    specs: Mapping[str, OutcomeSpec | Mapping[str, Any]] | None = None,
    columns: Mapping[str, str] | None = None,
    percent: bool = False,
    na_values: Sequence[Any] | None = None,
    encoding: str | None = None,
    sep: str | None = None,
    sheet: str | int = 0,
) -> pd.DataFrame:
    """Read business outcomes per unit x period and check them against their outcome specs.

    The outcomes recognised are the standard ones (:data:`empathystats.STANDARD_OUTCOMES`:
    absenteeism, turnover, safety_incidents, ...) plus any in ``specs``, whenever their
    column is present; other columns are kept as they are. When an outcome's exposure
    column is present (e.g. ``headcount`` for turnover), the outcome column is the
    numerator (leavers) and the analysed value is ``outcome / exposure * per``
    (:func:`empathystats.outcomes.outcome_values`).

    Checks (each a :class:`~empathystats.errors.DataError` naming file, column, rows, fix):

    * the unit column exists and every row has a unit id (and a period, when that column exists);
    * outcome and exposure columns are numbers (percent strings such as "12%" only with
      ``percent=True``);
    * no negative exposure, count or proportion (nor a negative numerator of a rate over
      an exposure, e.g. days absent);
    * a proportion is within [0, 1] when its exposure column is absent, and its numerator
      is not above the exposure when present (leavers <= headcount);
    * each unit x period appears once.

    Parameters
    ----------
    source : str, path or DataFrame
        File (see :func:`read_survey`) or DataFrame (never modified).
    unit, period : str
        Key columns; ``unit`` is required, ``period`` used when present.
    specs : dict, optional
        Outcome specs overriding or adding to the defaults (:func:`empathystats.default_specs`),
        as :class:`~empathystats.OutcomeSpec` or dicts of fields.
    columns : dict, optional
        File column name -> data-model name.
    percent : bool
        Read percent strings ("12%") in outcome columns as proportions (0.12).
    na_values, encoding, sep, sheet
        As in :func:`read_survey`.

    Returns
    -------
    DataFrame
        One row per unit x period; outcome and exposure columns ``float64``. ``attrs`` holds
        ``source``, ``kind="outcomes"``, ``outcomes`` (names recognised) and ``blank_rows``.

    Examples
    --------
    >>> import pandas as pd
    >>> import empathystats as es
    >>> raw = pd.DataFrame({"unit_id": ["A", "B"], "turnover": [3, 1], "headcount": [20, 12]})
    >>> es.read_outcomes(raw).attrs["outcomes"]
    ['turnover']

    References
    ----------
    Harter et al. (2020), *2020 Q12 meta-analysis*, Gallup: the outcome definitions (absenteeism,
    turnover, safety incidents, shrinkage...) the standard specs follow.
    """
    func = "read_outcomes"
    _check_key_names(func, unit=unit, period=period)
    check_choice(percent, (True, False), name="percent", func=func)
    ld = _load(
        source, func=func, columns=columns, required=[unit, *_explicit_keys(period=period)], wanted=None,
        id_columns=[unit],
        encoding=encoding, sep=sep, sheet=sheet, na_values=na_values,
    )
    _require_keys(ld, unit=unit, period=period)
    found = _check_outcomes(ld, specs, percent, func)
    keys = [unit] + ([period] if period in ld.frame.columns else [])
    _check_duplicates(
        ld, keys, "unit outcome row" if len(keys) == 1 else "unit and period",
        fix="keep one row per unit and period (aggregate or delete repeated rows); if the file holds several "
        "periods, make sure it has a period column" + ("" if len(keys) > 1 else f" named {period!r} (or pass period=...)") + ".",
    )
    return _finish(ld, "outcomes", outcomes=list(found))


def read_units(
    source: str | os.PathLike[str] | pd.DataFrame,
    *,
    unit: str = "unit_id",
    company: str = "company",
    period: str = "period",
    engagement: str = "engagement",
    percent: bool = False,
    specs: Mapping[str, OutcomeSpec | Mapping[str, Any]] | None = None,
    columns: Mapping[str, str] | None = None,
    na_values: Sequence[Any] | None = None,
    encoding: str | None = None,
    sep: str | None = None,
    sheet: str | int = 0,
) -> pd.DataFrame:
    """Read unit-level engagement (a vendor's export or a published index), optionally with outcomes.

    For users whose engagement is already aggregated per unit: one row per unit x period
    with an engagement score, and optionally ``n_respondents`` and outcome columns. Pass
    the result to :class:`empathystats.Study` (``es.Study(units, outcomes)`` or, with
    outcomes in the same table, ``es.Study(units)``); every analysis that needs no
    respondent rows works from it.

    Checks (each a :class:`~empathystats.errors.DataError` naming file, column, rows, fix):
    the unit and engagement columns exist; every row has a unit id (and company and period
    when those columns exist); engagement (and
    ``n_respondents``, and outcome columns as in :func:`read_outcomes`) are numbers;
    ``n_respondents`` is not negative; each unit x period appears once.

    Parameters
    ----------
    source : str, path or DataFrame
        File (see :func:`read_survey`) or DataFrame (never modified).
    unit, company, period, engagement : str
        Column names. ``unit`` and ``engagement`` are required.
    percent : bool
        With ``True``, percent strings are read as proportions ("63%" -> 0.63) in the
        engagement column and in every other column whose non-blank values are all
        percent strings (theme scores, response rates). With ``False`` (default) a
        percent string in engagement is an error that suggests this option.
    specs : dict, optional
        Outcome specs for outcome columns in the same table (see :func:`read_outcomes`).
    columns : dict, optional
        File column name -> data-model name, e.g. ``{"Organisation": "unit_id",
        "Employee Engagement Index": "engagement"}``.
    na_values, encoding, sep, sheet
        As in :func:`read_survey`; e.g. ``na_values=["n<10"]`` for suppressed cells.

    Returns
    -------
    DataFrame
        One row per unit x period; ``engagement`` ``float64``. ``attrs`` holds ``source``,
        ``kind="units"``, ``outcomes``, ``percent_columns`` (columns read from percent
        strings) and ``blank_rows``.

    Examples
    --------
    >>> import pandas as pd
    >>> import empathystats as es
    >>> raw = pd.DataFrame({"Organisation": ["AGO", "CPS"], "EEI": ["76%", "65%"]})
    >>> units = es.read_units(raw, columns={"Organisation": "unit_id", "EEI": "engagement"}, percent=True)
    >>> units["engagement"].tolist()
    [0.76, 0.65]

    References
    ----------
    Cabinet Office (2019). *Civil Service People Survey 2019: technical guide* (engagement index
    published as a percentage per organisation).
    """
    func = "read_units"
    _check_key_names(func, unit=unit, company=company, period=period, engagement=engagement)
    check_choice(percent, (True, False), name="percent", func=func)
    ld = _load(
        source, func=func, columns=columns, required=[unit, *_explicit_keys(company, period), engagement], wanted=None,
        id_columns=[c for c in (unit, company)], encoding=encoding, sep=sep, sheet=sheet, na_values=na_values,
    )
    frame = ld.frame
    _require_keys(ld, unit=unit, company=company, period=period)
    pct_cols = [engagement] if percent and _is_text(frame[engagement]) else []
    frame[engagement] = _numeric(ld, engagement, percent=percent)
    if "n_respondents" in frame.columns:
        n = _numeric(ld, "n_respondents")
        neg = (n < 0).fillna(False).to_numpy(dtype=bool)
        if neg.any():
            raise data_error(f"{int(neg.sum())} row(s) have a negative number of respondents", source=ld.source,
                             column=ld.col("n_respondents"), rows=ld.rows(neg, n),
                             fix="correct the counts (leave unknown counts blank).")
        frame["n_respondents"] = n
    found = _check_outcomes(ld, specs, percent, func)
    if percent:
        pct_cols += _percent_columns(frame, skip={unit, company, period, engagement, "n_respondents", *found})
    keys = [unit] + ([period] if period in frame.columns else [])
    _check_duplicates(
        ld, keys, "unit" if len(keys) == 1 else "unit and period",
        fix="keep one row per unit and period; if the file holds several periods, give it a period column"
        + ("" if len(keys) > 1 else f" named {period!r} (or pass period=...)") + ".",
    )
    return _finish(ld, "units", outcomes=list(found), percent_columns=pct_cols, engagement=engagement)
