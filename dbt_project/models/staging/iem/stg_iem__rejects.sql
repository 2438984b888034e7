with

rejects as (
    select * from {{ optional_source('iem', 'rejects') }}
),

renamed as (
    select
        rejects.reject_id,
        rejects.data_source,
        rejects.ingest_channel,
        rejects.source_name,
        rejects.reason,
        rejects.raw_text,
        rejects.location,
        rejects.rejected_at
    from rejects
)

select * from renamed
