{% macro load_guard() %}
    {#-
        on-run-start: refuse to build while a load is running. A load of several sources writes
        a row into raw_meta.loads_in_progress before its first source and deletes it after its
        last (pipelines/warehouse.py, load_in_progress), so a build between two sources would
        see half a load. A fresh warehouse has no such table: nothing to guard.
    -#}
    {%- if execute -%}
        {%- set found = run_query(
            "select count(*) from information_schema.tables"
            ~ " where table_schema = 'raw_meta' and table_name = 'loads_in_progress'"
        ) -%}
        {%- if found.columns[0].values()[0] > 0 -%}
            {%- set markers = run_query(
                "select pid, host, command, started_at from raw_meta.loads_in_progress"
                ~ " order by started_at limit 1"
            ) -%}
            {%- if markers.rows | length > 0 -%}
                {%- set marker = markers.rows[0] -%}
                {{ exceptions.raise_compiler_error(
                    "a load is running since " ~ marker[3] ~ " (pid " ~ marker[0] ~ " on "
                    ~ marker[1] ~ ", `" ~ marker[2] ~ "`): the raw tables may hold half of it. "
                    ~ "Wait for it to finish, then build with `python -m pipelines build` (it takes "
                    ~ "the warehouse lock, and clears the marker a killed load left behind)"
                ) }}
            {%- endif -%}
        {%- endif -%}
    {%- endif -%}
    select 1
{% endmacro %}
