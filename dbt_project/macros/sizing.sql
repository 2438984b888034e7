{#- SQL twin of domain/sizing.py::size_order: contracts one order buys at ask, the largest whole
    count costing at most stake_max, 0 when even that count costs less than stake_min; null
    when the ask is missing or outside (0, 1] (Python raises). Exact: asks and stakes have at
    most 4 decimals, so the floor is an integer division in units of $0.0001 (never float). -#}

{% macro size_order(ask, stake_min, stake_max) -%}
    {%- set ask_decimal = 'cast(' ~ ask ~ ' as decimal(18, 4))' -%}
    {%- set count -%}
        (
            cast(round(cast({{ stake_max }} as decimal(18, 4)) * 10000) as bigint)
            // cast(round({{ ask_decimal }} * 10000) as bigint)
        )
    {%- endset -%}
    case
        when {{ ask_decimal }} > 0 and {{ ask_decimal }} <= 1
            then case
                when {{ count }} * {{ ask_decimal }} >= cast({{ stake_min }} as decimal(18, 4))
                    then cast({{ count }} as integer)
                else 0
            end
    end
{%- endmacro %}
