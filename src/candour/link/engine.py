"""Training, prediction and clustering with Splink on DuckDB (default) or Spark."""

from __future__ import annotations

import logging
import math
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from candour.link import model

ARRAYS = (
    "given_groups", "family_groups", "initials", "phones", "rec_phones", "rec_vehicles",
    "rec_postcodes",
)  # fmt: skip
#: A blocking key shared by more mentions than this is refined (birth year, then given name),
#: so that common family names never produce a quadratic number of pairs.
BLOCK_CAP = 400


def prepare(frame: pd.DataFrame) -> pd.DataFrame:
    """Empty lists become nulls so that Splink's null levels see 'not known'."""
    out = frame.copy()
    for col in ARRAYS:
        out[col] = out[col].map(lambda v: list(v) if v is not None and len(v) else None)
    out["birth_year"] = out["birth_year"].astype("Int64")
    out["family_block"] = adaptive_key(out)
    # The family name's first letters: with the given name, a block that misspellings later
    # in the name ("Mwagi", "Wriht") do not leave.
    prefix = out["family_key"].str[:3]
    out["family_prefix"] = prefix.where(prefix.notna(), None)
    # And its last letters, for misspellings early in it ("Hguhes", "Shhaw").
    suffix = out["family_key"].str[-3:]
    out["family_suffix"] = suffix.where(suffix.notna(), None)
    return out


def adaptive_key(frame: pd.DataFrame) -> pd.Series:
    """family name; where too common, family + birth year; where still too common, + given."""
    fam = frame["family_key"].fillna("")
    key = fam.copy()
    counts = key.map(key.value_counts())
    big = (counts > BLOCK_CAP) & (fam != "")
    by = frame["birth_year"].astype("string").fillna("?")
    key[big] = fam[big] + "|" + by[big]
    counts = key.map(key.value_counts())
    big = (counts > BLOCK_CAP) & (fam != "")
    key[big] = key[big] + "|" + frame["given_key"].fillna("?")[big]
    return key.where(fam != "", None)


#: Where the engines spill: set by `scratch` for a run over the store's people.
_SCRATCH: ContextVar[Path | None] = ContextVar("candour_link_scratch", default=None)


@contextmanager
def scratch(home: Path) -> Iterator[Path]:
    """A private folder under the data home (0700) for the engines' spill files, which hold
    names, dates of birth and phones: never the system's shared temporary directory. It is
    removed when the run ends, and a Spark session started in it is stopped."""
    parent = home / "scratch"
    parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="link-", dir=parent))
    token = _SCRATCH.set(folder)
    try:
        yield folder
    finally:
        _SCRATCH.reset(token)
        _stop_spark()
        shutil.rmtree(folder, ignore_errors=True)


def _stop_spark() -> None:
    if "pyspark" not in sys.modules:
        return
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        active.stop()


def _spill_dir(name: str) -> Path:
    """The current run's scratch, or (public benchmark data, no store) a private temporary
    folder."""
    base = _SCRATCH.get()
    folder = base / name if base else Path(tempfile.gettempdir()) / f"candour-{name}-{os.getuid()}"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def db_api(engine: str = "duckdb") -> Any:
    if engine == "duckdb":
        # No progress bars on the console: long commands show their own.
        import duckdb
        from splink import DuckDBAPI

        con = duckdb.connect()
        con.execute("SET enable_progress_bar = false")
        # Spill into the run's private scratch, never the working or shared temporary folder.
        con.execute(f"SET temp_directory = '{_spill_dir('duckdb').as_posix()}'")
        return DuckDBAPI(con)
    if engine == "spark":
        return _spark_api()
    from candour.errors import ConfigError

    raise ConfigError(f"unknown linkage engine '{engine}' (duckdb or spark)")


