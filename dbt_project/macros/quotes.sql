{#- SQL twins of domain/quotes.py, the "no quote" rule: Kalshi reports an empty side of the book
    as a YES bid of 0 and a YES ask of 1, so only a price strictly inside (0, 1) is a quote;
    anything else (0, 1, a non-positive ask, a bid of 1 or more, null) is null. Applied once in
    staging; downstream models trust it. -#}

{% macro executable_ask(yes_ask) -%}
    case when ({{ yes_ask }}) > 0 and ({{ yes_ask }}) < 1 then ({{ yes_ask }}) end
{%- endmacro %}

{% macro executable_bid(yes_bid) -%}
    case when ({{ yes_bid }}) > 0 and ({{ yes_bid }}) < 1 then ({{ yes_bid }}) end
{%- endmacro %}
