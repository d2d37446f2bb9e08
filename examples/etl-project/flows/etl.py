"""A nightly ETL flow, as it was written for Prefect 0.15."""
from prefect import Flow, Parameter, task
from prefect.engine.executors import LocalDaskExecutor
from prefect.environments import LocalEnvironment
from prefect.environments.storage import GitHub
from prefect.utilities.exceptions import StorageError


@task
def extract(day):
    return list(range(day))


@task
def load(rows):
    if not rows:
        raise StorageError("nothing to load")
    print(f"loaded {len(rows)} rows")


with Flow(
    "nightly-etl",
    storage=GitHub(repo="acme/flows", path="flows/etl.py"),
    environment=LocalEnvironment(
        labels=["etl"],
        executor=LocalDaskExecutor(scheduler="threads"),
    ),
) as flow:
    day = Parameter("day", default=3)
    load(extract(day))
