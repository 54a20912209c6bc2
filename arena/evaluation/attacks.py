"""``arena eval ATTACK_RUN``: the victims' task outcome without an attack, under the trained
attacker and under baselines (a takeover: the random and scripted saboteurs; an observation
perturbation: uniform noise and the gradient-sign attack, of the same ``epsilon``), on the same
seeds and the same attacked slots; the attack success rate (ASR) and the honest agents' return
drop, with 95% intervals.

The outcome is the scenario's ``task_outcome`` of the honest agents (``task_success``). Where a
scenario declares none, an episode under attack fails when the honest agents' return falls
more than ``drop_threshold`` x |mean clean return| below the clean return of the same seed
(the report says so); the clean case then succeeds by definition.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gymnasium
import torch

from arena.core.vec_env import VecEnv
from arena.evaluation.crossplay import CrossPlay
from arena.evaluation.stats import mean_ci, wilson_ci
from arena.interfaces.control import Controller
from arena.interfaces.episodes import run_episodes_seeded, write_episode_gif
from arena.interfaces.policies import PolicyFn, with_named_teams
from arena.training import checkpoint
from arena.training.attack import (
    THREATS,
    AttackPlay,
    Injected,
    Perturbed,
    Saboteur,
    StateObserving,
    attacked_team,
    draw_attacked,
    gradient_direction,
    has_saboteur,
    honest_mean,
    random_direction,
    random_message,
    trained_decision,
)
from arena.training.frozen import FrozenPolicy
from arena.training.run_config import AttackConfig, RunConfig
from arena.training.runs import (
    load_policy,
    load_run_config,
    make_env,
    message_layout,
    named_teams,
)

ATTACKERS = {"takeover": ("trained", "random", "scripted"),
             "perturb": ("trained", "random", "gradient"),
             "message": ("trained", "random")}
"""The attackers an attack run is evaluated with, per ``attack.kind``."""


@dataclass
class AttackReport:
    """Outcome rates and ASR per attacker, JSON-ready."""

    run: str
    env_id: str
    team: str
    agents: int
    agents_random: bool
    episodes: int
    outcome: str
    """``task_outcome`` or the return-drop rule used."""
    kind: str = "takeover"
    epsilon: float | None = None
    """``perturb``: the L-inf bound of the perturbations."""
    victim: str = ""
    """The victim run attacked: the attack run's own (``attack.victim``) or ``--victim``'s."""
    overrides: dict[str, Any] = field(default_factory=dict)
    """Scenario arguments changed from the attack run's for this evaluation."""
    external: bool = False
    """Whether ``env_id`` is an external PettingZoo env (``env.external``)."""
    victim_play: str = "greedy"
    """How the victim's policy picks its actions: ``greedy``, or ``sampled`` (``--sample``)."""
    clean: dict[str, Any] = field(default_factory=dict)
    attackers: dict[str, dict[str, Any]] = field(default_factory=dict)

    def table(self) -> str:
        slots = "random slots" if self.agents_random else "fixed slots"
        threat = (f"takeover of {self.agents} agent(s)" if self.kind == "takeover" else
                  f"messages of {self.agents} agent(s) injected" if self.kind == "message" else
                  f"observations of {self.agents} agent(s) perturbed, epsilon {self.epsilon:g}")
        variant = f" with {self.overrides}" if self.overrides else ""
        lines = [f"{self.run} on {self.env_id}{variant}: {threat} of {self.team!r} ({slots}) of "
                 f"victim {self.victim} ({self.victim_play}), {self.episodes} episodes; "
                 f"outcome: {self.outcome}",
                 f"{'attacker':<10} {'task success':>24} {'ASR':>24} "
                 f"{'ASR | clean success':>24} {'return drop':>26}"]
        c = self.clean
        lines.append(f"{'none':<10} {_rate(c['success']):>24}")
        for name, r in self.attackers.items():
            if "unavailable" in r:
                lines.append(f"{name:<10} unavailable: {r['unavailable']}")
                continue
            lines.append(f"{name:<10} {_rate(r['success']):>24} {_rate(r['asr']):>24} "
                         f"{_rate(r['asr_among_clean_successes']):>24} "
                         f"{_mean(r['return_drop']):>26}")
        return "\n".join(lines)

    def write_json(self, path: str | Path) -> None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(json.dumps(self.__dict__, indent=2))


def _rate(r: dict[str, Any]) -> str:
    if r["rate"] is None:
        return "n/a (no episodes)"
    return f"{r['rate']:.3f} [{r['ci95_low']:.3f}, {r['ci95_high']:.3f}]"


def _mean(r: dict[str, float]) -> str:
    return f"{r['mean']:.3f} [{r['ci95_low']:.3f}, {r['ci95_high']:.3f}]"


