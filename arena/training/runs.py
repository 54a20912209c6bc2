"""Runs: the pieces of a run built from its config (the env, one learner per trained team),
and a saved run read back (its config, its policy)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import gymnasium
import numpy as np
import torch

from arena.adapters.external import ExternalVecEnv, load_env_factory
from arena.core.comm import TeamActions
from arena.core.registry import make
from arena.core.typed import ConfigError
from arena.core.vec_env import VecEnv
from arena.interfaces.algorithms import algo_spec
from arena.interfaces.learner import Learner, TeamActor
from arena.interfaces.policies import NAMED_POLICIES, Policy, same_action_kind
from arena.interfaces.spec import TeamSpec
from arena.training import checkpoint
from arena.training.run_config import RunConfig, load_config


def make_env(cfg: RunConfig, num_envs: int | None = None, compile: bool | None = None,
             auto_reset: bool = True, device: torch.device | str | None = None,
             frames: bool = False, **overrides: Any) -> VecEnv:
    """The run's env (or a variant: other size, device, no compile, other scenario arguments);
    an external PettingZoo env (``env.external``) is wrapped in ``ExternalVecEnv``, made with
    ``render_mode="rgb_array"`` where ``frames`` asks for pictures (a GIF)."""
    device = device or cfg.device
    if cfg.env.external:
        kwargs = {**cfg.env.kwargs, **overrides, **({"render_mode": "rgb_array"} if frames
                                                    else {})}
        factory = load_env_factory(cfg.env.external, kwargs)
        return ExternalVecEnv(factory, num_envs or cfg.env.num_envs, cfg.env.teams or None,  # type: ignore[return-value]
                              str(device), env_id=cfg.env.external, auto_reset=auto_reset)
    return make(cfg.env.id, num_envs=num_envs or cfg.env.num_envs, device=device,
                compile=cfg.env.compile if compile is None else compile, auto_reset=auto_reset,
                check_actions=False, backend=cfg.env.backend, **{**cfg.env.kwargs, **overrides})


def check_teams(cfg: RunConfig, env: VecEnv) -> None:
    """``teams.<team>`` sections must name teams of the env."""
    unknown = set(cfg.teams) - set(env.teams)
    if unknown:
        raise ConfigError(f"teams: {sorted(unknown)} are not teams of "
                          f"{cfg.env.external or cfg.env.id} (teams: {list(env.teams)})")


def build_learner(cfg: RunConfig, team: str, env: VecEnv, device: torch.device,
                  algo_cfg: Any = None) -> Learner:
    """The learner of trained ``team``: its algorithm's factory with the team's configs, or
    with the typed algorithm config ``algo_cfg`` instead of the team's."""
    policy_cfg, team_algo = cfg.team_configs(team)
    algo_cfg = algo_cfg or team_algo
    return algo_spec(algo_cfg.name).factory(learner_spec(cfg, team, env), policy_cfg, algo_cfg,
                                            device)


def learner_spec(cfg: RunConfig, team: str, env: VecEnv) -> TeamSpec:
    """What the learner of ``team`` controls: the team's spec, except for an attacker. That of
    an observation attack (``attack.kind: perturb``) acts with perturbation directions, one per
    observation feature, in ``[-1, 1]`` (scaled by ``attack.epsilon``); a takeover attacker
    with ``attack.observe: state`` observes its agents' observations and the global state."""
    spec = TeamSpec.of(env, team)
    if not cfg.attack.kind or team != cfg.attack.team_in(env.teams):
        return spec
    if cfg.attack.kind == "takeover":
        if cfg.attack.observe != "state":
            return spec
        state_dim = int(env.state_space.shape[0])
        return dataclasses.replace(spec, obs_dim=spec.obs_dim + state_dim)
    if cfg.attack.kind == "message":
        return dataclasses.replace(spec, action_space=message_layout(env, team).message_space(),
                                   action_masked=False)
    box = gymnasium.spaces.Box(-1.0, 1.0, (spec.obs_dim,), np.float32)
    return dataclasses.replace(spec, action_space=box, action_masked=False)


def message_layout(env: VecEnv, team: str) -> TeamActions:
    """The move/message layout of ``team``, which must speak on the env's channel (message
    injection)."""
    layout = env.team_actions(team) if hasattr(env, "team_actions") else None
    if layout is None or not layout.speaks:
        raise ConfigError(f"attack.kind message: team {team!r} of {env.env_id} sends no "
                          "messages (the scenario has no channel, or the team is silent)")
    return layout


