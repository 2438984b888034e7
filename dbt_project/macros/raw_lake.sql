{#- The raw layer as a Parquet lake (pipelines/lake.py writes it, docs/scale.md): dlt's
    filesystem destination writes <lake>/<dataset>/<table>/load_date=YYYY-MM-DD/*.parquet, and
    its own tables (_dlt_loads, _dlt_version) as JSON lines in <lake>/<dataset>/<table>/.
    That destination cannot merge plain Parquet, so a merge table is appended to on every load;
    a source reads what dlt's delete-insert merge keeps in the DuckDB file: per primary key (from
    the stored dlt schema), the row of the latest finished load. pipelines.lake's
    visible_rows_sql is the same rule for the loaders' row counts. -#}

{% macro raw_lake_path() -%}
    {#- The lake folder or URL, or none: the raw tables are the warehouse's. -#}
    {%- set configured = var('raw_lake_path', none) -%}
    {%- if configured in (none, '', 'None') -%}
        {%- set configured = env_var('RAW_LAKE_PATH', '') -%}
    {%- endif -%}
    {%- set configured = (configured | string).strip() -%}
    {%- if not configured -%}
        {{- return(none) -}}
    {%- endif -%}
    {{- return(configured.replace('file://', '', 1).rstrip('/')) -}}
{%- endmacro %}

{% macro raw_lake_quote(text) -%}
    {{- return("'" ~ (text | replace("'", "''")) ~ "'") -}}
{%- endmacro %}

{% macro raw_lake_has_files(pattern) -%}
    {%- set found = run_query("select count(*) from glob(" ~ pattern ~ ")") -%}
    {{- return(found.columns[0].values()[0] > 0) -}}
{%- endmacro %}

{% macro raw_lake_keys(lake, schema, table_name) -%}
    {#- The primary key of a merge table from the newest stored dlt schema; [] otherwise. -#}
    {%- set pattern = raw_lake_quote(lake ~ '/' ~ schema ~ '/_dlt_version/*.jsonl') -%}
    {%- if not raw_lake_has_files(pattern) -%}
        {{- return([]) -}}
    {%- endif -%}
    {%- set found = run_query(
        "select schema from read_json(" ~ pattern ~ ", format = 'newline_delimited', "
        ~ "columns = {schema_name: 'varchar', version: 'bigint', schema: 'varchar'}) "
        ~ "qualify row_number() over (partition by schema_name order by version desc) = 1"
    ) -%}
    {%- for text in found.columns[0].values() -%}
        {%- set table = fromjson(text).get('tables', {}).get(table_name) -%}
        {%- if table is not none -%}
            {%- if table.get('write_disposition') != 'merge' -%}
                {{- return([]) -}}
            {%- endif -%}
            {{- return(table.get('columns', {}).values()
                | selectattr('primary_key', 'defined')
                | selectattr('primary_key')
                | map(attribute='name')
                | list) -}}
        {%- endif -%}
    {%- endfor -%}
    {{- return([]) -}}
{%- endmacro %}

{% macro raw_lake_relation(lake, schema, table_name, columns) -%}
    {#- A lake table as a subquery with the declared column types, or none when the lake has no
        file of it (or no finished load of its dataset): optional_source builds it empty. -#}
    {%- set root = lake ~ '/' ~ schema ~ '/' -%}
    {%- set typed = columns | selectattr('data_type') | list -%}
    {%- if table_name.startswith('_dlt') -%}
        {%- set pattern = raw_lake_quote(root ~ table_name ~ '/*.jsonl') -%}
        {%- if not typed or not raw_lake_has_files(pattern) -%}
            {{- return(none) -}}
        {%- endif -%}
        {%- set fields = [] -%}
        {%- for column in typed -%}
            {%- do fields.append(adapter.quote(column.name) ~ ": " ~ raw_lake_quote(column.data_type)) -%}
        {%- endfor -%}
        {{- return(
            "(select * from read_json(" ~ pattern ~ ", format = 'newline_delimited', columns = {"
            ~ fields | join(", ") ~ "}))"
        ) -}}
    {%- endif -%}
    {%- set files = raw_lake_quote(root ~ table_name ~ '/**/*.parquet') -%}
    {%- set loads = raw_lake_quote(root ~ '_dlt_loads/*.jsonl') -%}
    {%- if not raw_lake_has_files(files) or not raw_lake_has_files(loads) -%}
        {{- return(none) -}}
    {%- endif -%}
    {%- set scan = "read_parquet(" ~ files ~ ", union_by_name = true, hive_partitioning = false)" -%}
    {%- set present = run_query("describe select * from " ~ scan).columns[0].values() -%}
    {%- set replaced = [] -%}
    {%- set missing = [] -%}
    {%- for column in typed -%}
        {%- set cast = "cast(" ~ ("null" if column.name not in present else adapter.quote(column.name))
            ~ " as " ~ column.data_type ~ ") as " ~ adapter.quote(column.name) -%}
        {%- do (replaced if column.name in present else missing).append(cast) -%}
    {%- endfor -%}
    {%- set keys = raw_lake_keys(lake, schema, table_name) -%}
    {%- set sql = "(select *"
        ~ (" replace (" ~ replaced | join(", ") ~ ")" if replaced else "")
        ~ (", " ~ missing | join(", ") if missing else "")
        ~ " from " ~ scan ~ " where _dlt_load_id in (select load_id from read_json(" ~ loads
        ~ ", format = 'newline_delimited', columns = {load_id: 'varchar', status: 'bigint'})"
        ~ " where status = 0)" -%}
    {%- if keys -%}
        {%- set quoted = [] -%}
        {%- for key in keys -%}
            {%- do quoted.append(adapter.quote(key)) -%}
        {%- endfor -%}
        {%- set sql = sql ~ " qualify row_number() over (partition by " ~ quoted | join(", ")
            ~ " order by _dlt_load_id desc) = 1" -%}
    {%- endif -%}
    {{- return(sql ~ ")") -}}
{%- endmacro %}
