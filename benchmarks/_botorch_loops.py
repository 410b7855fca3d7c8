"""BoTorch's loops for ``bench_bayesopt.py --botorch-only`` (torch and botorch imported lazily).

torch and BoTorch are not probstat dependencies: install them in a separate virtual
environment together with probstat (``pip install -e . botorch``) to run the comparison.
Every function takes the imported ``torch`` module and works in double precision on NumPy
inputs; the objective is minimised (BoTorch maximises, so it sees ``-y``).
"""

from __future__ import annotations

import time
import warnings

import numpy as np


def import_botorch():
    """Import torch and BoTorch (one torch thread), or exit with what to install."""
    try:
        import botorch
        import torch
    except ImportError as exc:
        raise SystemExit(
            f"the BoTorch comparison needs torch and botorch ({exc}); install them into a "
            "separate virtual environment next to probstat, e.g. `python -m venv env && "
            "env/bin/pip install -e . botorch`, and run this script with that "
            "environment's python") from None
    torch.set_num_threads(1)
    return torch, botorch


def botorch_fit(torch, X, y, lo, hi):
    """BoTorch's documented surrogate for minimising ``y``: a fitted ``SingleTaskGP`` on ``-y``.

    Inputs normalised to the box ``[lo, hi]``, outputs standardised, hyperparameters by
    ``fit_gpytorch_mll`` (its default L-BFGS-B on the exact marginal likelihood).
    """
    from botorch import fit_gpytorch_mll
    from botorch.models import SingleTaskGP
    from botorch.models.transforms import Normalize, Standardize
    from gpytorch.mlls import ExactMarginalLogLikelihood

    bounds = torch.tensor(np.array([lo, hi]), dtype=torch.double)
    tx = torch.tensor(np.asarray(X), dtype=torch.double)
    ty = -torch.tensor(np.asarray(y), dtype=torch.double).unsqueeze(-1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gp = SingleTaskGP(tx, ty, input_transform=Normalize(d=tx.shape[-1], bounds=bounds),
                          outcome_transform=Standardize(m=1))
        fit_gpytorch_mll(ExactMarginalLogLikelihood(gp.likelihood, gp))
    return gp


def botorch_logei_next(torch, X, y, lo, hi):
    """One iteration of BoTorch's documented loop, minimising ``y``.

    SingleTaskGP (inputs normalised to the box, outputs standardised), fit_gpytorch_mll,
    LogExpectedImprovement on ``-y``, optimize_acqf with num_restarts=10, raw_samples=512.
    """
    from botorch.acquisition import LogExpectedImprovement
    from botorch.optim import optimize_acqf

    bounds = torch.tensor(np.array([lo, hi]), dtype=torch.double)
    gp = botorch_fit(torch, X, y, lo, hi)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        acq = LogExpectedImprovement(gp, best_f=-float(np.min(y)))
        cand, _ = optimize_acqf(acq, bounds=bounds, q=1, num_restarts=10, raw_samples=512)
    return cand.detach().numpy()[0]


def botorch_mfkg_run(torch, design, c0, c1, budget, num_fantasies, seed):
    """BoTorch's continuous multi-fidelity KG loop (its tutorial's settings, q = 1).

    Starts from ``design`` (probstat's initial points in (x, s)), proposes one point per
    iteration until the next would overshoot ``budget`` and recommends the maximiser of
    the posterior mean at s = 1. Returns (regret at s = 1, seconds per iteration,
    evaluations, share at s < 0.5).
    """
    from botorch import fit_gpytorch_mll
    from botorch.acquisition import PosteriorMean
    from botorch.acquisition.cost_aware import InverseCostWeightedUtility
    from botorch.acquisition.fixed_feature import FixedFeatureAcquisitionFunction
    from botorch.acquisition.knowledge_gradient import qMultiFidelityKnowledgeGradient
    from botorch.acquisition.utils import project_to_target_fidelity
    from botorch.models.cost import AffineFidelityCostModel
    from botorch.models.gp_regression_fidelity import SingleTaskMultiFidelityGP
    from botorch.models.transforms import Standardize
    from botorch.optim import optimize_acqf
    from botorch.optim.initializers import gen_one_shot_kg_initial_conditions
    from gpytorch.mlls import ExactMarginalLogLikelihood

    from probstat.bayesopt.test_functions import augmented_hartmann6, hartmann6

    bounds = torch.tensor([[0.0] * 7, [1.0] * 7], dtype=torch.double)
    cost_model = AffineFidelityCostModel(fidelity_weights={6: c1}, fixed_cost=c0)
    utility = InverseCostWeightedUtility(cost_model=cost_model)

    def project(X):
        return project_to_target_fidelity(X=X, target_fidelities={6: 1.0}, d=7)

    def best_at_target(model):
        acq = FixedFeatureAcquisitionFunction(PosteriorMean(model), d=7, columns=[6],
                                              values=[1])
        x, value = optimize_acqf(acq, bounds=bounds[:, :-1], q=1, num_restarts=10,
                                 raw_samples=1024, options={"batch_limit": 10, "maxiter": 200})
        return acq._construct_X_full(x), value

    X = np.asarray(design, dtype=float)
    y = augmented_hartmann6(X)
    spent = float(np.sum(c0 + c1 * X[:, 6]))
    torch.manual_seed(seed)
    secs = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        while True:
            t = time.perf_counter()
            model = SingleTaskMultiFidelityGP(
                torch.tensor(X), -torch.tensor(y).unsqueeze(-1),
                outcome_transform=Standardize(m=1), data_fidelities=[6])
            fit_gpytorch_mll(ExactMarginalLogLikelihood(model.likelihood, model))
            _, current = best_at_target(model)
            kg = qMultiFidelityKnowledgeGradient(
                model=model, num_fantasies=num_fantasies, current_value=current,
                cost_aware_utility=utility, project=project)
            init = gen_one_shot_kg_initial_conditions(acq_function=kg, bounds=bounds, q=1,
                                                      num_restarts=10, raw_samples=512)
            cand, _ = optimize_acqf(kg, bounds=bounds, q=1, num_restarts=10, raw_samples=512,
                                    batch_initial_conditions=init,
                                    options={"batch_limit": 5, "maxiter": 200})
            secs.append(time.perf_counter() - t)
            x = cand.detach().numpy()[0]
            if spent + c0 + c1 * x[6] > budget:
                break
            X, y = np.vstack([X, x]), np.append(y, augmented_hartmann6(x[None]))
            spent += c0 + c1 * x[6]
        rec, _ = best_at_target(model)
    regret = hartmann6.regret(float(augmented_hartmann6(rec.detach().numpy())[0]))
    return regret, float(np.mean(secs)), len(y), float(np.mean(X[:, 6] < 0.5))