def rate(x: torch.Tensor) -> dict[str, Any]:
    """A 0/1 outcome's rate and Wilson 95% interval (rate ``None`` without episodes)."""
    if x.numel() == 0:
        return {"rate": None, "ci95_low": 0.0, "ci95_high": 1.0, "n": 0}
    p, low, high = wilson_ci(int(x.sum()), x.numel())
    return {"rate": p, "ci95_low": low, "ci95_high": high, "n": x.numel()}


def mean(x: torch.Tensor) -> dict[str, float]:
    m, low, high = mean_ci(x)
    return {"mean": m, "ci95_low": low, "ci95_high": high, "n": x.numel()}


@dataclass
class Outcomes:
    """One condition's per-episode results."""

    success: torch.Tensor | None
    """0/1 task outcome of the honest agents (``None``: the scenario declares none)."""
    honest_return: torch.Tensor
    """Mean return of the honest agents."""


def play_condition(env: VecEnv, team: str, victim: Controller, attacker: Controller | None,
                   attacked: torch.Tensor, honest_slots: torch.Tensor, others: PolicyFn | None,
                   seed: int) -> Outcomes:
    """One episode per env of the victim with ``attacker`` on the ``attacked`` slots, scored
    on the ``honest_slots``."""
    play = AttackPlay(env, team, victim, attacker, attacked, honest_slots, others)
    stats = run_episodes_seeded(env, play, seed=seed)  # a sampling victim: reproducible
    ret = honest_mean(stats.agent_returns[team].float(), honest_slots)
    success = stats.metrics.get("task_success")
    return Outcomes(None if success is None else success.float(), ret)


def attack_summary(clean: Outcomes, attacked: Outcomes, drop_threshold: float
                   ) -> dict[str, Any]:
    """Success under attack, ASR (overall and among the clean successes) and the return
    drop (paired by seed)."""
    drop = clean.honest_return - attacked.honest_return
    if clean.success is not None and attacked.success is not None:
        ok, clean_ok = attacked.success, clean.success
    else:
        margin = drop_threshold * float(clean.honest_return.mean().abs())
        ok = (drop <= margin).float()
        clean_ok = torch.ones_like(ok)
    fail = 1.0 - ok
    among = fail[clean_ok > 0]
    return {"success": rate(ok), "asr": rate(fail), "asr_among_clean_successes": rate(among),
            "return_drop": mean(drop), "honest_return": mean(attacked.honest_return)}


def evaluate_attack(run: str | Path, episodes: int = 1000, seed: int = 12345,
                    device: str = "cpu", drop_threshold: float = 0.2,
                    victim: str | None = None,
                    attackers: tuple[str, ...] | None = None,
                    gif: str | None = None,
                    overrides: dict[str, Any] | None = None,
                    sample: bool = False) -> AttackReport:
    """The report of attack run ``run`` (``attack:`` in its config; or a takeover attacker of
    a robust run's population, see ``attack_run_config``), optionally against
    another ``victim`` run (e.g. a robustly trained team), under ``attackers`` (default: all
    of ``ATTACKERS[kind]``), in the run's scenario or with its arguments changed by
    ``overrides`` (e.g. ``{"max_steps": 450}``); ``sample``: the victim samples its actions
    (clean and under every attacker; a trained attacker still plays greedy); ``gif``: also
    write one episode of the trained attacker there, the victim playing as in the report and
    the attacked agents ringed in red (not in an external env's own pictures)."""
    cfg = attack_run_config(run, device)
    cfg.env.kwargs = {**cfg.env.kwargs, **(overrides or {})}
    spec = cfg.attack
    victim_run = victim or spec.victim
    env = make_env(cfg, num_envs=episodes, compile=False)
    team = attacked_team(spec, env)
    gen = torch.Generator(device=env.device)
    gen.manual_seed(seed)
    slots = draw_attacked(episodes, len(env.teams[team]), spec.agents, spec.agents_random,
                          gen, env.device)
    honest = THREATS[spec.kind].honest_slots(slots)
    others = _other_teams(run, cfg, env, device)
    declared = env.has_task_outcome(team)

    def condition(attacker: Controller | None, victim: FrozenPolicy) -> Outcomes:
        return play_condition(env, team, victim, attacker, slots, honest, others, seed)

    clean = condition(None, _victim(team, victim_run, env, sample))
    report = AttackReport(
        run=str(run), env_id=cfg.env.external or cfg.env.id, external=bool(cfg.env.external),
        team=team, agents=spec.agents,
        agents_random=spec.agents_random, episodes=episodes, kind=spec.kind,
        epsilon=spec.epsilon if spec.kind == "perturb" else None, victim=str(victim_run),
        overrides=dict(overrides or {}), victim_play="sampled" if sample else "greedy",
        outcome="task_outcome of the honest agents" if declared else
        f"no task outcome declared: failure = honest return more than {drop_threshold:g} x "
        "|mean clean return| below the same seed's clean return",
        clean={"success": rate(clean.success if clean.success is not None
                               else torch.ones(episodes)),
               "honest_return": mean(clean.honest_return)})
    for name in ATTACKERS[spec.kind] if attackers is None else attackers:
        attacker, victim_policy = condition_policies(name, run, spec, team, env, slots,
                                                      victim_run, seed, sample)
        if isinstance(attacker, str):
            report.attackers[name] = {"unavailable": attacker}
            continue
        report.attackers[name] = attack_summary(clean, condition(attacker, victim_policy),
                                                drop_threshold)
    if gif:
        write_attack_gif(run, cfg, team, victim_run, slots[:1], gif, seed, sample)
    return report


