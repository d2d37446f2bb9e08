"""Run inside a real Prefect venv: load flow module(s), print what the agent would use, as JSON.

    python real_prefect_extract.py before|after MODULE.py

Used by tests/test_environments_real.py (marker ``real_prefect``). Standalone on purpose (it runs
under Prefect 0.13.19, 0.15.13 and 1.0.0; it must not import prefect_upgrade).

* ``after`` (1.0): the flow's ``run_config`` and ``executor`` as they are.
* ``before`` (0.x): the *effective* configuration Prefect 0.x used, read from the real
  environment object the module built (its parsed attributes, so argument handling is Prefect's
  own), expressed in the 1.0 vocabulary of environments-to-runconfig.md §5: that is what the
  rewrite must reproduce. A flow with a run_config used it (the environment was dead, §4.2).

dask-kubernetes, dask-cloudprovider and dask-saturn are replaced by stubs (their real releases
do not all install on Python 3.11 quickly); so cluster classes are compared by name and
factories (functions building the cluster) by kind, not by running them.
"""

from __future__ import annotations

import json
import os
import runpy
import sys
import types


def _install_stubs() -> None:
    class KubeCluster:
        def __init__(self, *args, **kwargs):
            self.args, self.kwargs = args, kwargs

        @classmethod
        def from_dict(cls, pod, **kwargs):
            return cls(pod, **kwargs)

        @classmethod
        def from_yaml(cls, path, **kwargs):
            return cls(path, **kwargs)

    def make_pod_spec(image, **kwargs):
        return {"image": image, **kwargs}

    dk = types.ModuleType("dask_kubernetes")
    dk.KubeCluster, dk.make_pod_spec = KubeCluster, make_pod_spec
    KubeCluster.__module__ = "dask_kubernetes"

    class FargateCluster:
        def __init__(self, **kwargs):
            self.kwargs = kwargs

    FargateCluster.__module__ = "dask_cloudprovider.aws"
    dcp = types.ModuleType("dask_cloudprovider")
    aws = types.ModuleType("dask_cloudprovider.aws")
    dcp.FargateCluster = aws.FargateCluster = FargateCluster
    dcp.aws = aws

    class SaturnCluster:
        def __init__(self, **kwargs):
            self.kwargs = kwargs

    SaturnCluster.__module__ = "dask_saturn"
    ds = types.ModuleType("dask_saturn")
    ds.SaturnCluster = SaturnCluster
    sys.modules.update(
        {"dask_kubernetes": dk, "dask_cloudprovider": dcp, "dask_cloudprovider.aws": aws, "dask_saturn": ds}
    )


