{#- The load ids dlt finished (status 0) for a source: staging reads only rows of these loads,
    so a half-written load is never visible. -#}

{% macro finished_loads(source_name) -%}
    select loads.load_id
    from {{ optional_source(source_name, '_dlt_loads') }} as loads
    where loads.status = 0
{%- endmacro %}
