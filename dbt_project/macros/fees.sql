{#- SQL twin of domain/fees.py: Kalshi fee per order, rounded up to the cent.
    Taker 0.07 x C x P x (1-P); maker 0.0175 x C x P x (1-P) only for fee types that charge makers. -#}

{% macro kalshi_fee(contract_count, price, role="'taker'", fee_type="'quadratic'", fee_multiplier=1) -%}
    cast(
        case
            when {{ role }} = 'maker' and {{ fee_type }} <> 'quadratic_with_maker_fees'
                then 0
            else ceil(
                round(
                    (case when {{ role }} = 'maker' then 0.0175 else 0.07 end)
                    * cast({{ fee_multiplier }} as decimal(18, 6))
                    * cast({{ contract_count }} as decimal(18, 4))
                    * cast({{ price }} as decimal(18, 6))
                    * (1 - cast({{ price }} as decimal(18, 6)))
                    * 100,
                    8
                )
            ) / 100
        end
        as decimal(18, 2)
    )
{%- endmacro %}
