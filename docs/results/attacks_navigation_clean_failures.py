"""Why a navigation team fails clean (docs/attacks.md): for each victim, over the first episode of
each of ``--episodes`` seeds (the seeds of ``arena eval``), with the victim's own policy in every
slot, the clean success rate (Wilson interval) and, over the agents off their goals at the end of
a failed episode: how many per failure, their distance to the goal (median), the share touching
an obstacle (gap to its surface under ``TOUCH``), the share that ever reached their goal in the
episode, their mean speed, and the victim's policy at their last observation: the mean
probabilities of its two likeliest actions (estimated from ``DRAWS`` seeded samples each;
discrete actions only, "-" for continuous ones).

Usage: python docs/results/attacks_navigation_clean_failures.py [--episodes N]
           ATTACK_RUN:VICTIM_RUN ...   (k = 1 takeover runs on navigation; the attack run
           only supplies the env and the seeds)"""

from __future__ import annotations

import argparse

import torch
from attacks_transport_behaviour import takeover_play

from arena.evaluation.stats import wilson_ci
from arena.interfaces.episodes import run_episodes
from arena.interfaces.learner import TeamActor
from arena.training.runs import load_policy

TOUCH = 0.01
"""Gap to an obstacle's surface still counted as touching it."""
DRAWS = 300
"""Samples of the policy's action per observation, to estimate its action probabilities."""


def clean_failures(run: str, victim: str, episodes: int, seed: int = 12345) -> dict[str, float]:
    env, team, _, play = takeover_play(run, victim, episodes, seed, clean=True)
    scen, world = env.scenario, env.world
    n = world.num_agents
    obstacles = scen.obstacles
    last = torch.zeros(episodes, n, 3)  # distance to goal, obstacle gap, speed
    last_obs = torch.zeros(episodes, n, env.observation_space(team).shape[0])
    ever = torch.zeros(episodes, n, dtype=torch.bool)
    live = torch.ones(episodes, dtype=torch.bool)
    last_t = torch.full((episodes,), -1)

    def recording(env, obs):
        live.logical_and_(env.t >= last_t)  # an auto-reset ends an env's first episode
        last_t.copy_(env.t)
        last_obs.copy_(torch.where(live.view(-1, 1, 1), obs[team], last_obs))
        pos, radius = world.agent_pos, world.radius
        centres = world.pos[:, obstacles]
        gap = ((pos.unsqueeze(2) - centres.unsqueeze(1)).norm(dim=-1)
               - radius[obstacles] - radius[:n].unsqueeze(-1)).min(-1).values
        ever.logical_or_(scen.at_goal() & live.unsqueeze(-1))
        row = torch.stack([scen.dist, gap, world.agent_vel.norm(dim=-1)], -1)
        last.copy_(torch.where(live.view(-1, 1, 1), row, last))
        return play(env, obs)

    stats = run_episodes(env, recording, seed=seed)
    failed = stats.metrics["task_success"] == 0
    off = last[failed][..., 0] >= scen.config.goal_radius  # (F, N)
    rows, reached = last[failed][off], ever[failed][off]
    rate, lo, hi = wilson_ci(int((~failed).sum()), episodes)
    out = {"success": rate, "low": lo, "high": hi, "failures": float(failed.sum())}
    if rows.numel():
        out.update(off_per_failure=float(off.sum(-1).float().mean()),
                   distance=float(rows[:, 0].median()),
                   touching=float((rows[:, 1] < TOUCH).float().mean()),
                   reached=float(reached.float().mean()), speed=float(rows[:, 2].mean()))
        top = top_two(load_policy(victim, env=env).actors[team], last_obs[failed][off])
        if top is not None:
            out.update(first=float(top[:, 0].mean()), second=float(top[:, 1].mean()))
    return out


def top_two(actor: TeamActor, obs: torch.Tensor) -> torch.Tensor | None:
    """The two largest action probabilities ``(S, 2)`` of a discrete ``actor`` at each
    observation ``obs`` ``(S, D)``, estimated from ``DRAWS`` seeded samples; None for
    continuous actions."""
    draws = obs.repeat_interleave(DRAWS, 0).unsqueeze(1)  # (S * DRAWS, 1, D)
    with torch.no_grad(), torch.random.fork_rng():
        torch.manual_seed(0)
        actions = actor.decide(draws).actions
    if actions.is_floating_point():
        return None
    actions = actions.reshape(obs.shape[0], DRAWS)
    counts = torch.stack([(actions == a).float().mean(1) for a in range(int(actions.max()) + 1)], 1)
    return counts.sort(1, descending=True).values[:, :2]


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("runs", nargs="+", help="ATTACK_RUN:VICTIM_RUN")
    p.add_argument("--episodes", type=int, default=1000)
    args = p.parse_args()
    print("| victim | clean success | failures | agents off goal per failure | their distance to "
          "the goal (median) | touching an obstacle | ever at the goal | mean speed | the policy's "
          "two likeliest actions |")
    print("|---|---|---|---|---|---|---|---|---|")
    for spec in args.runs:
        run, victim = spec.split(":")
        r = clean_failures(run, victim, args.episodes)
        cells = [f"{100 * r['success']:.1f}% [{100 * r['low']:.1f}, {100 * r['high']:.1f}]",
                 f"{r['failures']:.0f}"]
        if "distance" in r:
            cells += [f"{r['off_per_failure']:.2f}", f"{r['distance']:.2f}",
                      f"{100 * r['touching']:.0f}%", f"{100 * r['reached']:.0f}%",
                      f"{r['speed']:.2f}",
                      f"{r['first']:.2f}, {r['second']:.2f}" if "first" in r else "-"]
        else:
            cells += ["-"] * 6
        print(f"| {victim} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
