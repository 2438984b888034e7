{#- Wilson score interval bound for a proportion: rate = successes / n, z the normal quantile.
    side 'low' or 'high'; null when n = 0; clamped to [0, 1] so rounding never prints -0.0. -#}

{% macro wilson_bound(rate, n, z, side) -%}
    case
        when {{ n }} > 0 then
            {{ 'greatest(0.0, ' if side == 'low' else 'least(1.0, ' }}round(
                (
                    {{ rate }} + {{ z * z }} / (2 * {{ n }})
                    {{ '-' if side == 'low' else '+' }} {{ z }} * sqrt(
                        {{ rate }} * (1 - {{ rate }}) / {{ n }}
                        + {{ z * z }} / (4 * {{ n }} * {{ n }})
                    )
                ) / (1 + {{ z * z }} / {{ n }}),
                6
            ))
    end
{%- endmacro %}