def build_learners(cfg: RunConfig, device: torch.device, env: VecEnv | None = None
                   ) -> tuple[dict[str, Learner], VecEnv]:
    """One learner per trained team of the run's env (the env is made small if not given);
    teams frozen to a fixed policy (``teams.<team>.frozen``) get none."""
    env = env or make_env(cfg, num_envs=1, compile=False)
    check_teams(cfg, env)
    learners = {team: build_learner(cfg, team, env, device)
                for team in env.teams if not cfg.frozen(team)}
    return learners, env


def load_run_config(path: str | Path, ckpt: dict[str, Any] | None = None) -> RunConfig:
    """The config saved with a run (from its checkpoint, else ``config.yaml``)."""
    if ckpt is not None and "config" in ckpt:
        return load_config(None, base=ckpt["config"])
    p = Path(path)
    run_dir = p if p.is_dir() else p.parent.parent
    return load_config(run_dir / "config.yaml")


def resume_config(run_dir: str | Path, overrides: dict[str, Any] | None = None) -> RunConfig:
    """The config of an existing run (for ``arena train --resume``), with overrides such as a
    larger ``total_steps``."""
    ckpt = checkpoint.load(run_dir)
    cfg = load_config(None, overrides=overrides, base=ckpt["config"])
    cfg.log.run_dir = str(run_dir)
    return cfg


def load_policy(path: str | Path, device: str = "cpu", env: VecEnv | None = None,
                deterministic: bool = True) -> Policy:
    """The policy of a run directory or checkpoint file (a run's, or a population member's):
    the actor of every team that has one, teams frozen to another run included. ``env``
    (optional) adapts count-invariant actors to its agent counts."""
    ckpt = checkpoint.load(path, device)
    cfg = load_run_config(path, ckpt)
    cfg.device = device  # a run trained on a GPU plays on any device
    learners, spec_env = build_learners(cfg, torch.device(device))
    actors: dict[str, TeamActor] = {}
    for team in spec_env.teams:
        source = cfg.frozen(team)
        if source in NAMED_POLICIES:
            continue  # no network: played by name (``with_named_teams``)
        if source:
            actors[team] = load_policy(source, device).actors[team]
            continue
        kind, state = checkpoint.team_state(ckpt, team)
        learner = learners[team]
        if kind == "actor":
            learner.actor().load_state_dict(state)
        else:
            learner.load_state_dict(state)
        actors[team] = learner.actor()
    spaces = {t: learners[t].spec.action_space if t in learners else spec_env.action_space(t)
              for t in actors}
    policy = Policy(actors, spaces, deterministic)
    if env is None:
        return policy
    try:
        check_actions(spaces, spec_env, env)
        return policy.bind(env)
    except ValueError as e:  # played in another env than its own: say which it was
        if spec_env.env_id == env.env_id:
            raise
        raise ValueError(f"trained on {spec_env.env_id}: {e}") from None


def check_actions(spaces: dict[str, gymnasium.Space], own: VecEnv, env: VecEnv) -> None:
    """A named error where ``env`` does not take the actions of a team whose actor gives
    actions of its own env ``own`` (an observation or message attacker's actor acts on
    something else, and is not checked here)."""
    for team, space in spaces.items():
        if not same_action_kind(space, own.action_space(team)):
            continue
        if not same_action_kind(space, env.action_space(team)):
            raise ValueError(f"team {team!r}: the policy acts in {space}, env {env.env_id} "
                             f"takes {env.action_space(team)}")


def named_teams(cfg: RunConfig) -> dict[str, str]:
    """``{team: "scripted" | "random"}`` of the teams the run leaves to a named policy."""
    return {t: cfg.frozen(t) for t in cfg.teams if cfg.frozen(t) in NAMED_POLICIES}


def seed_dir(root: str | Path, seed: int) -> Path:
    """The run directory of the replica of ``seed`` in multi-seed run ``root``."""
    return Path(root) / f"seed_{seed}"


def is_group(root: str | Path) -> bool:
    """Whether ``root`` is the directory of a multi-seed run (``seeds``): no checkpoint of its
    own, a config."""
    path = Path(root)
    return not (path / "checkpoints").exists() and (path / "config.yaml").exists()


def expand_runs(paths: list[str]) -> list[str]:
    """Run directories, each multi-seed run replaced by its replicas' (by seed)."""
    out: list[str] = []
    for path in paths:
        seeds = sorted((d for d in Path(path).glob("seed_*") if (d / "checkpoints").is_dir()),
                       key=lambda d: int(d.name.removeprefix("seed_")))
        out += [str(d) for d in seeds] if is_group(path) and seeds else [path]
    return out
