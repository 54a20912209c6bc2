"""How much transport's time limit helps a blocker (docs/attacks.md): the scripted team (four
scripted pushers, agent 0 counted out) against the blocker saboteur and against random actions
on agent 0, at the default 150-step limit and at 450 steps; task success of the three honest
agents over 512 episodes (seed 3).

Usage: python docs/results/transport_blocker_time.py"""

from __future__ import annotations

import torch

import arena
from arena.interfaces.episodes import run_episodes
from arena.training.attack import AttackPlay, Saboteur
from arena.training.frozen import FrozenPolicy

EPISODES = 512


def success(max_steps: int, attacker: str) -> float:
    env = arena.make("coordination/transport-v0", num_envs=EPISODES, max_steps=max_steps)
    attacked = torch.zeros(EPISODES, 4, dtype=torch.bool)
    attacked[:, 0] = True
    victim = FrozenPolicy("agent", "scripted", env, env.device)
    control = (None if attacker == "none" else Saboteur("agent", ~attacked)
               if attacker == "blocker" else FrozenPolicy("agent", "random", env, env.device))
    stats = run_episodes(env, AttackPlay(env, "agent", victim, control, attacked), seed=3)
    return float(stats.metrics["task_success"].float().mean())


def main() -> None:
    print("| step limit | no attacker | random on agent 0 | blocker on agent 0 |")
    print("|---|---|---|---|")
    for steps in (150, 450):
        cells = [f"{100 * success(steps, a):.1f}%" for a in ("none", "random", "blocker")]
        print(f"| {steps} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