def _norm(value):
    """JSON-able, order-independent form of arguments."""
    if isinstance(value, dict):
        return {str(k): _norm(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (set, frozenset)):
        return sorted(_norm(v) for v in value)
    if isinstance(value, (list, tuple)):
        return [_norm(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, type):
        return f"{value.__module__}.{value.__qualname__}"
    if callable(value):
        return "factory"
    return f"<{type(value).__name__}>"


def _load_yaml(path):
    import yaml

    with open(path) as f:
        return yaml.safe_load(f)


def run_config_dict(rc) -> dict:
    if rc is None:  # register() adds UniversalRun()
        return {"type": "UniversalRun", "labels": []}
    out = {"type": type(rc).__name__, "labels": sorted(rc.labels or [])}
    for attr in (
        "image",
        "job_template",
        "env",
        "image_pull_secrets",
        "task_definition",
        "run_task_kwargs",
        "cpu",
        "memory",
        "task_role_arn",
        "execution_role_arn",
    ):
        value = getattr(rc, attr, None)
        if value:
            out[attr] = _norm(value)
    rtk = out.get("run_task_kwargs")
    if isinstance(rtk, dict) and rtk.get("launchType") == "FARGATE":  # the ECS agent's default
        rtk.pop("launchType")
        if not rtk:
            out.pop("run_task_kwargs")
    return out


def executor_dict(ex) -> dict:
    if ex is None:
        return {"type": "LocalExecutor"}
    out = {"type": type(ex).__name__}
    if out["type"] == "DaskExecutor":
        for attr in ("address", "cluster_class", "cluster_kwargs", "adapt_kwargs", "client_kwargs"):
            value = getattr(ex, attr, None)
            if value:
                out[attr] = _norm(value)
        kwargs = out.get("cluster_kwargs")
        if isinstance(kwargs, dict) and kwargs.get("silence_logs") == 50:
            kwargs.pop("silence_logs")  # a LocalCluster default both versions add
            if not kwargs:
                out.pop("cluster_kwargs")
        client = out.get("client_kwargs")
        if isinstance(client, dict) and client.get("set_as_default") is False:
            client.pop("set_as_default")  # 1.0 adds this default
            if not client:
                out.pop("client_kwargs")
        if out.get("cluster_class") == "distributed.deploy.local.LocalCluster" and not out.get("address"):
            out.pop("cluster_class")  # the default
    elif out["type"] == "LocalDaskExecutor":
        out["scheduler"] = ex.scheduler
        if ex.dask_config:
            out["dask_config"] = _norm(ex.dask_config)
    return out


# ---------------------------------------------------------------------------------------------
# 0.x environments, in 1.0 terms (environments-to-runconfig.md §5)


def _labels(env):
    return sorted(getattr(env, "labels", None) or [])


def effective_before(flow) -> dict:
    env = getattr(flow, "environment", None)
    rc = getattr(flow, "run_config", None)
    if rc is not None or env is None:
        return {"run_config": run_config_dict(rc), "executor": executor_dict(getattr(flow, "executor", None))}
    cls = type(env).__name__
    labels = _labels(env)
    image = (getattr(env, "metadata", None) or {}).get("image")
    rc_out: dict = {"type": "UniversalRun", "labels": labels}
    ex_out = {"type": "LocalExecutor"}
    if cls in ("LocalEnvironment", "Environment"):
        ex = getattr(env, "executor", None)
        ex_out = executor_dict(ex) if ex is not None else ex_out
        if image:
            rc_out["image"] = image  # documented: needs the agent type (manual)
    elif cls in ("RemoteEnvironment", "RemoteDaskEnvironment"):
        from prefect.utilities.serialization import from_qualified_name

        ex = from_qualified_name(env.executor)(**env.executor_kwargs)
        ex_out = executor_dict(ex)
    elif cls == "KubernetesJobEnvironment":
        rc_out = {"type": "KubernetesRun", "labels": labels}
        if env.job_spec_file:
            rc_out["job_template"] = _norm(_load_yaml(env.job_spec_file))
        if image:
            rc_out["image"] = image
        ex_out = executor_dict(env.executor)
    elif cls == "DaskKubernetesEnvironment":
        rc_out = {"type": "KubernetesRun", "labels": labels}
        if env.scheduler_spec_file:
            rc_out["job_template"] = _norm(_load_yaml(env.scheduler_spec_file))
        if image:
            rc_out["image"] = image
        if env.image_pull_secret:
            rc_out["image_pull_secrets"] = [s for s in env.image_pull_secret.split(",")]
        if not env.work_stealing:
            rc_out["env"] = {"DASK_DISTRIBUTED__SCHEDULER__WORK_STEALING": "False"}
        ex_out = {
            "type": "DaskExecutor",
            "cluster_class": "factory",
            "adapt_kwargs": {"maximum": env.max_workers, "minimum": env.min_workers},
        }
    elif cls == "FargateTaskEnvironment":
        definition = dict(env.task_definition_kwargs)
        run = dict(env.task_run_kwargs)
        definition.pop("family", None)
        run.pop("taskDefinition", None)
        rc_out = {"type": "ECSRun", "labels": labels}
        for src, dst in (("taskRoleArn", "task_role_arn"), ("executionRoleArn", "execution_role_arn")):
            if definition.get(src):
                rc_out[dst] = definition.pop(src)
            else:
                definition.pop(src, None)
        containers = definition.pop("containerDefinitions", None)
        if containers:
            first = {k: v for k, v in containers[0].items() if k not in ("image", "command")}
            first["name"] = "flow"
            if not first.get("environment"):
                first.pop("environment", None)
            if len(first) > 1 or len(containers) > 1:
                definition["containerDefinitions"] = [first] + list(containers[1:])
        if env.launch_type != "FARGATE":
            run["launchType"] = env.launch_type
            definition.setdefault("requiresCompatibilities", [env.launch_type])
        cpu_mem = {k: definition.pop(k) for k in ("cpu", "memory") if k in definition}
        definition = {k: v for k, v in definition.items() if v not in (None, [], {})}
        if definition:
            definition.update(cpu_mem)
            rc_out["task_definition"] = _norm(definition)
        else:
            rc_out.update({k: _norm(v) for k, v in cpu_mem.items()})
        run = {k: v for k, v in run.items() if v not in (None, [], {})}
        if run:
            rc_out["run_task_kwargs"] = _norm(run)
        if image:
            rc_out["image"] = image
        rc_out = run_config_dict(types.SimpleNamespace(**{k: v for k, v in rc_out.items() if k != "type"})) | {
            "type": "ECSRun"
        }
        ex_out = executor_dict(env.executor)
    elif cls == "DaskCloudProviderEnvironment":
        kwargs = dict(env._provider_kwargs)
        factory = "image" not in kwargs or env._on_execute is not None
        ex_out = {
            "type": "DaskExecutor",
            "cluster_class": "factory" if factory else _norm(env._provider_class),
            "cluster_kwargs": _norm(kwargs),
        }
        if env._adaptive_min_workers:
            ex_out["adapt_kwargs"] = _norm(
                {"minimum": env._adaptive_min_workers, "maximum": env._adaptive_max_workers}
            )
        extra = dict(env.executor_kwargs)
        extra.pop("address", None)
        if extra.get("client_kwargs"):
            ex_out["client_kwargs"] = _norm(extra.pop("client_kwargs"))
        ex_out.update({k: _norm(v) for k, v in extra.items()})
    else:
        rc_out = {"type": f"<unknown environment {cls}>"}
    return {"run_config": rc_out, "executor": ex_out}


def effective_after(flow) -> dict:
    return {
        "run_config": run_config_dict(flow.run_config),
        "executor": executor_dict(flow.executor),
    }


def main() -> None:
    mode, path = sys.argv[1], sys.argv[2]
    _install_stubs()
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    import prefect

    captured = []
    prefect.Flow.run = lambda self, *a, **k: captured.append(k.get("executor"))
    namespace = runpy.run_path(path, run_name="flow_module")
    flows = {}
    for name, value in namespace.items():
        if isinstance(value, prefect.Flow):
            flows[name] = value
        elif isinstance(value, types.SimpleNamespace) and isinstance(getattr(value, "flow", None), prefect.Flow):
            flows[name + ".flow"] = value.flow
    pick = effective_before if mode == "before" else effective_after
    out = {
        "flows": {f"{name}:{flow.name}": pick(flow) for name, flow in sorted(flows.items())},
        "flow_run_executors": [executor_dict(e) for e in captured],
    }
    print(json.dumps(out, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
