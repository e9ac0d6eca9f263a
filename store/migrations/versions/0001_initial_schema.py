"""Initial schema: runs, run_files, documents, pages, segments, pairs, findings.

Revision ID: 0001
Revises: 
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('documents',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('pages', sa.Integer(), nullable=False),
    sa.Column('ru_segments', sa.Integer(), nullable=False),
    sa.Column('kk_segments', sa.Integer(), nullable=False),
    sa.Column('pairs', sa.Integer(), nullable=False),
    sa.Column('findings', sa.Integer(), nullable=False),
    sa.Column('first_stored_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('stored_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('times_stored', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_documents'))
    )
    op.create_table('runs',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('inbox', sa.Text(), nullable=False),
    sa.Column('out_dir', sa.Text(), nullable=False),
    sa.Column('processed', sa.Integer(), nullable=False),
    sa.Column('skipped', sa.Integer(), nullable=False),
    sa.Column('failed', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_runs'))
    )
    op.create_table('findings',
    sa.Column('doc_id', sa.String(length=64), nullable=False),
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('severity', sa.String(length=16), nullable=False),
    sa.Column('cause', sa.String(length=16), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('left_lang', sa.String(length=8), nullable=False),
    sa.Column('left_text', sa.Text(), nullable=False),
    sa.Column('left_page', sa.Integer(), nullable=True),
    sa.Column('left_conf', sa.Float(), nullable=True),
    sa.Column('right_lang', sa.String(length=8), nullable=True),
    sa.Column('right_text', sa.Text(), nullable=True),
    sa.Column('right_page', sa.Integer(), nullable=True),
    sa.Column('right_conf', sa.Float(), nullable=True),
    sa.Column('left', sa.JSON(), nullable=False),
    sa.Column('right', sa.JSON(), nullable=True),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('pair_index', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['doc_id'], ['documents.id'], name=op.f('fk_findings_doc_id_documents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('doc_id', 'id', name=op.f('pk_findings'))
    )
    op.create_index(op.f('ix_findings_kind'), 'findings', ['kind'], unique=False)
    op.create_index(op.f('ix_findings_severity'), 'findings', ['severity'], unique=False)
    op.create_table('pages',
    sa.Column('doc_id', sa.String(length=64), nullable=False),
    sa.Column('number', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('words', sa.Integer(), nullable=False),
    sa.Column('segments', sa.Integer(), nullable=False),
    sa.Column('mean_conf', sa.Float(), nullable=True),
    sa.Column('low_conf_words', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['doc_id'], ['documents.id'], name=op.f('fk_pages_doc_id_documents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('doc_id', 'number', name=op.f('pk_pages'))
    )
    op.create_table('pairs',
    sa.Column('doc_id', sa.String(length=64), nullable=False),
    sa.Column('index', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('shape', sa.String(length=8), nullable=False),
    sa.Column('ru', sa.JSON(), nullable=False),
    sa.Column('kk', sa.JSON(), nullable=False),
    sa.Column('ru_text', sa.Text(), nullable=False),
    sa.Column('kk_text', sa.Text(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['doc_id'], ['documents.id'], name=op.f('fk_pairs_doc_id_documents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('doc_id', 'index', name=op.f('pk_pairs'))
    )
    op.create_table('run_files',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('run_id', sa.String(length=64), nullable=False),
    sa.Column('path', sa.Text(), nullable=False),
    sa.Column('doc_id', sa.String(length=64), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('message', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['run_id'], ['runs.id'], name=op.f('fk_run_files_run_id_runs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_run_files'))
    )
    op.create_index(op.f('ix_run_files_doc_id'), 'run_files', ['doc_id'], unique=False)
    op.create_index(op.f('ix_run_files_run_id'), 'run_files', ['run_id'], unique=False)
    op.create_table('segments',
    sa.Column('doc_id', sa.String(length=64), nullable=False),
    sa.Column('id', sa.String(length=80), nullable=False),
    sa.Column('part', sa.String(length=8), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('lang', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('section', sa.Text(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('pages', sa.JSON(), nullable=False),
    sa.Column('bboxes', sa.JSON(), nullable=False),
    sa.Column('ocr_conf', sa.Float(), nullable=True),
    sa.Column('words', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['doc_id'], ['documents.id'], name=op.f('fk_segments_doc_id_documents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('doc_id', 'id', name=op.f('pk_segments'))
    )


def downgrade() -> None:
    op.drop_table('segments')
    op.drop_index(op.f('ix_run_files_run_id'), table_name='run_files')
    op.drop_index(op.f('ix_run_files_doc_id'), table_name='run_files')
    op.drop_table('run_files')
    op.drop_table('pairs')
    op.drop_table('pages')
    op.drop_index(op.f('ix_findings_severity'), table_name='findings')
    op.drop_index(op.f('ix_findings_kind'), table_name='findings')
    op.drop_table('findings')
    op.drop_table('runs')
    op.drop_table('documents')
