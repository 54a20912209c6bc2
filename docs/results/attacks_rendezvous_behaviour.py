"""What the honest agents of the tutorial plug-in (rendezvous) do beside a takeover attacker
(docs/attacks.md): for each attack run and victim, over the first episode of each of
``--episodes`` seeds (the same seeds and slots as ``arena eval``), at the episode's last step:
the honest agents' spread (mean distance to their own centroid; the meeting needs every one
within 0.2), the attacked agent's distance to the honest centroid, and how far the honest
centroid travelled from its start; each a mean over episodes with a 95% t interval, and the
share of failed meetings (the ASR) with a Wilson interval. ``clean`` plays the victim's
policy in the attacked slot too (no attack).

Usage: python docs/results/attacks_rendezvous_behaviour.py [--episodes N]
           ATTACK_RUN[:VICTIM_RUN][:clean] ...   (k = 1 takeover runs on rendezvous)"""

from __future__ import annotations

import argparse

import torch
from attacks_transport_behaviour import takeover_play

from arena.evaluation.stats import mean_ci, wilson_ci
from arena.interfaces.episodes import run_episodes


def behaviour(run: str, victim: str | None, clean: bool, episodes: int, seed: int = 12345
              ) -> dict[str, tuple[float, float, float]]:
    env, _, slots, play = takeover_play(run, victim, episodes, seed, clean)
    world = env.world
    honest = (~slots).unsqueeze(-1).float()  # (B, N, 1)
    last = torch.zeros(episodes, 3)  # spread, attacker's distance, centroid travel
    start = torch.zeros(episodes, 2)
    live = torch.ones(episodes, dtype=torch.bool)
    last_t = torch.full((episodes,), -1)

    def recording(env, obs):
        live.logical_and_(env.t >= last_t)  # an auto-reset ends an env's first episode
        last_t.copy_(env.t)
        pos = world.agent_pos
        centroid = (pos * honest).sum(1) / honest.sum(1)  # (B, 2)
        start.copy_(torch.where((env.t == 0).unsqueeze(-1), centroid, start))
        spread = ((pos - centroid.unsqueeze(1)).norm(dim=-1) * honest[..., 0]).sum(1) / (
            honest[..., 0].sum(1))
        me = pos[slots]  # (B, 2): the attacked agent (k = 1)
        row = torch.stack([spread, (me - centroid).norm(dim=-1),
                           (centroid - start).norm(dim=-1)], -1)
        last.copy_(torch.where(live.unsqueeze(-1), row, last))
        return play(env, obs)

    stats = run_episodes(env, recording, seed=seed)
    outcome = stats.metrics["task_success"]
    failed = int((outcome == 0).sum())
    return {"spread": mean_ci(last[:, 0]), "attacker": mean_ci(last[:, 1]),
            "travel": mean_ci(last[:, 2]), "asr": wilson_ci(failed, outcome.numel())}


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("runs", nargs="+", help="ATTACK_RUN[:VICTIM_RUN][:clean]")
    p.add_argument("--episodes", type=int, default=500)
    args = p.parse_args()
    print("| attacker run | victim | honest spread at the end | attacked agent to the honest "
          "centroid | honest centroid's travel | meeting failed (ASR) |")
    print("|---|---|---|---|---|---|")
    for spec in args.runs:
        run, victim, mode = (spec.split(":") + ["", ""])[:3]
        r = behaviour(run, victim or None, mode == "clean", args.episodes)
        cells = [f"{m:.2f} [{lo:.2f}, {hi:.2f}]" for m, lo, hi in list(r.values())[:3]]
        m, lo, hi = r["asr"]
        cells.append(f"{100 * m:.0f}% [{100 * lo:.0f}, {100 * hi:.0f}]")
        label = f"{victim or 'its own'}{' (clean)' if mode == 'clean' else ''}"
        print(f"| {run} | {label} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
