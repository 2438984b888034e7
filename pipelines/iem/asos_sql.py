"""The DuckDB query that decodes the clean lines of an observation CSV (``asos_arrow``).

What ``domain.observations.observation_row`` and ``domain.metar.parse_metar`` do row by row,
as SQL over a relation ``lines (n, line)``: one regular expression (RE2's DFA, fast) checks the
whole shape of a clean line; fields and METAR tokens are then cut out at fixed places or found
with small unanchored expressions, as the reference finds them:

* a clean METAR is single-spaced tokens without ``=`` (so its one-line form is itself), an
  optional ``METAR``/``SPECI`` prefix (then an optional ``COR``), the station and ``ddhhmmZ``;
* the body is what comes before the first ``RMK`` token, the remarks what follows it;
* each group (body temperature, ``T``, ``1``, ``2``, ``4``, ``SLP``) is the first whole token of
  its form: the text is padded with a space at both ends, so a token is `` token `` and RE2's
  leftmost match is the first one.

A line is ``clean`` only when the reference would load it with exactly these values; every
other line is decoded again by the reference (``asos_arrow``), which also names the reason.
"""

from __future__ import annotations

from pipelines.documents import MAX_LINE_CHARS
from pipelines.iem.parsers import Kind

# The columns each format reads: station, time, temperature, dew point, METAR.
COLUMNS = {
    Kind.asos: ("station", "valid", "tmpf", "dwpf", "metar"),
    Kind.hourly: ("station", "timestamp", "nws_current_temp_f", "nws_dew_point_f", "nws_metar"),
}

# Any field: printable ASCII without quote or comma (csv.reader then simply splits on ",").
_FIELD = "[ !#-+\\--~]*"
# One METAR token: the same without space and "=" (a clean METAR is its own one-line form).
_METAR_WORD = "[!#-+\\--<>-~]+"
_DATE = "(?:19|20)[0-9]{2}-[0-9]{2}-[0-9]{2}"  # DuckDB's cast then refuses days that do not exist
_HOUR_MINUTE = "(?:[01][0-9]|2[0-3]):[0-5][0-9]"
_NUMBER = "(?:M|-?[0-9]{1,3}(?:\\.[0-9]{1,4})?)?"  # a plain decimal, M or empty (missing)
_SHAPES = (
    "[A-Z0-9]{3,4}",
    f"{_DATE} {_HOUR_MINUTE}",
    _NUMBER,
    _NUMBER,
    f"(?:(?:METAR|SPECI) (?:COR )?)?[A-Z][A-Z0-9]{{3}} [0-9]{{6}}Z(?: {_METAR_WORD})+",
)
# The hourly export's time carries its UTC offset (+HHMM).
_HOURLY_TIME = f"{_DATE} {_HOUR_MINUTE}:[0-5][0-9][+-](?:[01][0-9]|2[0-3])[0-5][0-9]"

