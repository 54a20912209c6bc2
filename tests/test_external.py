"""ExternalVecEnv: any PettingZoo env behind the batched interface, and trained on by MAPPO."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gymnasium
import numpy as np
import pytest
import torch
from pettingzoo import ParallelEnv
from PIL import Image

import arena
from arena.adapters.external import ExternalVecEnv, infer_teams, load_env_factory
from arena.evaluation.attacks import evaluate_attack
from arena.evaluation.run_eval import evaluate_run
from arena.training.attack import AttackPlay, attack_config
from arena.training.run_config import load_config
from arena.training.trainer import Trainer
from tests.test_attacks import Constant


class Dropout(ParallelEnv):  # type: ignore[misc]
    """Two agents; ``a_1`` terminates after step 2, ``a_0`` after step 4 (reward = step)."""

    metadata = {"name": "dropout_v0"}
    possible_agents = ["a_0", "a_1"]

    def __init__(self) -> None:
        self.agents: list[str] = []
        self.t = 0

    def observation_space(self, agent: str) -> gymnasium.Space:
        return gymnasium.spaces.Box(-10, 10, (2,), np.float32)

    def action_space(self, agent: str) -> gymnasium.Space:
        return gymnasium.spaces.Discrete(3)

    def _obs(self) -> dict[str, np.ndarray]:
        return {a: np.array([self.t, int(a[-1])], np.float32) for a in self.agents}

    def reset(self, seed: int | None = None, options: Any = None) -> tuple[dict, dict]:
        self.agents, self.t = list(self.possible_agents), 0
        return self._obs(), {a: {} for a in self.agents}

    def step(self, actions: dict[str, Any]) -> tuple[dict, ...]:
        assert set(actions) == set(self.agents), (actions, self.agents)  # no actions for the gone
        self.t += 1
        rew = {a: float(self.t) for a in self.agents}
        term = {a: (a == "a_1" and self.t >= 2) or self.t >= 4 for a in self.agents}
        obs = self._obs()
        self.agents = [a for a in self.agents if not term[a]]
        return obs, rew, term, {a: False for a in term}, {a: {} for a in term}


def test_agents_leaving_early_are_masked_and_the_episode_ends_with_the_last() -> None:
    env = ExternalVecEnv(Dropout, num_envs=2)
    assert env.teams == {"a": ["a_0", "a_1"]}
    env.reset(seed=0)
    acts = {"a": torch.zeros(2, 2, dtype=torch.long)}
    masks, rewards = [], []
    for _ in range(4):
        obs, rew, term, trunc, info = env.step(acts)
        masks.append(env.agent_mask("a")[0].tolist())
        rewards.append(rew["a"][0].tolist())
    assert masks[:3] == [[True, True], [True, False], [True, False]]
    assert rewards == [[1.0, 1.0], [2.0, 2.0], [3.0, 0.0], [4.0, 0.0]]
    assert term.tolist() == [True, True] and not trunc.any()
    assert info["episode_return"]["a"][0].tolist() == [10.0, 3.0]
    assert info["final_observation"]["a"][0, 0].tolist() == [4.0, 0.0]
    assert obs["a"][0, 0].tolist() == [0.0, 0.0]  # auto-reset: the first observation again
    assert env.agent_mask("a").all()


def test_teams_inferred_with_heterogeneous_spaces_and_bad_teams_named() -> None:
    factory = load_env_factory("mpe2.simple_tag_v3:parallel_env", {"max_cycles": 5})
    env = ExternalVecEnv(factory, num_envs=2)
    assert env.teams == {"adversary": ["adversary_0", "adversary_1", "adversary_2"],
                         "agent": ["agent_0"]}
    obs, _ = env.reset(seed=0)
    assert obs["adversary"].shape == (2, 3, 16) and obs["agent"].shape == (2, 1, 14)
    assert infer_teams(["red_0", "red_1", "blue", "blue_x"]) == {
        "red": ["red_0", "red_1"], "blue": ["blue"], "blue_x": ["blue_x"]}
    with pytest.raises(ValueError, match="'agent_0' has another observation_space"):
        ExternalVecEnv(factory, teams={"all": ["adversary_0", "adversary_1", "adversary_2",
                                               "agent_0"]})
    with pytest.raises(ValueError, match="'ghost_0' is not an agent"):
        ExternalVecEnv(factory, teams={"agent": ["ghost_0"]})
    with pytest.raises(ValueError, match="cannot be loaded"):
        load_env_factory("mpe2.nope:parallel_env")
    with pytest.raises(ValueError, match=r"mpe2.simple_tag_v3:parallel_env' with arguments "
                                         r"\{'bogus': 1\}: .*bogus"):
        ExternalVecEnv(load_env_factory("mpe2.simple_tag_v3:parallel_env", {"bogus": 1}))


def test_mappo_trains_on_mpe2_through_the_config(tmp_path: Path) -> None:
    cfg = load_config(None, overrides={
        "env.external": "mpe2.simple_spread_v3:parallel_env",
        "env.kwargs": {"N": 3, "max_cycles": 25}, "env.num_envs": 4, "rollout_steps": 25,
        "total_steps": 200, "log.run_dir": str(tmp_path / "run"), "log.progress": False,
        "log.tensorboard": False, "eval.episodes": 3, "policy.hidden_sizes": [16]})
    summary = Trainer(cfg).train()
    assert summary["env_steps"] == 200 and summary["eval/length"] == 25
    report = evaluate_run(tmp_path / "run", episodes=3)
    assert report.env_id == "mpe2.simple_spread_v3:parallel_env"
    assert report.rows["return/agent"]["n"] == 3
    assert report.backend == "external" and "physics" not in report.table()
    assert set(report.sampled) == set(report.rows)  # sampled beside greedy
    evaluate_run(tmp_path / "run", episodes=2, gif=str(tmp_path / "run.gif"))  # env's pictures
    with Image.open(tmp_path / "run.gif") as gif:
        assert gif.size == (700, 700) and gif.n_frames >= 5


def test_takeover_of_a_pettingzoo_env_is_scored_by_the_honest_return_drop(
        tmp_path: Path) -> None:
    """``arena attack`` on a run of an external env: the attacker's actions reach exactly its
    slots, and with no task outcome the ASR falls back to the honest agents' return drop."""
    cfg = load_config(None, overrides={
        "env.external": "mpe2.simple_spread_v3:parallel_env",
        "env.kwargs": {"N": 3, "max_cycles": 10}, "env.num_envs": 4, "rollout_steps": 10,
        "total_steps": 80, "log.run_dir": str(tmp_path / "victim"), "log.progress": False,
        "log.tensorboard": False, "eval.episodes": 2, "policy.hidden_sizes": [16]})
    Trainer(cfg).train()
    atk = attack_config(tmp_path / "victim", agents=1, run_dir=str(tmp_path / "atk"))
    trainer = Trainer(atk)
    env = trainer.collector.env
    obs, _ = env.reset(seed=0)
    attacked = torch.tensor([[True, False, False], [False, False, True]] * 2)
    actions = AttackPlay(env, "agent", Constant(2), Constant(4), attacked)(env, obs)["agent"]
    assert torch.equal(actions, torch.where(attacked, 4, 2))
    assert torch.equal(env.honest["agent"], ~attacked)
    trainer.train()
    report = evaluate_attack(tmp_path / "atk", episodes=6, gif=str(tmp_path / "a.gif"))
    assert report.external and report.outcome.startswith("no task outcome declared")
    assert report.clean["success"]["rate"] == 1.0  # by definition, under the return-drop rule
    assert "no Arena physics" in report.attackers["scripted"]["unavailable"]
    for name in ("trained", "random"):
        r = report.attackers[name]
        assert r["asr"]["n"] == 6 and r["asr"]["rate"] == pytest.approx(1 - r["success"]["rate"])
    with Image.open(tmp_path / "a.gif") as gif:
        assert gif.n_frames >= 5  # one episode of 10 steps (PIL merges identical frames)
    warm = attack_config(tmp_path / "victim", agents=1, run_dir=str(tmp_path / "warm"),
                         overrides={"pretrain.source": "saboteur"})
    with pytest.raises(arena.ConfigError, match="pretrain.source saboteur: mpe2.simple_spread_v3"
                                          ":parallel_env has no scripted saboteur"):
        Trainer(warm)
    assert not (tmp_path / "warm").exists()


