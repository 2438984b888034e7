with

feature_importances as (
    select * from {{ ref('stg_ml__feature_importances') }}
),

final as (
    select
        feature_importances.data_source,
        feature_importances.model_name,
        feature_importances.feature_name,
        feature_importances.importance,
        -- 1 = the model's most important feature
        row_number() over (
            partition by feature_importances.data_source, feature_importances.model_name
            order by feature_importances.importance desc, feature_importances.feature_name asc
        ) as importance_rank
    from feature_importances
)

select * from final
