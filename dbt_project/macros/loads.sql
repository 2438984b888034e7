{#- The load ids dlt finished (status 0) for a source: staging reads only rows of these loads,
    so a half-written load is never visible. loaded_at: when dlt recorded the load finished
    (the incremental models' watermark). -#}

{% macro finished_loads(source_name) -%}
    select
        loads.load_id,
        loads.inserted_at as loaded_at
    from {{ optional_source(source_name, '_dlt_loads') }} as loads
    where loads.status = 0
{%- endmacro %}
