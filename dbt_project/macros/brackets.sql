{#- SQL twin of domain/brackets.py: inclusive whole-degree bounds of a Kalshi bracket.
    between is inclusive on both integer strikes; greater and less are strict. -#}

{% macro bracket_lower(strike_type, floor_strike) -%}
    case lower({{ strike_type }})
        when 'between' then cast(ceil({{ floor_strike }}) as integer)
        when 'greater' then cast(floor({{ floor_strike }}) as integer) + 1
        when 'greater_or_equal' then cast(ceil({{ floor_strike }}) as integer)
    end
{%- endmacro %}

{% macro bracket_upper(strike_type, cap_strike) -%}
    case lower({{ strike_type }})
        when 'between' then cast(floor({{ cap_strike }}) as integer)
        when 'less' then cast(ceil({{ cap_strike }}) as integer) - 1
        when 'less_or_equal' then cast(floor({{ cap_strike }}) as integer)
    end
{%- endmacro %}

{% macro bracket_contains(value, lower_bound, upper_bound) -%}
    (
        ({{ lower_bound }} is null or {{ value }} >= {{ lower_bound }})
        and ({{ upper_bound }} is null or {{ value }} <= {{ upper_bound }})
    )
{%- endmacro %}

{% macro bracket_headroom(contract_type, value, lower_bound, upper_bound) -%}
    {#- degrees the running extreme can still move inside the bracket: HIGH toward the upper
        edge, LOW toward the lower edge; null when outside or unbounded (open tail) -#}
    case
        when not {{ bracket_contains(value, lower_bound, upper_bound) }} then null
        when {{ contract_type }} = 'HIGH' then {{ upper_bound }} - {{ value }}
        when {{ contract_type }} = 'LOW' then {{ value }} - {{ lower_bound }}
    end
{%- endmacro %}
