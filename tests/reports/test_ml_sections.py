"""The delta-models section: the table, reliability diagrams and importances, or one line."""

from __future__ import annotations

import duckdb

from reports.ml_sections import NO_MODELS, delta_models_section

EVALUATION = """
    create table main.fct_delta_model_evaluation as
    select *, model_name = 'empirical' as is_baseline,
        case when model_name != 'empirical' then log_loss < baseline_log_loss end
            as beats_baseline_log_loss
    from (values
        ('simulated', 'empirical', 'KMDW', 'HIGH', 5, 1.5, 1.5, 0.5, 0.5, 0.25, 0.25, 0.0625,
         0.0625),
        ('simulated', 'catboost_ordinal', 'KMDW', 'HIGH', 5, 1.25, 1.5, 0.375, 0.5, 0.1875,
         0.25, 0.03125, 0.0625),
        ('simulated', 'catboost_ordinal', 'KNYC', 'LOW', 4, 2.25, 2.0, 0.5, 0.625, 0.5, 0.375,
         0.0625, 0.125)
    ) as t(data_source, model_name, station_icao, contract_type, test_day_count, log_loss,
           baseline_log_loss, brier_score, baseline_brier_score, ranked_probability_score,
           baseline_ranked_probability_score, calibration_error, baseline_calibration_error)
"""
BINS = """
    create table main.fct_delta_model_reliability_bins as
    select 'simulated' as data_source, m.model_name, 'KMDW' as station_icao,
        c.contract_type, b as probability_bin, b / 10 + 0.05 as mean_predicted_probability,
        least(b / 10 + 0.1, 1) as observed_rate, 40 - 3 * b as prediction_count
    from (values ('empirical'), ('catboost_ordinal')) as m(model_name)
    cross join (values ('HIGH'), ('LOW')) as c(contract_type)
    cross join range(10) as r(b)
"""
IMPORTANCES = """
    create table main.fct_delta_model_feature_importances as
    select 'simulated' as data_source, 'catboost_ordinal' as model_name, feature_name,
        importance, row_number() over (order by importance desc) as importance_rank
    from (values ('checkpoint_minute', 40.0), ('temp_slope_60m', 20.0)) as t(feature_name,
        importance)
"""


def test_without_an_evaluation_the_section_is_one_line() -> None:
    con = duckdb.connect()
    assert delta_models_section(con).notes == [NO_MODELS]
    # built but empty (no files when dbt ran): the same line
    con.execute(EVALUATION)
    con.execute("delete from main.fct_delta_model_evaluation")
    section = delta_models_section(con)
    assert section.notes == [NO_MODELS] and section.table_html == "" and not section.figures


def test_models_beside_the_empirical_pmf_with_figures() -> None:
    con = duckdb.connect()
    for sql in (EVALUATION, BINS, IMPORTANCES):
        con.execute(sql)
    section = delta_models_section(con)
    html = section.table_html
    assert section.notes == []
    # the baseline is beside each model, not a row of its own
    assert html.count("<tr>") == 1 + 2 and ">empirical<" not in html
    assert "1.2500 / 1.5000" in html and "0.0312 / 0.0625" in html and "2.2500 / 2.0000" in html
    assert [cell in html for cell in ("<td>yes</td>", "<td>no</td>")] == [True, True]
    assert "simulated catboost_ordinal: beat the empirical pmf on log loss at 1 of 2" in (
        section.lead
    )
    assert [f.alt for f in section.figures] == [
        "delta models, reliability (all stations pooled) (simulated)",
        "delta models, feature importances (simulated)",
    ]
    assert all(len(f.png_base64) > 1000 for f in section.figures)


def test_a_missing_figure_mart_is_a_note_not_a_failure() -> None:
    con = duckdb.connect()
    con.execute(EVALUATION)
    section = delta_models_section(con)
    assert section.table_html and not section.figures
    assert section.notes == [
        "fct_delta_model_reliability_bins has no rows: no reliability (all stations pooled) to "
        "draw.",
        "fct_delta_model_feature_importances has no rows: no feature importances to draw.",
    ]
