"""The book-liquidity section: a table from fct_book_liquidity, or one line saying what to do."""

from __future__ import annotations

import duckdb

from reports.book_liquidity import NO_BOOKS, book_liquidity_section


def test_without_the_mart_the_section_says_how_to_get_books() -> None:
    con = duckdb.connect()
    section = book_liquidity_section(con)
    assert section.table_html == "" and "not built yet" in section.notes[0]
    assert "python -m pipelines record" in section.notes[0]


def test_rows_become_a_table_with_unknown_sizes_said_in_words() -> None:
    con = duckdb.connect()
    con.execute(
        """
        create table main.fct_book_liquidity as select
            'real' as data_source, 'top_of_book_log' as book_source, 'KNYC' as station_icao,
            'HIGH' as contract_type, 14 as lst_hour, 2083 as minutes_observed,
            0.664 as two_sided_share, 0.02::decimal(18, 4) as median_spread_dollars,
            0.07::decimal(18, 4) as p90_spread_dollars, null::decimal(18, 2) as median_ask_depth,
            0 as running_bracket_minutes, null::double as running_bracket_ask_below_accuracy_share
        """
    )
    html = book_liquidity_section(con).table_html
    assert "real · top_of_book_log" in html and "66%" in html and "2¢ / 7¢" in html
    assert "sizes unknown" in html and "no running extreme" in html
    con.execute("delete from main.fct_book_liquidity")
    assert book_liquidity_section(con).notes == [NO_BOOKS]