def _spark_api() -> Any:
    """Splink on Spark: a local Spark by default, or the cluster CANDOUR_SPARK_MASTER names
    (see README, "Linking across forces on a Spark cluster")."""
    from candour.errors import ConfigError
    from candour.settings import Settings

    try:
        from pyspark.sql import SparkSession
        from splink.backends.spark import SparkAPI, similarity_jar_location
    except ImportError:
        raise ConfigError(
            "the spark engine needs pyspark: pip install 'candour[spark]' (and Java 17)"
        ) from None
    settings = Settings()
    spill = _spill_dir("spark")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = (
        SparkSession.builder.master(settings.spark_master)
        .appName("candour-link")
        .config("spark.jars", similarity_jar_location())
        .config("spark.sql.shuffle.partitions", str(settings.spark_partitions))
        .config("spark.default.parallelism", str(settings.spark_partitions))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.local.dir", str(spill))
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
    )
    try:
        spark = builder.getOrCreate()
    except Exception as exc:  # the JVM could not start: say why in one line
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConfigError(
            f"cannot start Spark ({first})", hint="the spark engine needs Java 17"
        ) from None
    spark.sparkContext.setLogLevel("ERROR")
    spark.sparkContext.setCheckpointDir(str(spill / "checkpoints"))
    return SparkAPI(spark_session=spark, num_partitions_on_repartition=settings.spark_partitions)


_WHOLE = ("unique_id", "record_id", "start", "birth_year")


def register(api: Any, frame: pd.DataFrame, name: str) -> Any:
    """A frame as an engine table. Spark is given the schema: it cannot infer the type of a
    column that is all nulls (no vehicles named anywhere, say), and Splink's comparisons need
    arrays of text and whole numbers where the frame has them."""
    if not hasattr(api, "spark"):
        return api.register(frame, table_name=name)
    import uuid

    from pyspark.sql import types as T

    name = f"{name}_{uuid.uuid4().hex[:12]}"  # one Spark session serves every run

    fields, columns = [], {}
    values: list[Any]
    for col in frame.columns:
        raw = frame[col].astype(object).where(frame[col].notna(), None).tolist()
        if col in ARRAYS:
            kind: Any = T.ArrayType(T.StringType())
            values = [None if v is None else [str(x) for x in v] for v in raw]
        elif col in _WHOLE:
            kind = T.LongType()
            values = [None if v is None else int(v) for v in raw]
        else:
            kind = T.StringType()
            values = [None if v is None else str(v) for v in raw]
        fields.append(T.StructField(col, kind, True))
        columns[col] = values
    rows = list(zip(*columns.values(), strict=True)) if columns else []
    data = api.spark.createDataFrame(rows, schema=T.StructType(fields))
    return api.register(data, table_name=name)


def query(api: Any, sql: str) -> pd.DataFrame:
    """Run SQL on the engine's own tables (the pairs Splink scored there)."""
    if hasattr(api, "spark"):
        return api.spark.sql(sql).toPandas()
    return api._con.execute(sql).df()


@dataclass
class Trained:
    linker: Any
    api: Any
    # Pairs already scored while training (table name, and the match-weight shift from the
    # prior they were scored with to the model's final one), complete down to `scored_floor`.
    scored: tuple[str, float] | None = None
    scored_floor: float = 0.0


def train(frame: pd.DataFrame, *, baseline: bool = False, engine: str = "duckdb") -> Trained:
    """Unsupervised: lambda from deterministic rules, u by random sampling, m by EM."""
    from splink import Linker, block_on

    api = db_api(engine)
    prepared = prepare(frame)
    settings = model.baseline_settings() if baseline else model.person_settings()
    # u from distinct people-as-written: the same person written the same way a hundred times
    # would otherwise make agreement look common among non-matches.
    distinct = prepared.drop_duplicates(subset=["full_name", "birth_year", "dob", "postcode"])
    sample = register(api, distinct, "persons_distinct")
    u_linker = Linker(sample, settings, log_level=logging.ERROR)
    u_linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    table = register(api, prepared, "persons")
    linker = Linker(table, u_linker.misc.save_model_to_json(), log_level=logging.ERROR)
    name = ("given", "family") if baseline else ("given_key", "family_key")
    # The same (canonical) name is the rule most true pairs satisfy; birth details are too
    # often missing in notes to anchor the prior on them.
    linker.training.estimate_probability_two_random_records_match(
        [block_on(*name), block_on("dob")], recall=0.6
    )
    for rule in model.training_blocks(baseline):
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, fix_u_probabilities=True
        )
    if baseline:
        return Trained(linker, api)
    return _refine_prior(linker, api, table, len(prepared), rounds=3)


