{#- Generic test: the column holds only executable quotes (the no-quote rule of quotes.sql, as
    staging applies it): every value equals its executable_ask / executable_bid, so a 0, a 1, a
    negative or any price outside (0, 1) fails. side: 'ask' or 'bid'. -#}

{% test executable_quote(model, column_name, side) %}
    {%- set rule = executable_ask(column_name) if side == 'ask' else executable_bid(column_name) -%}
    select {{ column_name }}
    from {{ model }}
    where {{ column_name }} is distinct from {{ rule }}
{% endtest %}
