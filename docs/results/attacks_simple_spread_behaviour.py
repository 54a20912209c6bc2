"""Where simple_spread's honest agents fail beside a takeover attacker (docs/attacks.md, "With
the honest reward on simple_spread"). Over the first episode of each of ``--episodes`` seeds
(the seeds and slots of ``arena eval``), at the last step the policies see (one step before
the outcome is judged): the ASR, and among the failed episodes the share in which the attacked
agent touched an honest agent (centres within two agent radii, 0.3) in any of the last
``RECENT`` steps, in which it holds the
nearest landmark of an honest agent that is off every landmark (within 0.3 of it), and in which
two honest agents are nearest the same landmark (Wilson intervals), and the mean distance from
the honest agent farthest from its nearest landmark to that landmark (the outcome needs every
honest agent within 0.1 of a distinct one) and from the attacked agent to that honest agent
(t intervals).

Usage: python docs/results/attacks_simple_spread_behaviour.py [--episodes N]
           ATTACK_RUN[:VICTIM_RUN][:CONDITION] ...   (CONDITION: trained, random or scripted;
           k = 1 takeover runs on simple_spread)"""

from __future__ import annotations

import argparse

import torch
from attacks_transport_behaviour import takeover_play

from arena.evaluation.stats import mean_ci, wilson_ci
from arena.interfaces.episodes import run_episodes

CONTACT = 0.3  # two agent radii
RECENT = 5  # steps

COLUMNS = ("ASR", f"failed: touched an honest agent in the last {RECENT} steps",
           "failed: holds the landmark of an honest agent off the landmarks",
           "failed: two honest agents nearest the same landmark",
           "failed: farthest honest agent to its nearest landmark",
           "failed: attacked agent to that honest agent")


def last_step(world, landmarks: list[int], slots: torch.Tensor) -> torch.Tensor:
    """``(B, 5)``: touch, hold, shared (0/1), the distance from the honest agent farthest from
    its nearest landmark to it, and from the attacked agent to that honest agent."""
    pos = world.agent_pos  # (B, N, 2)
    me = pos[slots].unsqueeze(1)  # (B, 1, 2): the attacked agent (k = 1)
    touch = (((pos - me).norm(dim=-1) < CONTACT) & ~slots).any(-1)
    marks = world.pos[:, landmarks]  # (B, L, 2)
    to_landmark = (pos.unsqueeze(2) - marks.unsqueeze(1)).norm(dim=-1)  # (B, N, L)
    dist, which = to_landmark.min(-1)  # (B, N)
    nearest = marks[torch.arange(len(pos)).unsqueeze(1), which]  # (B, N, 2)
    off = (dist > 0.1) & ~slots
    hold = (((nearest - me).norm(dim=-1) < CONTACT) & off).any(-1)
    which = which.masked_fill(slots, -1)
    same = (which.unsqueeze(1) == which.unsqueeze(2)) & (which >= 0).unsqueeze(1)
    shared = (same.sum(-1) > 1).any(-1)
    far, who = dist.masked_fill(slots, 0.0).max(-1)
    gap = (pos[torch.arange(len(pos)), who] - me[:, 0]).norm(dim=-1)
    return torch.stack([touch.float(), hold.float(), shared.float(), far, gap], -1)


def behaviour(run: str, victim: str | None, condition: str, episodes: int, seed: int = 12345
              ) -> list[tuple[float, float, float]]:
    env, _, slots, play = takeover_play(run, victim, episodes, seed, condition=condition)
    last = torch.zeros(episodes, 5)
    since = torch.full((episodes,), float(RECENT))  # steps since the attacker last touched
    live = torch.ones(episodes, dtype=torch.bool)
    last_t = torch.full((episodes,), -1)

    def recording(env, obs):
        live.logical_and_(env.t >= last_t)  # an auto-reset ends an env's first episode
        last_t.copy_(env.t)
        row = last_step(env.world, env.scenario.landmarks, slots)
        since.copy_(torch.where(env.t == 0, float(RECENT), since))
        since.copy_(torch.where(row[:, 0] > 0, 0.0, since + 1))
        row[:, 0] = (since < RECENT).float()
        last.copy_(torch.where(live.unsqueeze(-1), row, last))
        return play(env, obs)

    stats = run_episodes(env, recording, seed=seed)
    failed = stats.metrics["task_success"] == 0
    n = int(failed.sum())
    shares = [wilson_ci(int(last[failed, k].sum()), n) for k in range(3)]
    return [wilson_ci(n, episodes), *shares, mean_ci(last[failed, 3]), mean_ci(last[failed, 4])]


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("runs", nargs="+", help="ATTACK_RUN[:VICTIM_RUN][:CONDITION]")
    p.add_argument("--episodes", type=int, default=500)
    args = p.parse_args()
    print("| attacker | victim | " + " | ".join(COLUMNS) + " |")
    print("|---|---|" + "---|" * len(COLUMNS))
    for spec in args.runs:
        run, victim, condition = (spec.split(":") + ["", ""])[:3]
        r = behaviour(run, victim or None, condition or "trained", args.episodes)
        cells = [f"{100 * m:.0f}% [{100 * lo:.0f}, {100 * hi:.0f}]" for m, lo, hi in r[:4]]
        cells += [f"{m:.2f} [{lo:.2f}, {hi:.2f}]" for m, lo, hi in r[4:]]
        print(f"| {condition or 'trained'} ({run}) | {victim or 'its own'} | "
              + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