def test_observation_not_matching_its_space_is_named() -> None:
    class Liar(Dropout):
        def observation_space(self, agent: str) -> gymnasium.Space:
            return gymnasium.spaces.Box(-10, 10, (3,), np.float32)

    with pytest.raises(ValueError, match=r"reset\(\) gave agent 'a_0' an observation of shape "
                                         r"\(2,\), but its observation_space is Box"):
        ExternalVecEnv(Liar, num_envs=1, env_id="liar").reset(seed=0)


def test_what_an_external_env_cannot_do_is_named(tmp_path: Path) -> None:
    base = {"env.external": "mpe2.simple_spread_v3:parallel_env", "env.num_envs": 4,
            "env.kwargs": {"N": 3, "max_cycles": 25}, "log.run_dir": str(tmp_path / "run"),
            "log.progress": False, "log.tensorboard": False, "policy.hidden_sizes": [8]}
    with pytest.raises(arena.ConfigError, match="group-relative algorithms need an Arena"):
        Trainer(load_config(None, overrides={**base, "algo.name": "grpo", "algo.group_size": 2}))
    with pytest.raises(ValueError, match="imitation_coef .* needs a scripted policy; mpe2"):
        Trainer(load_config(None, overrides={**base, "algo.imitation_coef": 1.0}))
    with pytest.raises(arena.ConfigError, match=r"robust.fraction: mpe2.simple_spread_v3:"
                                                r"parallel_env declares no task outcome for "
                                                r"team 'agent' \(an external PettingZoo env "
                                                r"declares none\).*fraction 1 leaves none"):
        Trainer(load_config(None, overrides={**base, "robust.kind": "takeover",
                                             "robust.include_scripted": False,
                                             "robust.fraction": 1.0}))
    trainer = Trainer(load_config(None, overrides={**base, "pretrain.source": "scripted"}))
    with pytest.raises(ValueError, match="external PettingZoo env: it has no scripted policy"):
        trainer.train()


