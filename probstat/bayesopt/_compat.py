"""scikit-optimize's argument names: an unknown keyword says what to use in probstat.

An unknown keyword to :func:`minimize` or :class:`BayesianOptimizer` is a ``TypeError``
that names the function the user called. For the common ``skopt.gp_minimize`` and
``skopt.Optimizer`` argument names it gives the probstat name, or says that probstat has
no equivalent and what to do instead; for a misspelling it suggests the nearest name.
Nothing is accepted silently under a second name.
"""

from __future__ import annotations

import difflib
import functools
import inspect

_ACQ = ("use acquisition=: 'logei' (the default), 'ei', 'pi', 'logpi', 'ucb', 'noisy_ei', "
        "'kg', 'mes', 'es' or an AcquisitionFunction instance (skopt's 'EI' is 'ei', 'PI' is "
        "'pi', 'LCB' is acquisition=UpperConfidenceBound(beta=kappa**2); 'gp_hedge', 'EIps' "
        "and 'PIps' have no equivalent)")

# hints shared by minimize() and BayesianOptimizer()
_COMMON = {
    "base_estimator": "use model=GaussianProcess(...) (a template that is cloned and refitted)",
    "n_initial_points": "use n_initial=",
    "n_random_starts": "use n_initial=",
    "initial_point_generator": (
        "probstat has no equivalent: the initial design is always a scrambled Sobol "
        "sequence; to start from your own design, {own_design}"),
    "acq_func": _ACQ,
    "acq_func_kwargs": (
        "pass a configured acquisition instead, e.g. acquisition=ExpectedImprovement(xi=0.01) "
        "or acquisition=UpperConfidenceBound(beta=kappa**2)"),
    "acq_optimizer": (
        "probstat has no equivalent: the acquisition is always maximised by multistart "
        "L-BFGS-B from raw_samples quasi-random points; n_restarts=0 keeps the best sampled "
        "point (like skopt's acq_optimizer='sampling')"),
    "acq_optimizer_kwargs": "use raw_samples= (skopt's n_points) and n_restarts= "
                            "(skopt's n_restarts_optimizer)",
    "n_points": "use raw_samples=",
    "n_restarts_optimizer": "use n_restarts=",
    "xi": "use acquisition=LogExpectedImprovement(xi=...) (or ExpectedImprovement(xi=...), "
          "ProbabilityOfImprovement(xi=...))",
    "kappa": "use acquisition=UpperConfidenceBound(beta=kappa**2) (skopt's LCB with kappa "
             "is UCB with beta = kappa**2 on the minimised objective)",
    "noise": "use model=GaussianProcess(noise=...): noise='auto' fits the noise variance "
             "(skopt's 'gaussian'), a number fixes it (a variance, in units of y**2)",
    "n_jobs": (
        "probstat has no equivalent: skopt's n_jobs parallelises the acquisition search, "
        "which probstat runs as one vectorised L-BFGS-B problem; to evaluate the objective "
        "in parallel pass executor= (a concurrent.futures.Executor) and batch_size="),
    "model_queue_size": "probstat has no equivalent: every surrogate is kept in "
                        "result.models",
    "space_constraint": (
        "probstat has no equivalent: for constraints known in closed form return a large "
        "value where they fail; for expensive ones use n_constraints= (the objective then "
        "returns (y, constraints))"),
    "avoid_duplicates": "probstat has no equivalent: proposals near evaluated points are "
                        "already unattractive to the acquisition",
}

_HINTS = {
    "minimize": {
        **_COMMON,
        "dimensions": "pass the search space as the second argument (space=)",
        "bounds": "pass the search space as the second argument (space=): a list of "
                  "(low, high) pairs",
    },
    "BayesianOptimizer": {
        **_COMMON,
        "dimensions": "pass the search space as the first argument (space=)",
        "bounds": "pass the search space as the first argument (space=): a list of "
                  "(low, high) pairs",
        "n_calls": "BayesianOptimizer has no budget: call opt.run(func, n_iter) or use "
                   "minimize(func, space, n_calls=...)",
        "x0": "call opt.tell(x0, y0) before the first ask(), or use minimize(x0=..., y0=...)",
        "y0": "call opt.tell(x0, y0) before the first ask(), or use minimize(x0=..., y0=...)",
        "callback": "drive the loop with ask()/tell() yourself, or use minimize(callback=...)",
        "executor": "pass executor= to opt.run(func, n_iter, executor=...)",
        "batch_size": "pass batch_size= to opt.run(), or ask(n) for a batch of n points",
    },
}

_OWN_DESIGN = {
    "minimize": "pass x0= (and y0= if it is already evaluated)",
    "BayesianOptimizer": "tell() your points before the first ask()",
}


def unknown_keywords_error(where, names, valid):
    """The TypeError for keywords ``names`` not accepted by ``where`` (whose are ``valid``)."""
    parts = []
    for name in names:
        hint = _HINTS.get(where, {}).get(name)
        if hint is not None:
            hint = hint.format(own_design=_OWN_DESIGN.get(where, ""))
            parts.append(f"{where}() got an unexpected keyword argument {name!r} "
                         f"(a scikit-optimize name): {hint}")
            continue
        close = difflib.get_close_matches(name, valid, n=1, cutoff=0.75)
        tail = f"; did you mean {close[0]!r}?" if close else ""
        parts.append(f"{where}() got an unexpected keyword argument {name!r}{tail}")
    return TypeError(". ".join(parts))


def check_keywords(where, kwargs, valid):
    """Raise :func:`unknown_keywords_error` when ``kwargs`` holds a name not in ``valid``."""
    unknown = [k for k in kwargs if k not in valid]
    if unknown:
        raise unknown_keywords_error(where, unknown, sorted(valid))


def keyword_names(func):
    """The names ``func`` accepts as keywords."""
    return {p.name for p in inspect.signature(func).parameters.values()
            if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}


def skopt_aware(where):
    """Decorate a function so that an unknown keyword gets :func:`unknown_keywords_error`."""
    def decorate(func):
        valid = keyword_names(func)

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            check_keywords(where, kwargs, valid)
            return func(*args, **kwargs)
        return wrapper
    return decorate


# acquisition strings of scikit-optimize that are not probstat names
ACQUISITION_HINTS = {
    "lcb": "skopt's 'LCB' is acquisition=UpperConfidenceBound(beta=kappa**2) (default "
           "kappa 1.96 gives beta 3.84); probstat's 'ucb' has beta=4",
    "gp_hedge": "probstat has no portfolio acquisition ('gp_hedge'); use 'logei' (the "
                "default) or pick one acquisition",
    "eips": "probstat has no per-second acquisition ('EIps'); use 'logei'",
    "pips": "probstat has no per-second acquisition ('PIps'); use 'logpi'",
}
