"""Scripted and random baselines of the communication scenarios, with the channel and with the
channel cut (``channel.drop_prob = 1``): success and return over 1000 episodes (seed 1), with
Wilson / Student-t 95% intervals. Usage: python scripted.py OUT.json"""

from __future__ import annotations

import json
import sys

import arena
from arena.evaluation.stats import mean_ci, wilson_ci
from arena.interfaces.episodes import run_episodes
from arena.interfaces.policies import random_policy, scripted_policy

CASES = {
    "speaker_listener": ("coordination/speaker_listener-v0", "listener", {}),
    "reference": ("coordination/reference-v0", "agent", {}),
    "scouts": ("navigation/scouts-v0", "agent", {}),
    "scouts, 16 agents, range 0.8": ("navigation/scouts-v0", "agent",
                                     {"num_agents": 16, "channel": {"range": 0.8}}),
}


def main(out: str) -> None:
    results = {}
    for name, (env_id, team, kwargs) in CASES.items():
        for channel in ("channel", "cut"):
            kw = dict(kwargs)
            if channel == "cut":
                kw["channel"] = {**kw.get("channel", {}), "drop_prob": 1.0}
            env = arena.make(env_id, num_envs=1000, **kw)
            for label, policy in (("scripted", scripted_policy), ("random", random_policy)):
                stats = run_episodes(env, policy, seed=1)
                succ = stats.metrics["success"]
                ret = stats.agent_returns[team].float().mean(-1)
                p, lo, hi = wilson_ci(int(succ.sum()), succ.numel())
                m, rlo, rhi = mean_ci(ret)
                results[f"{name} | {channel} | {label}"] = {
                    "success": [p, lo, hi], "return": [m, rlo, rhi]}
                print(f"{name:<30} {channel:<8} {label:<9} success {p:.3f} [{lo:.3f}, {hi:.3f}]"
                      f"  return {m:8.2f} [{rlo:.2f}, {rhi:.2f}]")
    with open(out, "w") as f:
        json.dump(results, f, indent=2)


if __name__ == "__main__":
    main(sys.argv[1])
