"""SQLAlchemy 1.4 ORM (Debian python3-sqlalchemy) over psycopg2, unmodified, against micedb.

On first connect the postgresql dialect asks the server for version(), current_schema(),
standard_conforming_strings and the transaction isolation level; create_all() probes
pg_catalog for each table (has_table) before its CREATE TABLE; the ORM then runs INSERT ...
RETURNING for serial keys, SELECTs with joins for relationships, SAVEPOINTs for nested
transactions.

micedb has no foreign keys and no jsonb yet (README.md "not yet in SQL"), so the
relationship is declared with primaryjoin/foreign() and no column is JSONB; it has no
ROLLBACK TO SAVEPOINT yet, so a nested transaction is only released."""
import datetime as dt
import decimal

import pytest
import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.orm import Session, declarative_base, relationship, selectinload

import drivers_common as dc

Base = declarative_base()


class Author(Base):
    __tablename__ = "drv_author"
    id = sa.Column(sa.Integer, primary_key=True)
    name = sa.Column(sa.String(50), nullable=False, unique=True)
    born = sa.Column(sa.Date)
    books = relationship("Book", back_populates="author", order_by="Book.id",
                         primaryjoin="Author.id == foreign(Book.author_id)",
                         cascade="all, delete-orphan")


class Book(Base):
    __tablename__ = "drv_book"
    id = sa.Column(sa.BigInteger, primary_key=True)
    author_id = sa.Column(sa.Integer, nullable=False)  # no FOREIGN KEY: see the docstring
    title = sa.Column(sa.Text, nullable=False)
    price = sa.Column(sa.Numeric(10, 2))
    published = sa.Column(sa.DateTime(timezone=True))
    in_print = sa.Column(sa.Boolean, default=True)
    tags = sa.Column(pg.ARRAY(sa.Text))
    meta = sa.Column(sa.String(100))
    ref = sa.Column(pg.UUID(as_uuid=True))
    author = relationship("Author", back_populates="books",
                          primaryjoin="Author.id == foreign(Book.author_id)")


class AllTypes(Base):
    __tablename__ = "drv_sa_types"
    id = sa.Column(sa.Integer, primary_key=True, autoincrement=False)
    c_int2 = sa.Column(sa.SmallInteger)
    c_int4 = sa.Column(sa.Integer)
    c_int8 = sa.Column(sa.BigInteger)
    c_float4 = sa.Column(pg.REAL)
    c_float8 = sa.Column(pg.DOUBLE_PRECISION)
    c_numeric = sa.Column(sa.Numeric(24, 6))
    c_bool = sa.Column(sa.Boolean)
    c_text = sa.Column(sa.Text)
    c_varchar = sa.Column(sa.String(20))
    c_char = sa.Column(sa.CHAR(5))
    c_bytea = sa.Column(sa.LargeBinary)
    c_date = sa.Column(sa.Date)
    c_time = sa.Column(sa.Time)
    c_timetz = sa.Column(sa.Time(timezone=True))
    c_ts = sa.Column(sa.DateTime)
    c_tstz = sa.Column(sa.DateTime(timezone=True))
    c_interval = sa.Column(sa.Interval)
    c_uuid = sa.Column(pg.UUID(as_uuid=True))
    c_int_arr = sa.Column(pg.ARRAY(sa.Integer))
    c_text_arr = sa.Column(pg.ARRAY(sa.Text))


@pytest.fixture(scope="module")
def engine(target):
    e = sa.create_engine(f"postgresql+psycopg2://root@{target.host}:{target.port}/defaultdb",
                         connect_args={"connect_timeout": 10}, future=True)
    with e.begin() as c:
        for t in ("drv_book", "drv_author", "drv_sa_types", "drv_fk", "drv_fk_parent"):
            c.execute(sa.text(f"DROP TABLE IF EXISTS {t}"))
    Base.metadata.create_all(e)
    yield e
    e.dispose()


def test_connect_and_dialect(engine):
    with engine.connect() as c:
        assert c.execute(sa.text("SELECT 1")).scalar() == 1
        assert engine.dialect.server_version_info >= (15,)
        assert engine.dialect.default_schema_name == "public"
        assert c.execute(sa.text("SELECT :a || :b"), {"a": "x", "b": "y"}).scalar() == "xy"


