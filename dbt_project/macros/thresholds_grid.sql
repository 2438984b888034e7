{#- The parameter grid of the station-thresholds search, one home for the models that walk it
    (int_thresholds_design_accuracy, int_thresholds_candidate_trades, int_thresholds_candidates):
    each macro is the body of a CTE listing one axis from dbt_project.yml. -#}

{% macro thresholds_window_starts() -%}
    select cast(unnest({{ var('thresholds_window_starts') }}) as integer) as window_start_minute
{%- endmacro %}

{% macro thresholds_buffers() -%}
    select cast(unnest({{ var('gate_buffers_f') }}) as integer) as buffer_f
{%- endmacro %}

{% macro thresholds_min_edges() -%}
    {#- min_edge_index is the 1-based position of the edge in the var (array subscripts) -#}
    select
        cast(unnest({{ var('thresholds_min_edges') }}) as decimal(18, 4)) as min_edge,
        cast(unnest(range(1, {{ var('thresholds_min_edges') | length + 1 }})) as integer)
            as min_edge_index
{%- endmacro %}

{% macro thresholds_rules() -%}
    select unnest({{ var('thresholds_rules') }}) as rule  -- noqa: RF04
{%- endmacro %}
