"""Per-role sign-in policy set by admins on /admin/roles: for now, whether a role requires 2FA.

Roles themselves are app metadata; this policy is the customer's security decision, kept
apart from the published app so an admin changes it without a publish and an upgrade keeps it.

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "metacrm_role_policy",
        sa.Column("role", sa.String(81), nullable=False),
        sa.Column("require_2fa", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.PrimaryKeyConstraint("role", name="pk_metacrm_role_policy"),
    )


def downgrade():
    op.drop_table("metacrm_role_policy")
