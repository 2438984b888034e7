{#- The climate date of a UTC instant at a station: the date in fixed local standard time.
    utc_ts must be timestamptz or a naive UTC timestamp; offset is the seed's std_utc_offset_hours. -#}

{% macro climate_date(utc_ts, std_utc_offset_hours) -%}
    cast(
        (cast(timezone('UTC', {{ utc_ts }}) as timestamp) + to_hours(cast({{ std_utc_offset_hours }} as integer)))
        as date
    )
{%- endmacro %}

{% macro local_standard_ts(utc_ts, std_utc_offset_hours) -%}
    (cast(timezone('UTC', {{ utc_ts }}) as timestamp) + to_hours(cast({{ std_utc_offset_hours }} as integer)))
{%- endmacro %}

{% macro ticker_climate_date(ticker) -%}
    {#- <SERIES>-<YY><MON><DD>...: the date is the local climate date (never close_time) -#}
    {#- upper() and the full-ticker pattern mirror domain.tickers.parse_ticker -#}
    try_strptime(
        regexp_extract(
            upper(trim({{ ticker }})),
            '^[A-Z]+-([0-9]{2}[A-Z]{3}[0-9]{2})(-[BT]-?[0-9]+(\.[0-9]+)?)?$',
            1
        ),
        '%y%b%d'
    )::date
{%- endmacro %}

{% macro fallback_close_at(climate_date, std_utc_offset_hours) -%}
    {#- 23:59 local standard time of a climate date, in UTC: the close of a market whose source
        gives no close time (Python twin: domain.climate_day.fallback_close_at) -#}
    timezone(
        'UTC',
        cast({{ climate_date }} as timestamp)
        + interval 1439 minute
        - to_hours(cast({{ std_utc_offset_hours }} as integer))
    )
{%- endmacro %}