class InfoMasked(Dropout):
    """Dropout whose agents may only take action 1 at odd steps (mask in ``info``)."""

    def _infos(self) -> dict[str, Any]:
        legal = np.array([0, 1, 0] if self.t % 2 else [1, 1, 1], np.int8)
        return {a: {"action_mask": legal} for a in self.possible_agents}

    def reset(self, seed: int | None = None, options: Any = None) -> tuple[dict, dict]:
        obs, _ = super().reset(seed, options)
        return obs, self._infos()

    def step(self, actions: dict[str, Any]) -> tuple[dict, ...]:
        obs, rew, term, trunc, _ = super().step(actions)
        return obs, rew, term, trunc, self._infos()


def test_masks_from_info_and_parallelizable_aec_envs() -> None:
    env = ExternalVecEnv(InfoMasked, num_envs=2, env_id="info_masked")
    assert env.has_action_masks and not env.turn_based
    env.reset(seed=0)
    env.step({"a": torch.zeros(2, 2, dtype=torch.long)})
    masks = env.action_mask()
    assert masks is not None and masks["a"][0, 0].tolist() == [False, True, False]
    assert bool((env.sample_actions()["a"] == 1).all())  # the only legal action
    from mpe2 import simple_spread_v3

    aec = ExternalVecEnv(lambda: simple_spread_v3.env(N=2, max_cycles=5), num_envs=2,
                         env_id="simple_spread_v3 (AEC)")  # parallelizable: stepped in parallel
    assert not aec.turn_based and not aec.has_action_masks
    aec.reset(seed=0)
    for _ in range(5):
        _, rew, term, trunc, info = aec.step(aec.sample_actions())
    assert bool(info["done"].all()) and bool(trunc.all())


