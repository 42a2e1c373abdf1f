from services.grouping.models import metadata
from shared.db.alembic_env import run

run(metadata)
