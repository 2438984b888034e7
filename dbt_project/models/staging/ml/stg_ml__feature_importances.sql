with

feature_importance as (
    select * from {{ optional_parquet('ml', 'feature_importance') }}
),

final as (
    select
        cast(feature_importance.data_source as varchar) as data_source,
        cast(feature_importance.model as varchar) as model_name,
        cast(feature_importance.feature as varchar) as feature_name,
        cast(feature_importance.importance as double) as importance
    from feature_importance
)

select * from final