def test_robust_training_on_an_external_env_scores_by_the_return_drop(tmp_path: Path) -> None:
    """Without a task outcome, an attacked episode fails when its honest agents' mean return
    falls more than drop_threshold x |reference| below the reference: the clean envs' mean
    honest return in the previous generation. Before there is one, nothing is scored."""
    def trainer(name: str) -> Trainer:
        return Trainer(load_config(None, overrides={
            "env.external": "mpe2.simple_spread_v3:parallel_env", "env.num_envs": 8,
            "env.kwargs": {"N": 3, "max_cycles": 10}, "rollout_steps": 10, "total_steps": 240,
            "log.run_dir": str(tmp_path / name), "log.progress": False,
            "log.tensorboard": False, "eval.episodes": 2, "policy.hidden_sizes": [8],
            "robust.kind": "takeover", "robust.include_scripted": False,
            "robust.agents_random": False, "robust.online": 0.0, "robust.generation": 1,
            "robust.drop_threshold": 0.25}))

    t = trainer("a")
    robust = t.robust
    assert robust is not None and not robust.declared
    robust.member = torch.tensor([0, 1, 2, 3, -1, -1, -1, -1])  # 3: the random member
    robust._assign()  # slot 0 taken in envs 0-3
    done = torch.tensor([True, True, True, False, True, True, True, False])
    ret = torch.tensor([[9.0, -8.0, -10.0], [0.0, -12.0, -13.0], [0.0, -9.0, -10.0],
                        [0.0, -30.0, -30.0], [-8.0, -12.0, -10.0], [-13.0, -11.0, -12.0],
                        [-6.0, -10.0, -8.0], [-50.0, -50.0, -50.0]])
    info = {"done": done, "metrics": {}, "episode_return": {"agent": ret}}
    robust.record(info)  # no reference yet: the attacked episodes are not scored
    assert robust.games.sum() == 0 and robust.clean.tolist() == [3, 3]
    stats = robust.end_of_iteration(1)
    assert stats["robust/clean_return"] == pytest.approx(-10.0)  # (-10 - 12 - 8) / 3
    assert "robust/asr" not in stats and "robust/clean_success" not in stats
    robust.member = torch.tensor([0, 1, 2, 3, -1, -1, -1, -1])
    robust._assign()
    robust.record(info)
    # honest means -9, -12.5, -9.5 against the bar -10 - 0.25 x 10 = -12.5: none is below
    # it (env 3 has not ended)
    assert robust.failures.tolist()[:4] == [0, 0, 0, 0]
    assert robust.games.tolist()[:4] == [1, 1, 1, 0]
    robust.cfg.drop_threshold = 0.2  # the bar -12: env 1 (-12.5) fails
    robust._zero_counts()
    robust.record(info)
    assert robust.failures.tolist()[:4] == [0, 1, 0, 0]
    stats = robust.end_of_iteration(2)
    assert stats["robust/asr"] == pytest.approx(1 / 3)
    assert stats["robust/asr_member_1"] == 1.0 and stats["robust/asr_member_0"] == 0.0
    resumed = trainer("b").robust
    assert resumed is not None
    resumed.load_state_dict(robust.state_dict())
    assert resumed.reference == robust.reference == pytest.approx(-10.0)
    t.train()  # and a whole run goes through
    rows = (tmp_path / "a" / "progress.csv").read_text()
    assert "robust/clean_return" in rows and "robust/asr" in rows
