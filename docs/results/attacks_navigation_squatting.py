"""What a takeover attacker does on navigation (docs/attacks.md): over the first episode of each of
``--episodes`` seeds (the seeds and slots of ``arena eval``), the attacker against its victim
(greedy), the ASR (Wilson interval) and:
- the share of the attacker's steps it spends on an honest agent's goal (within ``goal_radius``
  of it: "squatting"), and within ``NEAR`` of an honest agent (touching, or about to);
- in a failed episode, at its last observation (the state before its final step), the honest
  agents off their goals per failure, their median distance to the goal, and the share of
  them whose goal the attacker sits on.

Usage: python docs/results/attacks_navigation_squatting.py [--episodes N]
           ATTACK_RUN[:VICTIM_RUN] ...   (k = 1 takeover runs on navigation)"""

from __future__ import annotations

import argparse

import torch
from attacks_transport_behaviour import takeover_play

from arena.evaluation.stats import wilson_ci
from arena.interfaces.episodes import run_episodes

NEAR = 0.15
"""Centre distance to an honest agent counted as touching it or about to (radii 0.05)."""


def squatting(run: str, victim: str | None, episodes: int, seed: int = 12345
              ) -> dict[str, float]:
    env, team, slots, play = takeover_play(run, victim, episodes, seed)
    scen, world = env.scenario, env.world
    radius = scen.config.goal_radius
    attacker = slots.float().argmax(-1)  # k = 1: the attacked slot of each env
    rows = torch.arange(episodes)
    honest = ~slots
    sums = torch.zeros(episodes, 3)  # steps, on an honest goal, near an honest agent
    end = torch.zeros(episodes, world.num_agents, 2)  # distance to own goal, attacker on it
    live = torch.ones(episodes, dtype=torch.bool)
    last_t = torch.full((episodes,), -1)

    def recording(env, obs):
        live.logical_and_(env.t >= last_t)  # an auto-reset ends an env's first episode
        last_t.copy_(env.t)
        pos = world.agent_pos
        mine = pos[rows, attacker].unsqueeze(1)  # (B, 1, 2)
        to_goals = (scen.goal - mine).norm(dim=-1).masked_fill(~honest, float("inf"))
        to_agents = (pos - mine).norm(dim=-1).masked_fill(~honest, float("inf"))
        step = torch.stack([torch.ones(episodes), (to_goals.min(-1).values < radius).float(),
                            (to_agents.min(-1).values < NEAR).float()], -1)
        sums.add_(step * live.unsqueeze(-1))
        row = torch.stack([scen.dist, (to_goals < radius).float()], -1)
        end.copy_(torch.where(live.view(-1, 1, 1), row, end))
        return play(env, obs)

    stats = run_episodes(env, recording, seed=seed)
    failed = stats.metrics["task_success"] == 0
    rate, lo, hi = wilson_ci(int(failed.sum()), episodes)
    out = {"asr": rate, "low": lo, "high": hi,
           "on_goal": float(sums[:, 1].sum() / sums[:, 0].sum()),
           "near_agent": float(sums[:, 2].sum() / sums[:, 0].sum())}
    off = (end[failed][..., 0] >= radius) & honest[failed]  # (F, N)
    if off.any():
        out.update(off_per_failure=float(off.sum(-1).float().mean()),
                   distance=float(end[failed][..., 0][off].median()),
                   squatted=float(end[failed][..., 1][off].mean()))
    return out


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("runs", nargs="+", help="ATTACK_RUN[:VICTIM_RUN]")
    p.add_argument("--episodes", type=int, default=1000)
    args = p.parse_args()
    print("| attacker | victim | ASR | attacker's steps on an honest goal | attacker's steps "
          f"within {NEAR} of an honest agent | honest agents off goal per failure | their "
          "distance to the goal (median) | their goal held by the attacker |")
    print("|---|---|---|---|---|---|---|---|")
    for spec in args.runs:
        run, _, victim = spec.partition(":")
        r = squatting(run, victim or None, args.episodes)
        cells = [f"{100 * r['asr']:.1f}% [{100 * r['low']:.1f}, {100 * r['high']:.1f}]",
                 f"{100 * r['on_goal']:.0f}%", f"{100 * r['near_agent']:.0f}%"]
        if "distance" in r:
            cells += [f"{r['off_per_failure']:.2f}", f"{r['distance']:.2f}",
                      f"{100 * r['squatted']:.0f}%"]
        else:
            cells += ["-"] * 3
        print(f"| {run} | {victim or 'its own'} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