def attack_run_config(run: str | Path, device: str = "cpu") -> RunConfig:
    """The run config of attack run ``run`` (or of a robust run's takeover attacker), on
    ``device``, with ``attack`` the attack it plays (``attack_of``)."""
    ckpt = checkpoint.load(run, device)
    cfg = load_run_config(run, ckpt)
    cfg.device = device
    cfg.attack = attack_of(run, cfg, ckpt)
    return cfg


def attack_of(run: str | Path, cfg: RunConfig, ckpt: dict[str, Any]) -> AttackConfig:
    """The attack that ``run`` plays: an attack run's ``attack:``; for a takeover attacker
    from a robust run's population (``population/attacker_<k>.pt``, ``attacker_online.pt``)
    the takeover its team trained against (``robust.agents`` slots, drawn as there), with
    that team as the default victim."""
    if cfg.attack.kind:
        return cfg.attack
    team = _member_team(ckpt)
    if team is not None:
        return AttackConfig(kind="takeover", team=team, agents=cfg.robust.agents,
                            agents_random=cfg.robust.agents_random,
                            victim=str(Path(run).parent.parent))
    raise ValueError(f"{run} is neither an attack run (its config has no attack.kind) nor a "
                     "takeover attacker of a robust run's population")


def is_takeover_member(path: str | Path) -> bool:
    """Whether ``path`` is the checkpoint file of a robust run's takeover attacker."""
    return Path(path).is_file() and _member_team(checkpoint.load(path)) is not None


def _member_team(ckpt: dict[str, Any]) -> str | None:
    """The team attacked by a robust run's takeover attacker ``ckpt``; None for any other
    checkpoint."""
    member = ckpt.get("member") or {}
    robust = ckpt.get("config", {}).get("robust", {})
    if member.get("role") == "attacker" and robust.get("kind") == "takeover":
        return str(member["team"])
    return None


def write_attack_gif(run: str | Path, cfg: Any, team: str, victim_run: str,
                     slots: torch.Tensor, path: str | Path, seed: int, sample: bool = False
                     ) -> Path:
    """One episode of attack run ``run``'s trained attacker against ``victim_run``, attacking
    ``slots`` (``(1, N)``), into a GIF at ``path``; the attacked agents are ringed in red.
    ``sample``: the victim samples its actions (drawn from ``seed``, as every GIF's)."""
    env = make_env(cfg, num_envs=1, compile=False, auto_reset=False, frames=True)
    spec = cfg.attack
    attacker, victim = condition_policies("trained", run, spec, team, env, slots, victim_run,
                                           seed, sample)
    assert not isinstance(attacker, str)  # the trained attacker is always available
    play = AttackPlay(env, team, victim, attacker, slots, THREATS[spec.kind].honest_slots(slots),
                      _other_teams(run, cfg, env, str(env.device)))
    marked = {team: slots[0].nonzero().flatten().tolist()}
    return write_episode_gif(lambda obs: play(env, obs), env, path, seed=seed, marked=marked)


def _victim(team: str, run: str, env: VecEnv, sample: bool = False) -> FrozenPolicy:
    return FrozenPolicy(team, run, env, env.device, not sample, role="victim")


def condition_policies(name: str, run: str | Path, spec: Any, team: str, env: VecEnv,
                        slots: torch.Tensor, victim_run: str, seed: int, sample: bool = False
                        ) -> tuple[Controller | str, FrozenPolicy]:
    """Attacker ``name`` of an attack of kind ``spec.kind`` (or why it is unavailable) and
    the victim it plays with (greedy, or sampling its actions with ``sample``): for a takeover
    the victim's own policy on the other slots; for a perturbation or an injection the victim
    wrapped by the attacker on the attacked ones."""
    victim = _victim(team, victim_run, env, sample)
    if spec.kind == "takeover":
        return _attacker(name, run, team, env, slots, spec.observe), victim
    if spec.kind == "message":
        return _injection(name, run, env, victim, seed), victim
    return _perturbation(name, run, env, victim, spec.epsilon, seed), victim


