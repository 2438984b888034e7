{#- Generic test: no two rows share the same values in combination_of_columns (a composite key).
    Offline stand-in for dbt_utils.unique_combination_of_columns. -#}

{% test unique_combination(model, combination_of_columns) %}
    select
        {{ combination_of_columns | join(', ') }},
        count(*) as duplicate_count
    from {{ model }}
    group by {{ combination_of_columns | join(', ') }}
    having count(*) > 1
{% endtest %}