_QUERY = """
with fields as (
    select
        n,
        strlen(line) <= {max_line} and regexp_full_match(line, '{shape}') as shaped,
        string_split(line, ',') as f
    from lines
),

typed as (
    select
        n,
        shaped,
        f[{i_station}] as raw_station,
        f[{i_metar}] as metar,
        f[{i_time}] as time_text,
        {valid_at} as valid_at,
        -- '' and 'M' (missing) become null
        try_cast(f[{i_temp}] as decimal(7, 4)) as temp_f,
        try_cast(f[{i_dew}] as decimal(7, 4)) as dew_f,
        starts_with(f[{i_metar}], 'METAR ') or starts_with(f[{i_metar}], 'SPECI ') as prefixed
    from fields
),

located as (
    select
        *,
        -- where the station starts, after an optional METAR/SPECI and COR
        case
            when not prefixed then 0 when metar[7:10] = 'COR ' then 10 else 6
        end as station_at,
        ' ' || metar || ' ' as padded
    from typed
),

parts as (
    select
        *,
        metar[station_at + 1:station_at + 4] as metar_station,
        metar[station_at + 6:station_at + 11] as metar_minute,
        strpos(padded, ' RMK ') as rmk_at
    from located
),

halves as (
    select
        *,
        -- the body ends at the first RMK token (the station and time tokens never match)
        case when rmk_at = 0 then padded else padded[:rmk_at] end as body,
        case when rmk_at = 0 then '' else padded[rmk_at + 4:] end as remarks
    from parts
),

groups as (
    select
        *,
        regexp_extract(
            body, ' (M?)([0-9]{{2}})/(?:(M?)([0-9]{{2}})|//)? ', ['ms', 'mv', 'ds', 'dv']
        ) as body_temp,
        -- the remark groups, each looked for only where its first characters occur
        case when contains(remarks, ' T') then regexp_extract(
            remarks, ' T([01])([0-9]{{3}})(?:([01])([0-9]{{3}}))?\\$? ', ['ts', 'tv', 'ds', 'dv']
        ) end as t_group,
        case when contains(remarks, ' 1') then regexp_extract(
            remarks, ' 1([01])([0-9]{{3}})\\$? ', ['s', 'v']
        ) end as max6,
        case when contains(remarks, ' 2') then regexp_extract(
            remarks, ' 2([01])([0-9]{{3}})\\$? ', ['s', 'v']
        ) end as min6,
        case when contains(remarks, ' 4') then regexp_extract(
            remarks, ' 4([01])([0-9]{{3}})([01])([0-9]{{3}})\\$? ', ['hs', 'hv', 'ls', 'lv']
        ) end as day24,
        contains(remarks, ' SLP')
        and regexp_matches(remarks, ' SLP(?:[0-9]{{3}}|NO)\\$? ') as has_slp
    from halves
),

valued as (
    select
        *,
        {temp_whole} as temp_whole,
        {dew_whole} as dew_whole,
        {t_temp} as t_temp,
        {t_dew} as t_dew,
        {max6} as max6_tenths,
        {min6} as min6_tenths,
        {max24} as max24_tenths,
        {min24} as min24_tenths
    from groups
)

select
    v.n,
    v.shaped
    and s.icao is not null
    and v.valid_at is not null
    and coalesce(v.temp_f between -100 and 140, true)
    and coalesce(v.dew_f between -100 and 140, true)
    and coalesce(v.dew_f <= v.temp_f + 2, true)
    and coalesce(m.icao, v.metar_station) = s.icao
    and v.metar_minute = {valid_minute}
    and coalesce(v.temp_whole between -73 and 60, true)
    and coalesce(v.dew_whole between -73 and 60, true)
    and coalesce(v.t_temp between -733 and 600, true)
    and coalesce(v.t_dew between -733 and 600, true)
    and coalesce(v.max6_tenths between -733 and 600, true)
    and coalesce(v.min6_tenths between -733 and 600, true)
    and coalesce(v.max24_tenths between -733 and 600, true)
    and coalesce(v.min24_tenths between -733 and 600, true)
    and (v.temp_f is not null or v.t_temp is not null or v.temp_whole is not null) as clean,
    s.icao as station,
    v.valid_at,
    {report_type} as report_type,
    cast(v.temp_f as double) as temp_f_reported,
    cast(v.dew_f as double) as dewpoint_f_reported,
    cast(v.t_temp * 0.1 as decimal(5, 1)) as temp_c_tenths,
    cast(v.t_dew * 0.1 as decimal(5, 1)) as dewpoint_c_tenths,
    v.temp_whole as temp_c_whole,
    cast(v.max6_tenths * 0.1 as decimal(5, 1)) as max_6h_c,
    cast(v.min6_tenths * 0.1 as decimal(5, 1)) as min_6h_c,
    cast(v.max24_tenths * 0.1 as decimal(5, 1)) as max_24h_c,
    cast(v.min24_tenths * 0.1 as decimal(5, 1)) as min_24h_c,
    v.metar,
    -- revisions.revision_id: the report without its METAR/SPECI prefix, hashed
    left(sha256(case when v.prefixed then v.metar[7:] else v.metar end), 32) as revision_id,
    contains(' ' || v.metar || ' ', ' COR ') as is_correction
from valued as v
left join station_ids as s on v.raw_station = s.raw
left join station_ids as m on v.metar_station = m.raw
order by v.n
"""

