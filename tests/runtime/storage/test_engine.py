"""The engine: real transactions on SQLite, and readers that never block the writer."""

from sqlalchemy import text

from runtime.storage.engine import read_only


def test_a_reader_mid_transaction_does_not_block_a_writer(engine):
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (n INTEGER)"))
    with read_only(engine.connect()) as reader:
        assert reader.execute(text("SELECT count(*) FROM t")).scalar() == 0  # transaction open
        with engine.begin() as writer:  # would wait for the reader's lock if reads took it
            writer.execute(text("INSERT INTO t VALUES (1)"))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 1


def test_ddl_rolls_back_with_the_transaction(engine):
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE doomed (n INTEGER)"))
            raise RuntimeError("crash")
    except RuntimeError:
        pass
    with engine.connect() as conn:
        names = conn.execute(text(
            "SELECT name FROM sqlite_master WHERE name = 'doomed'" if engine.dialect.name == "sqlite"
            else "SELECT tablename FROM pg_tables WHERE tablename = 'doomed'")).all()
    assert names == []