def _attacker(name: str, run: str | Path, team: str, env: VecEnv, slots: torch.Tensor,
              observe: str = "own") -> Controller | str:
    """The controller of attacker ``name``, or why it is unavailable."""
    if name == "trained" and observe == "state":  # its input is wider than the env's obs
        actor = load_policy(run, device=str(env.device)).actors[team]
        return StateObserving(FrozenPolicy(team, str(run), env, env.device, True, actor=actor))
    if name == "trained":
        return FrozenPolicy(team, str(run), env, env.device, True, role="attacker")
    if name == "random":
        return FrozenPolicy(team, "random", env, env.device)
    if not has_saboteur(env):
        return "the scripted saboteur steers agents; this env has no Arena physics"
    return Saboteur(team, ~slots)


def _perturbation(name: str, run: str | Path, env: VecEnv, victim: FrozenPolicy,
                  epsilon: float, seed: int) -> Controller | str:
    """The victim on observations perturbed by attacker ``name``, or why it is unavailable."""
    if name == "trained":
        actor = load_policy(run, device=str(env.device)).actors[victim.team]
        return Perturbed(victim, trained_decision(actor), epsilon, "trained perturbation")
    if name == "random":
        gen = torch.Generator(device=env.device)
        gen.manual_seed(seed)
        return Perturbed(victim, random_direction(gen), epsilon, "uniform noise")
    if victim.actor is None or not isinstance(victim.space, gymnasium.spaces.Discrete):
        return "the gradient-sign attack needs a victim network with discrete actions"
    return Perturbed(victim, gradient_direction(victim.actor), epsilon, "gradient sign")


def _injection(name: str, run: str | Path, env: VecEnv, victim: FrozenPolicy, seed: int
               ) -> Controller:
    """The victim's moves with the messages of injector ``name`` (trained or random)."""
    layout = message_layout(env, victim.team)
    if name == "trained":
        actor = load_policy(run, device=str(env.device)).actors[victim.team]
        return Injected(victim, trained_decision(actor), layout, "trained injection")
    gen = torch.Generator(device=env.device)
    gen.manual_seed(seed)
    return Injected(victim, random_message(layout, gen), layout, "random messages")


def _other_teams(run: str | Path, cfg: Any, env: VecEnv, device: str) -> PolicyFn | None:
    """The policies of the env's other teams (those the attack run left frozen)."""
    if len(env.teams) == 1:
        return None
    return with_named_teams(load_policy(run, device=device, env=env), named_teams(cfg))


SABOTEURS = {"random": "random saboteur", "scripted": "scripted saboteur"}
"""The saboteur rows of a takeover cross-play, by their name in an ``AttackReport``."""


def takeover_cross_play(attackers: list[str], defenders: list[str], env_id: str,
                        episodes: int = 1000, seed: int = 12345,
                        device: str = "cpu") -> CrossPlay:
    """Takeover attack runs (rows) against victim teams (columns, e.g. a naive and a robustly
    trained run of ``env_id``): each cell the ASR of ``evaluate_attack(attacker,
    victim=defender)`` with its Wilson interval, the victim's clean success and the return
    drop, all on the same seeds; then a row per saboteur (on the first attacker's slots), so
    that each defender's worst case is over every attacker."""
    reports = [[evaluate_attack(a, episodes, seed, device, victim=d,
                                attackers=None if i == 0 else ("trained",))
                for d in defenders] for i, a in enumerate(attackers)]
    for a, row in zip(attackers, reports, strict=True):
        if row[0].kind != "takeover":
            raise ValueError(f"{a}: a {row[0].kind} attack run; takeover cross-play takes "
                             "takeover attack runs (arena attack VICTIM --kind takeover)")
        if row[0].env_id != env_id:
            raise ValueError(f"{a}: attacks {row[0].env_id}, not --env {env_id}")
    result = CrossPlay(env_id, {}, episodes, "takeover ASR", list(attackers), list(defenders))
    result.cells = [[_cell(r, "trained") for r in row] for row in reports]
    for name, label in SABOTEURS.items():
        if all("asr" in r.attackers.get(name, {}) for r in reports[0]):
            result.attackers.append(label)
            result.cells.append([_cell(r, name) for r in reports[0]])
    return result


def _cell(report: AttackReport, name: str) -> dict[str, Any]:
    r = report.attackers[name]
    return {**{k: r["asr"][k] for k in ("ci95_low", "ci95_high", "n")}, "asr": r["asr"]["rate"],
            "clean_success": report.clean["success"]["rate"],
            "return_drop": r["return_drop"]["mean"]}
