"""dagster-dask's executor, with the run and its known state sent to the workers serialised.

dagster-dask 0.29 hands the run (a NamedTuple) to `Client.submit` as it is; dask >= 2024.12 walks every tuple among a
task's arguments, and a run over a partition range holds a Dagster `@record` that refuses iteration ("Iteration is
not allowed on `@record` KeyRangesPartitionsSubset"): every ranged run failed before its first step. Serialised with
Dagster's own serdes, the two are opaque strings to dask. The rest is dagster-dask's loop for an existing scheduler
or a local cluster."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import dask.distributed
from dagster import DagsterEvent, Executor, ExecutorDefinition, InitExecutorContext, executor
from dagster import _check as check
from dagster._core.definitions.executor_definition import multiple_process_executor_requirements
from dagster._core.errors import raise_execution_interrupts
from dagster._core.execution.context.system import PlanOrchestrationContext
from dagster._core.execution.plan.plan import ExecutionPlan
from dagster._core.execution.plan.state import KnownExecutionState
from dagster._core.execution.retries import RetryMode
from dagster._core.storage.dagster_run import DagsterRun
from dagster._serdes import deserialize_value, serialize_value
from dagster._utils import iterate_with_context
from dagster_dask.executor import dask_executor, get_dask_resource_requirements, query_on_dask_worker


def _step_on_worker(dependencies: list[Any], recon_job: Any, run: str, run_config: Any, step_keys: list[str],
                    instance_ref: Any, known_state: str | None) -> Sequence[DagsterEvent]:
    # `dependencies` (the futures of upstream steps) only make dask wait for them
    return query_on_dask_worker(dependencies, recon_job, deserialize_value(run, DagsterRun), run_config, step_keys,
                                instance_ref,
                                deserialize_value(known_state, KnownExecutionState) if known_state else None)


class DaskStepExecutor(Executor):
    def __init__(self, cluster: str | dict[str, Any]) -> None:
        self.cluster = cluster  # a scheduler address, or LocalCluster arguments

    @property
    def retries(self) -> RetryMode:
        return RetryMode.DISABLED  # dask retries a step whose worker died (distributed.scheduler.allowed-failures)

    def execute(self, plan_context: PlanOrchestrationContext, execution_plan: ExecutionPlan) -> Iterator[DagsterEvent]:
        check.invariant(plan_context.instance.is_persistent, "Dask execution requires a persistent DagsterInstance")
        cluster = (self.cluster if isinstance(self.cluster, str) else
                   dask.distributed.LocalCluster(**self.cluster))
        run = serialize_value(plan_context.dagster_run)
        known = execution_plan.known_state
        known_state = serialize_value(known) if known else None
        with dask.distributed.Client(cluster) as client:
            futures: dict[str, Any] = {}
            for step_level in execution_plan.get_steps_to_execute_by_level():
                for step in step_level:
                    dependencies = [futures[key] for step_input in step.step_inputs
                                    for key in step_input.dependency_keys]
                    futures[step.key] = client.submit(
                        _step_on_worker, dependencies, plan_context.reconstructable_job, run,
                        plan_context.run_config, [step.key], plan_context.instance.get_ref(), known_state,
                        key=f"{plan_context.job_name}.{step.key}",
                        resources=get_dask_resource_requirements(step.tags))
            done = dask.distributed.as_completed(list(futures.values()), with_results=True)
            for _, events in iterate_with_context(raise_execution_interrupts, done):
                for event in events:
                    yield check.inst(event, DagsterEvent)


@executor(name="dask", requirements=multiple_process_executor_requirements(),
          config_schema=dask_executor.config_schema.as_field())
def dask_step_executor(init_context: InitExecutorContext) -> DaskStepExecutor:
    clusters: dict[str, dict[str, Any]] = init_context.executor_config["cluster"]  # type: ignore[assignment]
    ((kind, config),) = clusters.items()
    if kind == "existing":
        return DaskStepExecutor(config["address"])
    check.invariant(kind == "local", f"cluster {kind!r}: only an existing scheduler or a local cluster")
    return DaskStepExecutor({"threads_per_worker": 1, **config})  # Dagster's step execution is not thread-safe


def dask_executor_def(address: str, workers: int) -> ExecutorDefinition:
    cluster: dict[str, dict[str, object]] = ({"existing": {"address": address}} if address else
                                             {"local": {"n_workers": workers}})
    return dask_step_executor.configured({"cluster": cluster}, name="dask")
