with

rejects as (
    select * from {{ optional_source('trader', 'rejects') }}
),

final as (
    select
        rejects.reject_id,
        rejects.data_source,
        rejects.ingest_channel,
        rejects.source_name,
        rejects.reason,
        rejects.raw_text,
        rejects.location,  -- noqa: RF04
        rejects.rejected_at
    from rejects
)

select * from final
