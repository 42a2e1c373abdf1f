"""The local servers start wherever the repository is cloned, also in a folder only root can enter (root's
0700 home, a `mktemp -d` folder), where the postgres user cannot reach a data directory inside the clone."""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from pathlib import Path

import asyncpg
import pytest

from shared.local_servers import POSTGRES_HOME, postgres_base, start_postgres, stop_postgres
from tests.support.private_servers import free_port

pytestmark = [pytest.mark.integration, pytest.mark.slow]


async def test_postgres_starts_for_a_clone_in_a_folder_only_root_can_enter():
    private = Path(tempfile.mkdtemp(prefix="selvhjelp-clone-"))  # mode 0700, like /root
    assert stat.S_IMODE(os.stat(private).st_mode) == 0o700
    run_dir = private / "repo" / ".run"
    port = free_port()
    base = postgres_base(run_dir)
    try:
        start_postgres(run_dir, port)
        connection = await asyncpg.connect(host="127.0.0.1", port=port, user="postgres", database="postgres")
        assert await connection.fetchval("select 1") == 1
        await connection.close()
        if os.geteuid() == 0:
            # The data lives where the postgres user can reach it, and the clone links to it.
            assert base.parent == POSTGRES_HOME and (base / "postgres" / "PG_VERSION").exists()
            assert (run_dir / "postgres").is_symlink()
            assert (run_dir / "postgres").resolve() == (base / "postgres").resolve()
        else:
            assert base == run_dir.resolve()
    finally:
        stop_postgres(run_dir)
        if base != run_dir.resolve():
            shutil.rmtree(base, ignore_errors=True)
        shutil.rmtree(private, ignore_errors=True)
    with pytest.raises(OSError):
        await asyncpg.connect(host="127.0.0.1", port=port, user="postgres", database="postgres", timeout=2)