# The reference's inferred report type: SPECI special, METAR routine, else routine with SLP.
_INFERRED_TYPE = (
    "case when not v.prefixed then (case when v.has_slp then 3 else 4 end) "
    "when v.metar[1:5] = 'SPECI' then 4 else 3 end"
)


def _tenths(sign: str, digits: str) -> str:
    # 'sTTT': sign digit 1 is minus, then tenths of a degree (domain.metar._tenths)
    return f"(case when {sign} = '1' then -1 else 1 end) * try_cast({digits} as integer)"


def _whole(sign: str, digits: str) -> str:
    # 'M05' is -5 (domain.metar._whole)
    return f"(case when {sign} = 'M' then -1 else 1 end) * try_cast({digits} as integer)"


def decode_query(header: list[str], kind: Kind, report_type: int | None) -> str | None:
    """The decoding query for a document with this header.

    Args:
        header: the column names (``parsers.csv_header``).
        kind: ``Kind.asos`` or ``Kind.hourly``.
        report_type: the stated report type (the hint), or None to infer it per row.

    Returns:
        The SQL over ``lines`` and ``station_ids (raw, icao)``, or None when the document needs
        the reference (a repeated or missing column, or a ``report_type`` column to read).
    """
    wanted = COLUMNS[kind]
    if len(set(header)) != len(header) or not set(wanted) <= set(header):
        return None
    if report_type is None and "report_type" in header:
        return None
    shapes = dict(zip(wanted, _SHAPES, strict=True))
    if kind is Kind.hourly:
        shapes[wanted[1]] = _HOURLY_TIME
    index = {name: header.index(name) + 1 for name in wanted}
    time_field = f"f[{index[wanted[1]]}]"
    # The METAR's ddhhmm must be the row's (UTC) day, hour and minute.
    if kind is Kind.hourly:
        offset = (
            f"(case when {time_field}[20] = '-' then -1 else 1 end) * "
            f"(try_cast({time_field}[21:22] as integer) * 60 "
            f"+ try_cast({time_field}[23:24] as integer))"
        )
        valid_at = f"try_cast(left({time_field}, 19) as timestamp) - to_minutes({offset})"
        valid_minute = "strftime(v.valid_at, '%d%H%M')"
    else:
        valid_at = f"try_cast({time_field} || ':00' as timestamp)"
        valid_minute = "v.time_text[9:10] || v.time_text[12:13] || v.time_text[15:16]"
    return _QUERY.format(
        max_line=MAX_LINE_CHARS,
        shape=",".join(shapes.get(name, _FIELD) for name in header),
        i_station=index[wanted[0]],
        i_time=index[wanted[1]],
        i_temp=index[wanted[2]],
        i_dew=index[wanted[3]],
        i_metar=index[wanted[4]],
        valid_at=valid_at,
        valid_minute=valid_minute,
        temp_whole=_whole("body_temp.ms", "body_temp.mv"),
        dew_whole=_whole("body_temp.ds", "body_temp.dv"),
        t_temp=_tenths("t_group.ts", "t_group.tv"),
        t_dew=_tenths("t_group.ds", "t_group.dv"),
        max6=_tenths("max6.s", "max6.v"),
        min6=_tenths("min6.s", "min6.v"),
        max24=_tenths("day24.hs", "day24.hv"),
        min24=_tenths("day24.ls", "day24.lv"),
        report_type=_INFERRED_TYPE if report_type is None else str(report_type),
    )
