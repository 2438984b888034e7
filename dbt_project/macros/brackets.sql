{#- SQL twin of domain/brackets.py: inclusive whole-degree bounds of a Kalshi bracket.
    between is inclusive on both integer strikes; greater and less are strict. Where
    bracket_from_strikes raises (unsupported type, a missing strike, an empty between),
    bracket_error names the reason and both bounds are null: no open tail is invented. -#}

{% macro bracket_error(strike_type, floor_strike, cap_strike) -%}
    case
        when
            lower(trim({{ strike_type }})) is null
            or lower(trim({{ strike_type }}))
            not in ('between', 'greater', 'less', 'greater_or_equal', 'less_or_equal')
            then 'unsupported strike_type ' || coalesce(lower(trim({{ strike_type }})), 'null')
        when
            lower(trim({{ strike_type }})) in ('between', 'greater', 'greater_or_equal')
            and {{ floor_strike }} is null
            then 'floor strike missing'
        when
            lower(trim({{ strike_type }})) in ('between', 'less', 'less_or_equal')
            and {{ cap_strike }} is null
            then 'cap strike missing'
        when
            lower(trim({{ strike_type }})) = 'between'
            and ceil({{ floor_strike }}) > floor({{ cap_strike }})
            then 'empty between bracket'
    end
{%- endmacro %}

{% macro bracket_lower(strike_type, floor_strike, cap_strike) -%}
    case
        when {{ bracket_error(strike_type, floor_strike, cap_strike) }} is null
            then case lower(trim({{ strike_type }}))
                when 'between' then cast(ceil({{ floor_strike }}) as integer)
                when 'greater' then cast(floor({{ floor_strike }}) as integer) + 1
                when 'greater_or_equal' then cast(ceil({{ floor_strike }}) as integer)
            end
    end
{%- endmacro %}

{% macro bracket_upper(strike_type, floor_strike, cap_strike) -%}
    case
        when {{ bracket_error(strike_type, floor_strike, cap_strike) }} is null
            then case lower(trim({{ strike_type }}))
                when 'between' then cast(floor({{ cap_strike }}) as integer)
                when 'less' then cast(ceil({{ cap_strike }}) as integer) - 1
                when 'less_or_equal' then cast(floor({{ cap_strike }}) as integer)
            end
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
