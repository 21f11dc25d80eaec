"""History entries that cover a batch of created records (bulk imports).

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("metacrm_history") as batch:
        batch.add_column(sa.Column("last_record_id", sa.BigInteger))


def downgrade():
    with op.batch_alter_table("metacrm_history") as batch:
        batch.drop_column("last_record_id")
