"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-28 10:58:45.137845
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from labintake.db import triggers

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('users',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    op.create_table('api_tokens',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('browser_sessions',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.String(length=36), nullable=False),
    sa.Column('csrf_token', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_browser_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_browser_sessions'))
    )
    with op.batch_alter_table('browser_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_browser_sessions_user_id'), ['user_id'], unique=False)

    op.create_table('patients',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('date_of_birth', sa.Date(), nullable=True),
    sa.Column('sex', sa.String(length=10), nullable=True),
    sa.Column('mrn', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_patients_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patients'))
    )
    with op.batch_alter_table('patients', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_patients_user_id'), ['user_id'], unique=False)

    op.create_table('processing_sessions',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('deadline_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("state IN ('open', 'running', 'paused', 'cancelled')", name=op.f('ck_processing_sessions_state')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_processing_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_processing_sessions'))
    )
    with op.batch_alter_table('processing_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_processing_sessions_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_processing_sessions_user_id'), ['user_id'], unique=False)

    op.create_table('session_events',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('session_id', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.String(length=36), nullable=False),
    sa.Column('file_id', sa.String(length=36), nullable=True),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=True),
    sa.Column('progress', sa.Integer(), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['processing_sessions.id'], name=op.f('fk_session_events_session_id_processing_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_session_events_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_events'))
    )
    with op.batch_alter_table('session_events', schema=None) as batch_op:
        batch_op.create_index('ix_session_events_session_id_id', ['session_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_session_events_user_id'), ['user_id'], unique=False)

    op.create_table('session_processing_summary',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('session_id', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.String(length=36), nullable=False),
    sa.Column('total_files', sa.Integer(), nullable=False),
    sa.Column('pending_files', sa.Integer(), nullable=False),
    sa.Column('processing_files', sa.Integer(), nullable=False),
    sa.Column('completed_files', sa.Integer(), nullable=False),
    sa.Column('failed_files', sa.Integer(), nullable=False),
    sa.Column('timeout_files', sa.Integer(), nullable=False),
    sa.Column('cancelled_files', sa.Integer(), nullable=False),
    sa.Column('overall_progress', sa.Integer(), nullable=False),
    sa.Column('session_status', sa.String(length=16), nullable=False),
    sa.Column('processing_started_at', sa.DateTime(), nullable=True),
    sa.Column('processing_completed_at', sa.DateTime(), nullable=True),
    sa.Column('total_processing_time_ms', sa.BigInteger(), nullable=True),
    sa.Column('timed_out', sa.Boolean(), nullable=False),
    sa.Column('timeout_threshold_ms', sa.BigInteger(), nullable=True),
    sa.Column('continuation_token', sa.String(length=100), nullable=True),
    sa.Column('can_resume', sa.Boolean(), nullable=False),
    sa.Column('metadata', sa.JSON(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("session_status IN ('pending', 'processing', 'paused', 'completed', 'partial', 'failed', 'timeout', 'cancelled')", name=op.f('ck_session_processing_summary_status')),
    sa.ForeignKeyConstraint(['session_id'], ['processing_sessions.id'], name=op.f('fk_session_processing_summary_session_id_processing_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_session_processing_summary_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_processing_summary')),
    sa.UniqueConstraint('session_id', name=op.f('uq_session_processing_summary_session_id'))
    )
    with op.batch_alter_table('session_processing_summary', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_session_processing_summary_user_id'), ['user_id'], unique=False)

    op.create_table('uploaded_files',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.String(length=36), nullable=False),
    sa.Column('session_id', sa.String(length=36), nullable=False),
    sa.Column('storage_key', sa.String(length=200), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('file_type', sa.String(length=100), nullable=False),
    sa.Column('file_size_bytes', sa.BigInteger(), nullable=False),
    sa.Column('page_count', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['processing_sessions.id'], name=op.f('fk_uploaded_files_session_id_processing_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_uploaded_files_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_uploaded_files'))
    )
    with op.batch_alter_table('uploaded_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_uploaded_files_session_id'), ['session_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_uploaded_files_sha256'), ['sha256'], unique=False)
        batch_op.create_index(batch_op.f('ix_uploaded_files_user_id'), ['user_id'], unique=False)

    op.create_table('file_processing_status',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('file_id', sa.String(length=36), nullable=False),
    sa.Column('session_id', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.String(length=36), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('processing_started_at', sa.DateTime(), nullable=True),
    sa.Column('processing_completed_at', sa.DateTime(), nullable=True),
    sa.Column('processing_duration_ms', sa.BigInteger(), nullable=True),
    sa.Column('attempt_number', sa.Integer(), nullable=False),
    sa.Column('max_retry_attempts', sa.Integer(), nullable=False),
    sa.Column('is_retryable', sa.Boolean(), nullable=False),
    sa.Column('error_code', sa.String(length=40), nullable=True),
    sa.Column('error_message', sa.Text(), nullable=True),
    sa.Column('error_details', sa.JSON(), nullable=True),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('file_type', sa.String(length=100), nullable=False),
    sa.Column('file_size_bytes', sa.BigInteger(), nullable=False),
    sa.Column('extracted_text', sa.Text(), nullable=True),
    sa.Column('extraction_model', sa.String(length=100), nullable=True),
    sa.Column('parsing_metadata', sa.JSON(), nullable=True),
    sa.Column('worker_id', sa.String(length=100), nullable=True),
    sa.Column('lease_expires_at', sa.DateTime(), nullable=True),
    sa.Column('heartbeat_at', sa.DateTime(), nullable=True),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("status IN ('pending', 'downloading', 'extracting', 'parsing', 'saving', 'completed', 'failed', 'timeout', 'cancelled')", name=op.f('ck_file_processing_status_status')),
    sa.CheckConstraint('progress BETWEEN 0 AND 100', name=op.f('ck_file_processing_status_progress')),
    sa.ForeignKeyConstraint(['file_id'], ['uploaded_files.id'], name=op.f('fk_file_processing_status_file_id_uploaded_files'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['processing_sessions.id'], name=op.f('fk_file_processing_status_session_id_processing_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_file_processing_status_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_file_processing_status')),
    sa.UniqueConstraint('file_id', name=op.f('uq_file_processing_status_file_id'))
    )
    with op.batch_alter_table('file_processing_status', schema=None) as batch_op:
        batch_op.create_index('ix_file_processing_status_admission', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_file_processing_status_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_file_processing_status_session_id'), ['session_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_file_processing_status_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_file_processing_status_user_id'), ['user_id'], unique=False)

    op.create_table('lab_reports',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.String(length=36), nullable=False),
    sa.Column('patient_id', sa.String(length=36), nullable=True),
    sa.Column('session_id', sa.String(length=36), nullable=False),
    sa.Column('file_id', sa.String(length=36), nullable=False),
    sa.Column('lab_name', sa.String(length=200), nullable=True),
    sa.Column('collected_at', sa.Date(), nullable=True),
    sa.Column('reported_at', sa.Date(), nullable=True),
    sa.Column('ordering_provider', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['file_id'], ['uploaded_files.id'], name=op.f('fk_lab_reports_file_id_uploaded_files'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_lab_reports_patient_id_patients'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['session_id'], ['processing_sessions.id'], name=op.f('fk_lab_reports_session_id_processing_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_lab_reports_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lab_reports')),
    sa.UniqueConstraint('file_id', name=op.f('uq_lab_reports_file_id'))
    )
    with op.batch_alter_table('lab_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lab_reports_patient_id'), ['patient_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lab_reports_session_id'), ['session_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lab_reports_user_id'), ['user_id'], unique=False)

    op.create_table('parsed_documents',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.String(length=36), nullable=False),
    sa.Column('file_id', sa.String(length=36), nullable=False),
    sa.Column('report_id', sa.String(length=36), nullable=False),
    sa.Column('extraction_model', sa.String(length=100), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['file_id'], ['uploaded_files.id'], name=op.f('fk_parsed_documents_file_id_uploaded_files'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['report_id'], ['lab_reports.id'], name=op.f('fk_parsed_documents_report_id_lab_reports'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_parsed_documents_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_parsed_documents')),
    sa.UniqueConstraint('file_id', name=op.f('uq_parsed_documents_file_id'))
    )
    with op.batch_alter_table('parsed_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_parsed_documents_user_id'), ['user_id'], unique=False)

    op.create_table('test_results',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.String(length=36), nullable=False),
    sa.Column('report_id', sa.String(length=36), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('loinc', sa.String(length=16), nullable=True),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('value_text', sa.String(length=100), nullable=False),
    sa.Column('unit', sa.String(length=50), nullable=True),
    sa.Column('reference_low', sa.Float(), nullable=True),
    sa.Column('reference_high', sa.Float(), nullable=True),
    sa.Column('reference_text', sa.String(length=100), nullable=True),
    sa.Column('flag', sa.String(length=10), nullable=True),
    sa.Column('flag_source', sa.String(length=10), nullable=True),
    sa.Column('section', sa.String(length=100), nullable=True),
    sa.Column('needs_review', sa.Boolean(), nullable=False),
    sa.Column('page', sa.Integer(), nullable=True),
    sa.Column('bbox', sa.JSON(), nullable=True),
    sa.Column('confidence', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['report_id'], ['lab_reports.id'], name=op.f('fk_test_results_report_id_lab_reports'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_test_results_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_test_results'))
    )
    with op.batch_alter_table('test_results', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_test_results_loinc'), ['loinc'], unique=False)
        batch_op.create_index(batch_op.f('ix_test_results_report_id'), ['report_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_test_results_user_id'), ['user_id'], unique=False)

    for statement in triggers.ddl(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade() -> None:
    for statement in triggers.drop(op.get_bind().dialect.name):
        op.execute(statement)
    with op.batch_alter_table('test_results', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_test_results_user_id'))
        batch_op.drop_index(batch_op.f('ix_test_results_report_id'))
        batch_op.drop_index(batch_op.f('ix_test_results_loinc'))

    op.drop_table('test_results')
    with op.batch_alter_table('parsed_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_parsed_documents_user_id'))

    op.drop_table('parsed_documents')
    with op.batch_alter_table('lab_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lab_reports_user_id'))
        batch_op.drop_index(batch_op.f('ix_lab_reports_session_id'))
        batch_op.drop_index(batch_op.f('ix_lab_reports_patient_id'))

    op.drop_table('lab_reports')
    with op.batch_alter_table('file_processing_status', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_file_processing_status_user_id'))
        batch_op.drop_index(batch_op.f('ix_file_processing_status_status'))
        batch_op.drop_index(batch_op.f('ix_file_processing_status_session_id'))
        batch_op.drop_index(batch_op.f('ix_file_processing_status_created_at'))
        batch_op.drop_index('ix_file_processing_status_admission')

    op.drop_table('file_processing_status')
    with op.batch_alter_table('uploaded_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_uploaded_files_user_id'))
        batch_op.drop_index(batch_op.f('ix_uploaded_files_sha256'))
        batch_op.drop_index(batch_op.f('ix_uploaded_files_session_id'))

    op.drop_table('uploaded_files')
    with op.batch_alter_table('session_processing_summary', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_session_processing_summary_user_id'))

    op.drop_table('session_processing_summary')
    with op.batch_alter_table('session_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_session_events_user_id'))
        batch_op.drop_index('ix_session_events_session_id_id')

    op.drop_table('session_events')
    with op.batch_alter_table('processing_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_processing_sessions_user_id'))
        batch_op.drop_index(batch_op.f('ix_processing_sessions_created_at'))

    op.drop_table('processing_sessions')
    with op.batch_alter_table('patients', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_patients_user_id'))

    op.drop_table('patients')
    with op.batch_alter_table('browser_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_browser_sessions_user_id'))

    op.drop_table('browser_sessions')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))

    op.drop_table('api_tokens')
    op.drop_table('users')
