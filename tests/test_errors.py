"""Bad input fails loudly, naming what is wrong."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

import arena
from arena import ActionError, ConfigError, Scenario, VecEnv


def test_unknown_env_id_suggests_close_matches() -> None:
    with pytest.raises(KeyError, match="did you mean 'coordination/simple_spread-v0'"):
        arena.make("coordination/simple_sprad-v0")


def test_unknown_scenario_argument_is_named() -> None:
    with pytest.raises(ConfigError, match="unknown key 'num_agent'.*did you mean 'num_agents'"):
        arena.make("navigation/navigation-v0", num_agent=3)


@pytest.mark.parametrize("kwargs,match", [
    ({"N": "three"}, r"simple_spread-v0.N: expected int, got 'three'"),
    ({"N": True}, r"N: expected int, got bool"),
    ({"local_ratio": 1.5}, r"local_ratio must be in \[0, 1\]"),
    ({"N": 0}, r"N must be >= 1"),
])
def test_ill_typed_or_bad_values(kwargs: dict, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        arena.make("coordination/simple_spread-v0", **kwargs)


def test_int_accepted_for_float_and_list_for_tuple() -> None:
    env = arena.make("navigation/navigation-v0", goal_radius=1, obstacle_radius=[0.1, 0.2])
    assert env.scenario.config.goal_radius == 1.0
    assert env.scenario.config.obstacle_radius == (0.1, 0.2)


@pytest.fixture
def env() -> arena.VecEnv:
    e = arena.make("attack_defense/simple_tag-v0", num_envs=4)
    e.reset(seed=0)
    return e


def test_wrong_action_shape_names_team_and_shape(env: arena.VecEnv) -> None:
    actions = env.sample_actions()
    actions["adversary"] = torch.zeros(4, 2, dtype=torch.long)
    with pytest.raises(ActionError, match=r"actions\['adversary'\] has shape \(4, 2\), "
                                          r"expected \(4, 3\)"):
        env.step(actions)


def test_wrong_dtype_range_and_teams(env: arena.VecEnv) -> None:
    good = env.sample_actions()
    with pytest.raises(ActionError, match="dtype torch.float32; discrete actions are integers"):
        env.step({**good, "agent": torch.zeros(4, 1)})
    with pytest.raises(ActionError, match=r"values outside \[0, 4\]"):
        env.step({**good, "agent": torch.full((4, 1), 5)})
    with pytest.raises(ActionError, match=r"missing \['agent'\]"):
        env.step({"adversary": good["adversary"]})
    with pytest.raises(ActionError, match="must be a dict keyed by team"):
        env.step([good["adversary"]])  # type: ignore[arg-type]


def test_continuous_nan_and_range() -> None:
    env = arena.make("navigation/navigation-v0", num_envs=2, continuous_actions=True)
    env.reset(seed=0)
    a = torch.zeros(2, 4, 2)
    a[0, 1, 0] = float("nan")
    with pytest.raises(ActionError, match=r"actions\['agent'\] has values outside"):
        env.step({"agent": a})
    with pytest.raises(ActionError, match="outside"):
        env.step({"agent": torch.full((2, 4, 2), 1.5)})


def test_parallel_env_names_the_agent() -> None:
    par = arena.make_parallel_env("coordination/simple_spread-v0")
    par.reset(seed=0)
    with pytest.raises(ActionError, match=r"action of 'agent_1' is 7, outside \[0, 4\]"):
        par.step({"agent_0": 0, "agent_1": 7, "agent_2": 0})
    with pytest.raises(ActionError, match=r"missing actions for \['agent_2'\]"):
        par.step({"agent_0": 0, "agent_1": 1})
    cont = arena.make_parallel_env("coordination/simple_spread-v0", continuous_actions=True)
    cont.reset(seed=0)
    with pytest.raises(ActionError, match=r"'agent_0' must be a float array of shape \(5,\)"):
        cont.step({a: np.zeros(2, np.float32) for a in cont.agents})


def test_policy_in_an_env_of_other_actions_is_named(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """A policy trained on continuous actions, played where the env takes discrete ones, by
    ``arena eval`` and as a robust-training member: an error naming both spaces (and the
    member's key), not a shape error deep in the rollout."""
    from arena.cli import main

    quick = ["log.progress=false", "eval.every=0", "eval.gif=false", "eval.episodes=2",
             "env.num_envs=4", "rollout_steps=8", "total_steps=32"]
    run, attacker = tmp_path / "continuous", tmp_path / "attacker"
    assert main(["train", "configs/navigation/navigation_mappo.yaml", "--run-dir", str(run),
                 *quick, "env.kwargs.continuous_actions=true"]) == 0
    assert main(["attack", str(run), "--agents", "1", "--run-dir", str(attacker), *quick]) == 0
    capsys.readouterr()
    spaces = ("the policy acts in Box(-1.0, 1.0, (2,), float32), env navigation/navigation-v0 "
              "takes Discrete(5)")
    assert main(["eval", str(run), "--episodes", "2", "continuous_actions=false"]) != 0
    assert spaces in capsys.readouterr().err
    assert main(["eval", str(run), "--episodes", "2", "--env", "coordination/simple_spread-v0"]
                ) != 0  # another env: it says which one the run was trained on
    assert ("trained on navigation/navigation-v0: team 'agent': the policy acts in "
            "Box(-1.0, 1.0, (2,), float32), env coordination/simple_spread-v0 takes "
            "Discrete(5)") in capsys.readouterr().err
    assert main(["train", "configs/navigation/navigation_mappo.yaml", "--run-dir",
                 str(tmp_path / "robust"), *quick, "robust.kind=takeover",
                 f"robust.attackers=[{attacker}]"]) != 0
    assert f"robust.attackers {attacker}: team 'agent': {spaces}" in capsys.readouterr().err


def test_register_rejects_bad_ids_and_conflicts() -> None:
    from envs.coordination.simple_spread import SimpleSpread
    from envs.navigation.navigation import Navigation

    with pytest.raises(ValueError, match="must look like"):
        arena.register("simple_spread", SimpleSpread)
    with pytest.raises(ValueError, match="already registered"):
        arena.register("coordination/simple_spread-v0", Navigation)


def test_bad_plugin_outputs_name_the_scenario_and_method() -> None:
    from envs.coordination.simple_spread import SimpleSpread

    class WrongReward(SimpleSpread):
        def reward(self, world: Any) -> Any:
            return {"agent": super().reward(world)["agent"][:, 0]}  # (B,) instead of (B, N)

    class MissingTeam(SimpleSpread):
        def observation(self, world: Any) -> Any:
            return {"agents": super().observation(world)["agent"]}

    class BadMetric(SimpleSpread):
        def metrics(self, world: Any) -> dict[str, Any]:
            return {"coverage": torch.zeros(2, 2)}

    cfg = SimpleSpread.config_cls()
    env = VecEnv(WrongReward(cfg), num_envs=4)
    env.reset(seed=0)
    with pytest.raises(ValueError, match=r"WrongReward.reward\['agent'\] returned shape "
                                         r"\(4,\), expected \(4, 3\)"):
        env.step(env.sample_actions())
    with pytest.raises(ValueError, match=r"MissingTeam.observation must return \{team: tensor\}"):
        VecEnv(MissingTeam(cfg), num_envs=4)
    env = VecEnv(BadMetric(cfg), num_envs=2)
    env.reset(seed=0)
    with pytest.raises(ValueError, match=r"BadMetric.metrics\['coverage'\] returned shape"):
        for _ in range(25):
            env.step(env.sample_actions())

    class NoReward(Scenario):
        config_cls = SimpleSpread.config_cls

        def make_world(self) -> Any:
            return SimpleSpread(cfg).make_world()

    with pytest.raises(TypeError, match="NoReward.*abstract method"):
        NoReward(cfg)  # type: ignore[abstract]


def test_failing_plugin_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    from arena.core import plugins, registry

    class BrokenEntryPoint:
        name, value = "broken", "broken_pkg:register"

        def load(self) -> Any:
            def register() -> None:
                raise RuntimeError("boom")
            return register

    monkeypatch.setattr(plugins.importlib.metadata, "entry_points",
                        lambda group: [BrokenEntryPoint()])
    monkeypatch.setattr(plugins, "_loaded", set())
    with pytest.raises(RuntimeError, match=r"plug-in 'broken' \(broken_pkg:register\).*boom"):
        registry.list_envs()


def test_action_space_the_simulator_cannot_apply_is_named() -> None:
    import gymnasium

    from envs.coordination.simple_spread import SimpleSpread

    class ThreeMoves(SimpleSpread):
        def action_space(self, team: str) -> gymnasium.Space:
            return gymnasium.spaces.Discrete(3)

    with pytest.raises(ValueError, match=r"ThreeMoves.action_space\('agent'\) is Discrete\(3\)"):
        VecEnv(ThreeMoves(SimpleSpread.config_cls()), num_envs=2)


@pytest.mark.parametrize("device,match", [
    ("gpu", r"'gpu' is not a torch device"),
    ("xla", r"'xla' is not supported"),
    pytest.param("cuda", r"'cuda' is unavailable: this torch build has no CUDA",
                 marks=pytest.mark.skipif(torch.cuda.is_available() or torch.version.cuda
                                          is not None, reason="a CUDA build of torch")),
    pytest.param("cuda:7", r"'cuda:7' is unavailable",
                 marks=pytest.mark.skipif(torch.cuda.device_count() > 7, reason="8 GPUs")),
])
def test_unavailable_or_malformed_devices_are_named(device: str, match: str,
                                                    tmp_path: Any) -> None:
    from arena.training.run_config import load_config
    from arena.training.trainer import Trainer

    with pytest.raises(ValueError, match=match):
        arena.make("navigation/navigation-v0", num_envs=2, device=device)
    cfg = load_config(None, overrides={"device": device, "log.run_dir": str(tmp_path)})
    with pytest.raises(ConfigError, match=f"device: {match}"):  # a saved config still loads
        Trainer(cfg)


def test_training_bench_without_its_peers_says_how_to_install_them(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from arena.cli import main
    from arena.tools import bench_training

    monkeypatch.setattr(bench_training, "benchmarl_available", lambda: False)
    assert main(["bench", "--training", "--peers", "--num-envs", "8", "--iterations", "1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "needs BenchMARL and VMAS" in err and "make bench" in err