def test_create_all_is_idempotent(engine):
    Base.metadata.create_all(engine)  # has_table sees every table: no CREATE is sent
    insp = sa.inspect(engine)
    assert {"drv_author", "drv_book", "drv_sa_types"} <= set(insp.get_table_names())
    assert insp.has_table("drv_book") and not insp.has_table("drv_nope")


def test_reflect(engine):
    """Inspector (its get_columns query selects json_build_object over pg_sequence) and
    Table(autoload_with=...), as Alembic and automap use them."""
    insp = sa.inspect(engine)
    cols = {c["name"]: c for c in insp.get_columns("drv_book")}
    assert set(cols) == {"id", "author_id", "title", "price", "published", "in_print", "tags",
                         "meta", "ref"}
    assert isinstance(cols["id"]["type"], sa.BigInteger) and cols["id"]["autoincrement"]
    assert cols["id"]["default"] == "nextval('drv_book_id_seq'::regclass)"
    assert isinstance(cols["price"]["type"], sa.Numeric) and cols["price"]["type"].scale == 2
    assert isinstance(cols["tags"]["type"], pg.ARRAY)
    assert not cols["title"]["nullable"] and cols["meta"]["nullable"]
    assert insp.get_pk_constraint("drv_book")["constrained_columns"] == ["id"]
    assert insp.get_foreign_keys("drv_book") == []
    assert [u["column_names"] for u in insp.get_unique_constraints("drv_author")] == [["name"]]
    assert [(i["name"], i["unique"]) for i in insp.get_indexes("drv_author")] == \
        [("drv_author_name_key", True)]
    t = sa.Table("drv_sa_types", sa.MetaData(), autoload_with=engine)
    assert [c.name for c in t.columns] == ["id"] + dc.NAMES
    assert isinstance(t.c.c_timetz.type, sa.TIME) and t.c.c_timetz.type.timezone
    assert isinstance(t.c.c_uuid.type, pg.UUID)
    with engine.connect() as c:
        c.execute(t.insert().values(id=99, c_text="reflected", c_text_arr=["x"]))
        assert c.execute(sa.select(t.c.c_text, t.c.c_text_arr).where(t.c.id == 99)).one() == \
            ("reflected", ["x"])
        c.rollback()


def test_foreign_key_is_refused_with_feature_not_supported(engine, target):
    """micedb has no foreign keys yet (README.md "not yet in SQL"): the relationship below
    is declared with primaryjoin/foreign() instead, and a FOREIGN KEY constraint fails
    cleanly with 0A000 rather than being accepted and not enforced."""
    if target.kind == "postgres":
        pytest.skip("PostgreSQL has foreign keys")
    md = sa.MetaData()
    parent = sa.Table("drv_fk_parent", md, sa.Column("id", sa.Integer, primary_key=True))
    child = sa.Table("drv_fk", md, sa.Column("id", sa.Integer, primary_key=True),
                     sa.Column("p", sa.Integer, sa.ForeignKey("drv_fk_parent.id")))
    parent.create(engine)
    with pytest.raises(sa_exc.NotSupportedError) as ei:
        child.create(engine)
    assert ei.value.orig.pgcode == "0A000"
    parent.drop(engine)


