"""The parameter search of the forecast strategies: Optuna on TRAIN days, day-grouped, seeded.

One parameter set per data source x strategy, chosen on the train period only and then
reported on test (``fct_forecast_strategy_trades``). The objective is the mean P&L per train
contract day (a day the rule did not trade counts as 0), so every day weighs the same and a
day's trades never split across folds. The sampler is a seeded TPE run sequentially, so the same
days and settings give the same parameters. The space (whole cents, whole °F):

- ``max_ask``: 0.30 to 0.95 in steps of 0.05;
- ``exit_margin_f``: 0 to 4 (``open_maker_next_over`` only).

With no train day (an empty sample) the search returns ``DEFAULT_PARAMS`` without running.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from domain.forecast_strategies import ContractDay, Stakes, StrategyParams, run

ZERO = Decimal(0)
MAX_ASK_CENTS = (30, 95, 5)
EXIT_MARGINS_F = (0, 4)
DEFAULT_PARAMS = StrategyParams(max_ask=Decimal("0.95"), exit_margin_f=0)


def train_score(
    days: Sequence[ContractDay], strategy: str, params: StrategyParams, stakes: Stakes
) -> Decimal:
    """Mean P&L per contract day of ``strategy`` over ``days`` (unsettled trades count 0)."""
    if not days:
        return ZERO
    trades = run(days, strategy, params, stakes)
    total = sum((trade.pnl_dollars or ZERO for trade in trades), ZERO)
    return total / len(days)


def search(
    train_days: Sequence[ContractDay],
    strategy: str,
    stakes: Stakes,
    *,
    trials: int,
    seed: int,
) -> StrategyParams:
    """The parameters with the best ``train_score`` found in ``trials`` seeded TPE trials.

    Args:
        train_days: the train period's contract days.
        strategy: one of ``domain.forecast_strategies.STRATEGIES``.
        stakes: the per-order stake bounds.
        trials: the number of Optuna trials (bounded), at least 1.
        seed: the sampler's seed.

    Returns:
        The best parameters (ties keep the earliest trial), or ``DEFAULT_PARAMS`` with no days.
    """
    if trials < 1:
        raise ValueError(f"trials must be at least 1, got {trials}")
    if not train_days:
        return DEFAULT_PARAMS
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    low, high, step = MAX_ASK_CENTS
    tunes_exit = strategy == "open_maker_next_over"
    # Equal parameters give equal scores: memoise so repeated TPE proposals cost nothing.
    scores: dict[StrategyParams, Decimal] = {}
    tried: list[StrategyParams] = []

    def params_of(trial: optuna.Trial) -> StrategyParams:
        cents = trial.suggest_int("max_ask_cents", low, high, step=step)
        margin = trial.suggest_int("exit_margin_f", *EXIT_MARGINS_F) if tunes_exit else 0
        return StrategyParams(max_ask=Decimal(cents) / 100, exit_margin_f=margin)

    def objective(trial: optuna.Trial) -> float:
        params = params_of(trial)
        tried.append(params)
        if params not in scores:
            scores[params] = train_score(train_days, strategy, params, stakes)
        # Optuna ranks floats; the exact Decimal score stays in ``scores`` for the choice.
        return float(scores[params])

    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.TPESampler(seed=seed))
    study.optimize(objective, n_trials=trials)
    best: StrategyParams | None = None
    for params in tried:
        if best is None or scores[params] > scores[best]:
            best = params
    assert best is not None  # trials >= 1 ran
    return best
