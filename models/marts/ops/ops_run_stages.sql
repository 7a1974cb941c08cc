{{ config(tags=['ops'], pre_hook="{{ attach_ops() }}") }}
-- A copy of the ops file's ops_run_stages (macros/ops_source.sql), published with the snapshot.
select * from {{ ops_source('ops_run_stages') }}
