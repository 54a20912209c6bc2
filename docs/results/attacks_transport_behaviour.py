"""What transport's takeover attackers do (docs/attacks.md): for each attack run, over the
first episode of each of ``--episodes`` seeds (the same seeds and slots as ``arena eval``),
the share of the attacked agent's steps spent touching the package on its goal side
(blocking) and spent more than 0.5 from the package (away), the share of the honest agents'
steps spent touching the package (pushing) and spent within 0.3 of the attacked agent (near
it), each a mean over episodes with a 95% t interval, and the ASR.

Usage: python docs/results/attacks_transport_behaviour.py [--episodes N]
           ATTACK_RUN[:VICTIM_RUN] ...   (runs of one package on transport, k = 1; or a
           robust run's takeover member, population/attacker_<k>.pt)"""

from __future__ import annotations

import argparse

import torch

from arena.core.vec_env import VecEnv
from arena.evaluation.attacks import attack_run_config, condition_policies
from arena.evaluation.stats import mean_ci
from arena.interfaces.episodes import run_episodes
from arena.training.attack import THREATS, AttackPlay, attacked_team, draw_attacked
from arena.training.runs import make_env

CONTACT_SLACK = 0.03
"""Gap to the package's surface still counted as touching it."""
NEAR = 0.3
"""Distance between agents' centres counted as near the attacked agent."""


def takeover_play(run: str, victim: str | None, episodes: int, seed: int, clean: bool = False,
                  condition: str = "trained") -> tuple[VecEnv, str, torch.Tensor, AttackPlay]:
    """The env (one episode per env), the attacked team, its attacked slots (the seeds and
    slots of ``arena eval``) and the controller of the takeover ``run`` (or of ``condition``
    ``random`` or ``scripted`` in its slots) against ``victim`` (by default its own);
    ``clean``: the victim's policy plays the attacked slots too."""
    cfg = attack_run_config(run)  # an attack run, or a robust run's member
    env = make_env(cfg, num_envs=episodes, compile=False)
    team = attacked_team(cfg.attack, env)
    gen = torch.Generator().manual_seed(seed)
    slots = draw_attacked(episodes, len(env.teams[team]), cfg.attack.agents,
                          cfg.attack.agents_random, gen, env.device)
    attacker, victim_policy = condition_policies(condition, run, cfg.attack, team, env, slots,
                                                 victim or cfg.attack.victim, seed)
    assert not isinstance(attacker, str)
    play = AttackPlay(env, team, victim_policy, victim_policy if clean else attacker, slots,
                      THREATS["takeover"].honest_slots(slots))
    return env, team, slots, play


def behaviour(run: str, victim: str | None, episodes: int, seed: int = 12345
              ) -> dict[str, tuple[float, float, float]]:
    env, team, slots, play = takeover_play(run, victim, episodes, seed)
    scen, world = env.scenario, env.world
    reach = scen.config.package_radius + scen.config.agent_radius + CONTACT_SLACK
    sums = torch.zeros(episodes, 5)  # steps, blocking, away, honest pushing, honest near
    live = torch.ones(episodes, dtype=torch.bool)
    last_t = torch.full((episodes,), -1)

    def recording(env, obs):
        live.logical_and_(env.t >= last_t)  # an auto-reset ends an env's first episode
        last_t.copy_(env.t)
        me = world.agent_pos[slots]  # (B, 2): the attacked agent (k = 1)
        pkg, goal = world.pos[:, scen.packages][:, 0], scen.goal[:, 0]
        gap = (me - pkg).norm(dim=-1)
        goal_side = ((me - pkg) * (goal - pkg)).sum(-1) > 0
        honest = ~slots  # (B, N): the honest agents of the team
        others = world.agent_pos[:, world.team(team)]
        pushing = ((others - pkg.unsqueeze(1)).norm(dim=-1) < reach) & honest
        near = ((others - me.unsqueeze(1)).norm(dim=-1) < NEAR) & honest
        per_honest = honest.sum(-1).clamp(min=1)
        row = torch.stack([torch.ones(episodes), (gap < reach) & goal_side, gap > 0.5,
                           pushing.sum(-1) / per_honest, near.sum(-1) / per_honest], -1)
        sums.add_(row.float() * live.unsqueeze(-1))
        return play(env, obs)

    stats = run_episodes(env, recording, seed=seed)
    share = sums[:, 1:] / sums[:, :1]
    asr = 1.0 - stats.metrics["task_success"].float()
    return {"blocking": mean_ci(share[:, 0]), "away": mean_ci(share[:, 1]),
            "pushing": mean_ci(share[:, 2]), "near": mean_ci(share[:, 3]), "asr": mean_ci(asr)}


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("runs", nargs="+", help="ATTACK_RUN or ATTACK_RUN:VICTIM_RUN")
    p.add_argument("--episodes", type=int, default=500)
    args = p.parse_args()
    print("| attacker run | victim | steps touching the package's goal side | steps > 0.5 "
          "away | honest agents' steps touching the package | honest agents' steps within "
          f"{NEAR} of it | ASR |")
    print("|---|---|---|---|---|---|---|")
    for spec in args.runs:
        run, _, victim = spec.partition(":")
        r = behaviour(run, victim or None, args.episodes)
        cells = [f"{100 * m:.0f}% [{100 * lo:.0f}, {100 * hi:.0f}]" for m, lo, hi in r.values()]
        print(f"| {run} | {victim or 'its own'} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