def test_orm_relationship_commit_rollback(engine):
    with Session(engine) as s:
        a = Author(name="Ursula", born=dt.date(1929, 10, 21))
        a.books = [
            Book(title="The Dispossessed", price=decimal.Decimal("9.99"),
                 published=dt.datetime(1974, 5, 1, tzinfo=dt.timezone.utc),
                 tags=["sf", "anarchy"], meta="387 pages", ref=dc.ROWS[1]["c_uuid"]),
            Book(title="A Wizard of Earthsea", price=None, tags=[], meta=None),
        ]
        s.add(a)
        s.commit()
        aid = a.id
        assert aid is not None and [b.id for b in a.books] == sorted(b.id for b in a.books)

    with Session(engine) as s:
        a = s.execute(sa.select(Author).where(Author.name == "Ursula")
                      .options(selectinload(Author.books))).scalar_one()
        assert a.id == aid
        assert [b.title for b in a.books] == ["The Dispossessed", "A Wizard of Earthsea"]
        b0 = a.books[0]
        assert (b0.price, b0.tags, b0.meta, b0.ref, b0.in_print) == \
            (decimal.Decimal("9.99"), ["sf", "anarchy"], "387 pages", dc.ROWS[1]["c_uuid"],
             True)
        assert b0.published == dt.datetime(1974, 5, 1, tzinfo=dt.timezone.utc)
        # join query through the relationship
        titles = s.execute(sa.select(Book.title).join(Book.author)
                           .where(Author.born < dt.date(1930, 1, 1))
                           .order_by(Book.title)).scalars().all()
        assert titles == ["A Wizard of Earthsea", "The Dispossessed"]

        # rollback discards a pending change
        b0.title = "changed"
        s.add(Book(author_id=aid, title="never"))
        s.flush()
        s.rollback()
        assert s.execute(sa.select(sa.func.count()).select_from(Book)).scalar() == 2
        assert s.get(Book, b0.id).title == "The Dispossessed"

        # a failed flush (unique violation) rolls the whole transaction back
        s.add(Book(author_id=aid, title="lost"))
        s.add(Author(name="Ursula"))
        with pytest.raises(sa_exc.IntegrityError) as ei:
            s.flush()
        assert ei.value.orig.pgcode == dc.UNIQUE_VIOLATION
        s.rollback()
        # a nested transaction (SAVEPOINT ... RELEASE) inside a committed one; micedb has
        # no ROLLBACK TO SAVEPOINT yet, so only the released one is exercised
        with s.begin_nested():
            s.add(Book(author_id=aid, title="kept"))
        s.commit()
        assert sorted(b.title for b in s.get(Author, aid).books) == \
            ["A Wizard of Earthsea", "The Dispossessed", "kept"]

        # delete-orphan cascade
        s.delete(s.get(Author, aid))
        s.commit()
        assert s.execute(sa.select(sa.func.count()).select_from(Book)).scalar() == 0


def test_types_round_trip(engine):
    with Session(engine) as s:
        for rid, row in dc.ROWS.items():
            s.add(AllTypes(id=rid, **row))
        s.commit()
    with Session(engine) as s:
        for rid in dc.ROWS:
            obj = s.get(AllTypes, rid)
            got = {c: getattr(obj, c) for c in dc.NAMES}
            if got["c_bytea"] is not None:
                got["c_bytea"] = bytes(got["c_bytea"])
            assert dc.diff(got, dc.expected(rid)) == []
        # a parameterized select over several types at once
        q = sa.select(AllTypes.id).where(AllTypes.c_date == dt.date(2024, 2, 29),
                                         AllTypes.c_numeric > decimal.Decimal("1"),
                                         AllTypes.c_text_arr.contains(["b c"]))
        assert s.execute(q).scalars().all() == [1]


@pytest.mark.parametrize("sql,code", [
    ("INSERT INTO drv_sa_types (id) VALUES (1)", dc.UNIQUE_VIOLATION),
    ("SELECT 1 / (id - id) FROM drv_sa_types", dc.DIVISION_BY_ZERO),
    ("SELECT * FROM no_such_table", dc.UNDEFINED_TABLE),
])
def test_errors_carry_sqlstate(engine, sql, code):
    with engine.connect() as c:
        with pytest.raises(sa_exc.DBAPIError) as ei:
            c.execute(sa.text(sql))
        assert ei.value.orig.pgcode == code
        c.rollback()
        assert c.execute(sa.text("SELECT 3")).scalar() == 3


def test_compiled_statement_reuse(engine):
    q = sa.select(AllTypes.c_int8, AllTypes.c_text_arr).where(AllTypes.id == sa.bindparam("i"))
    with engine.connect() as c:
        for _ in range(3):
            for rid in dc.ROWS:
                want = dc.expected(rid)
                assert c.execute(q, {"i": rid}).one() == (want["c_int8"], want["c_text_arr"])
