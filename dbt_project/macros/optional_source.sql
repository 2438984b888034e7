{#- Partial warehouses: a user may start from any one source (only Kalshi files, only IEM), so a
    raw table that was never loaded builds as an empty, typed relation instead of failing the
    build. The types are the columns and data_type declared for the table in its source yml
    (every column needs one). Unit tests of these models use SQL fixtures: a dict fixture takes
    its types from the raw table, which such a warehouse lacks.
    With a Parquet lake (var raw_lake_path, else env RAW_LAKE_PATH; macros/raw_lake.sql) the raw
    tables are read from the lake instead of the warehouse, cast to the same declared types. -#}

{% macro optional_source(source_name, table_name) -%}
    {#- source() at parse time too, so the model's dependency on the source is recorded; a unit
        test's fixture stands in as a CTE, always there. -#}
    {%- set relation = source(source_name, table_name) -%}
    {%- if not execute or relation.is_cte -%}
        {{- return(relation) -}}
    {%- endif -%}
    {%- set label = source_name ~ "." ~ table_name -%}
    {%- set declared = graph.sources.values()
        | selectattr("source_name", "equalto", source_name)
        | selectattr("name", "equalto", table_name)
        | list -%}
    {%- set lake = raw_lake_path() -%}
    {%- if lake is not none -%}
        {%- set from_lake = raw_lake_relation(
            lake, relation.schema, table_name, declared[0].columns.values() if declared else []
        ) -%}
        {%- if from_lake is not none -%}
            {{- return(from_lake) -}}
        {%- endif -%}
    {%- elif load_relation(relation) is not none -%}
        {{- return(relation) -}}
    {%- endif -%}
    {%- if not declared or not declared[0].columns -%}
        {{ exceptions.raise_compiler_error(
            "source " ~ label ~ " was never loaded and declares no columns to build it empty"
        ) }}
    {%- endif -%}
    {%- set columns = [] -%}
    {%- for column in declared[0].columns.values() -%}
        {%- if not column.data_type -%}
            {{ exceptions.raise_compiler_error(
                "source " ~ label ~ " was never loaded and its column " ~ column.name
                ~ " has no data_type to build it empty"
            ) }}
        {%- endif -%}
        {%- do columns.append(
            "cast(null as " ~ column.data_type ~ ") as " ~ adapter.quote(column.name)
        ) -%}
    {%- endfor -%}
    {%- do exceptions.warn("source " ~ label ~ " was never loaded: building empty") -%}
    {{- return("(select " ~ columns | join(", ") ~ " where false)") -}}
{%- endmacro %}
