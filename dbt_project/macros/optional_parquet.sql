{#- Files written outside dbt (models_ml's parquet exports) read as a source: the table
    <exports folder>/<source>/<table>.parquet, where the exports folder is var
    parquet_exports_dir when set, else exports/ beside the warehouse file (domain.layout's
    exports_dir, as for rpt_station_thresholds_export). A file that does not exist yet builds
    as an empty relation typed from the source yml's columns (optional_source's rule), so a
    warehouse that never trained a model still builds. -#}

{% macro parquet_export_path(source_name, table_name) -%}
    {%- set configured = var('parquet_exports_dir', none) -%}
    {%- if configured not in (none, '', 'None') -%}
        {%- set folder = configured -%}
    {%- else -%}
        {%- set found = run_query(
            "select path from duckdb_databases() where database_name = current_database()"
        ) -%}
        {%- set warehouse = found.columns[0].values()[0] if found.rows | length > 0 else none -%}
        {#- an in-memory warehouse (sqlfluff's lint target) has no file: the default one's -#}
        {%- set warehouse = warehouse or env_var('WAREHOUSE_PATH', 'warehouse/kalshi_weather.duckdb') -%}
        {%- set parts = warehouse.rsplit('/', 1) -%}
        {%- set folder = (parts[0] if parts | length > 1 else '.') ~ '/exports' -%}
    {%- endif -%}
    {{- return(folder ~ '/' ~ source_name ~ '/' ~ table_name ~ '.parquet') -}}
{%- endmacro %}

{% macro optional_parquet(source_name, table_name) -%}
    {#- source() at parse time too, so the dependency is recorded; a unit test's fixture stands
        in as a CTE. -#}
    {%- set relation = source(source_name, table_name) -%}
    {%- if not execute or relation.is_cte -%}
        {{- return(relation) -}}
    {%- endif -%}
    {%- set path = "'" ~ parquet_export_path(source_name, table_name) | replace("'", "''") ~ "'" -%}
    {%- set found = run_query("select count(*) from glob(" ~ path ~ ")") -%}
    {%- if found.columns[0].values()[0] > 0 -%}
        {{- return("read_parquet(" ~ path ~ ")") -}}
    {%- endif -%}
    {#- no such file: the schema named after the source never exists either, so optional_source
        builds the typed empty relation (and warns) -#}
    {{- return(optional_source(source_name, table_name)) -}}
{%- endmacro %}