SCORE_FLOOR = 0.001


def _refine_prior(linker: Any, api: Any, table: Any, n: int, rounds: int) -> Trained:
    """Re-estimate the prior from the model's own expected number of matches.

    Deterministic rules see only the pairs that agree exactly, so in records where one person
    is written many ways (initials, nicknames) they underestimate how many pairs match. The
    expected count over all candidate pairs (pairs outside the blocks have ~0 probability) is
    a better estimate; a few rounds converge. It may raise the prior, never lower it.

    A pair's evidence (its match weight less the prior's) does not depend on the prior, so the
    pairs are scored once and each round only re-sums their probabilities under the new prior:
    one prediction instead of one per round. The scored pairs are kept: under the final prior
    they are the model's predictions (see `scored_pairs`), so the run needs no second one.
    """
    from splink import Linker

    total = n * (n - 1) / 2
    data = linker.misc.save_model_to_json()
    floor = float(data["probability_two_random_records_match"])
    if total <= 0 or not 0 < floor < 1:
        return Trained(linker, api)
    pairs = linker.inference.predict(threshold_match_probability=SCORE_FLOOR)
    prior = floor
    for _ in range(rounds):
        shift = _logit(prior) - _logit(floor)
        expected = query(
            api,
            f"select coalesce(sum({_probability_sql(shift)}), 0) as expected "
            f"from {pairs.physical_name}",
        )["expected"].iloc[0]
        if not expected:
            break
        # Only ever raised: the deterministic estimate is a floor (it counts exact agreements
        # only); letting the estimate fall feeds on itself and collapses on sparse data.
        prior = min(0.5, max(floor, float(expected) / total))
    data["probability_two_random_records_match"] = prior
    shift = _logit(prior) - _logit(floor)
    # A pair below SCORE_FLOOR under the first prior is below this under the final one.
    complete = 1 / (1 + 2 ** -(_logit(SCORE_FLOOR) + shift))
    return Trained(
        Linker(table, data, log_level=logging.ERROR), api, (pairs.physical_name, shift), complete
    )


def _logit(p: float) -> float:
    """Probability -> match weight (log2 odds), as Splink measures them."""
    return math.log2(p / (1 - p))


def _probability_sql(shift: float) -> str:
    """A scored pair's probability once its weight is moved by `shift` (a new prior)."""
    return f"1.0 / (1.0 + pow(2.0, -(match_weight + {float(shift)!r})))"


def scored_pairs(trained: Trained, floor: float) -> pd.DataFrame:
    """Candidate pairs with a match probability >= floor: unique_id_l, unique_id_r and
    match_probability only, straight from the engine (a million mentions give tens of millions
    of pairs; with every compared column they would not fit in memory)."""
    if trained.scored is not None and floor >= trained.scored_floor:
        table, shift = trained.scored
        return query(
            trained.api,
            f"select unique_id_l, unique_id_r, {_probability_sql(shift)} as match_probability "
            f"from {table} where match_weight + {float(shift)!r} >= {_logit(floor)!r}",
        )
    found = trained.linker.inference.predict(threshold_match_probability=floor)
    out = query(
        trained.api,
        f"select unique_id_l, unique_id_r, match_probability from {found.physical_name}",
    )
    found.drop_table_from_database_and_remove_from_cache()
    return out


def predict(trained: Trained, threshold: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Scored pairs above a floor, and clusters (connected components) at `threshold`."""
    pairs = trained.linker.inference.predict(threshold_match_probability=min(0.01, threshold))
    clusters = trained.linker.clustering.cluster_pairwise_predictions_at_threshold(pairs, threshold)
    return pairs.as_pandas_dataframe(), clusters.as_pandas_dataframe()
