{#- The physical bounds of domain/bounds.py for the staging tests: a value outside them is a
    broken input the loaders should have rejected. tests/pipelines/test_hostile_inputs.py
    asserts these numbers equal domain.bounds'. -#}

{% macro physical_bounds() %}
    {{ return({
        'temperature_f': {'min': -100, 'max': 140},
        'price_dollars': {'min': 0, 'max': 1},
        'count': {'min': 0, 'max': 1000000000000000},
        'dewpoint_tolerance_f': 2,
    }) }}
{% endmacro %}

{#- Generic test: rows whose column is outside physical_bounds()[bound] (nulls pass). -#}
{% test within_physical_bounds(model, column_name, bound) %}
    {%- set limits = physical_bounds()[bound] %}
    select {{ column_name }}
    from {{ model }}
    where
        {{ column_name }} < {{ limits['min'] }}
        {%- if limits['max'] is not none %}
            or {{ column_name }} > {{ limits['max'] }}
        {%- endif %}
{% endtest %}

{#- Generic test: rows whose column exceeds another column of the same row, plus an optional
    tolerance named in physical_bounds() (a low above its high, a dew point above the air). -#}
{% test not_above(model, column_name, ceiling, tolerance=none) %}
    {%- set allowance = physical_bounds()[tolerance] if tolerance else 0 %}
    select
        {{ column_name }},
        {{ ceiling }}
    from {{ model }}
    where {{ column_name }} > {{ ceiling }} + {{ allowance }}
{% endtest %}
