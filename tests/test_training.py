"""Training stack: a smoke run of every algorithm x backbone x action space, exact resume, and
a short learning check."""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path
from typing import Any

import pytest
import torch

import arena
from arena.core.registry import spec
from arena.interfaces.algorithms import algo_spec, list_algos
from arena.interfaces.policy_config import BACKBONES, RECURRENT_BACKBONES
from arena.training.run_config import load_config
from arena.training.runs import load_policy
from arena.training.trainer import Trainer


def tiny(tmp_path: Path, **over: Any) -> Any:
    base = {"name": "t", "env.num_envs": 8, "rollout_steps": 10, "total_steps": 160,
            "log.progress": False, "log.tensorboard": False, "eval.episodes": 4,
            "eval.gif": False, "log.run_dir": str(tmp_path / "run"),
            "policy.hidden_sizes": [16, 16], "policy.embed_dim": 16, "policy.num_heads": 2,
            "policy.num_layers": 1, "algo.epochs": 2, "algo.num_minibatches": 2}
    return load_config(None, overrides={**base, **over})


ENVS = ["coordination/simple_spread-v0", "attack_defense/breach-v0"]


def smoke_run(tmp_path: Path, env_id: str, algo: str, backbone: str, continuous: bool,
              head: str = "auto", **extra: Any) -> None:
    """Train two tiny iterations, check the logged keys and step accounting, then play the
    saved policy through ``load_policy`` in a fresh env."""
    critic_free = algo_spec(algo).critic_free
    over = {"env.id": env_id, "algo.name": algo, "policy.backbone": backbone,
            "policy.head": head, "env.kwargs": {"continuous_actions": continuous}, **extra}
    if critic_free:
        over["algo.group_size"] = 4
    trainer = Trainer(tiny(tmp_path, **over))
    summary = trainer.train()
    per_iteration = 8 * trainer.cfg.rollout_steps  # whole episodes for critic-free algos
    assert summary["iterations"] >= 1
    assert summary["env_steps"] == summary["iterations"] * per_iteration
    header = (tmp_path / "run" / "progress.csv").read_text().splitlines()[0].split(",")
    keys = ["policy_loss", "entropy", "approx_kl", "clip_fraction", "grad_norm", "lr"]
    keys += ["kl_penalty"] if critic_free else ["value_loss", "explained_variance"]
    for key in keys:
        assert any(h.endswith("/" + key) for h in header), key
    env = arena.make(env_id, num_envs=3, continuous_actions=continuous)
    obs, _ = env.reset(seed=0)
    policy = arena.load_policy(tmp_path / "run", env=env)
    for _ in range(2):  # valid actions in every team's space (checked by the env)
        obs, *_ = env.step(policy(obs, starts=env.episode_starts()))
    if backbone == "attention":  # count-invariant: runs with more agents than in training
        more = {"N": 5} if "spread" in env_id else {"num_attackers": 5, "num_defenders": 4}
        big = arena.make(env_id, num_envs=3, continuous_actions=continuous, **more)
        obs, _ = big.reset(seed=0)
        big.step(arena.load_policy(tmp_path / "run", env=big, deterministic=False)(obs))


@pytest.mark.parametrize("continuous", [False, True])
@pytest.mark.parametrize("backbone", ["mlp", "attention"])
@pytest.mark.parametrize("algo", list_algos())
@pytest.mark.parametrize("env_id", ENVS)
def test_smoke(tmp_path: Path, env_id: str, algo: str, backbone: str, continuous: bool) -> None:
    smoke_run(tmp_path, env_id, algo, backbone, continuous)


@pytest.mark.parametrize("backbone", [b for b in BACKBONES if b in RECURRENT_BACKBONES])
@pytest.mark.parametrize("algo", list_algos())
@pytest.mark.parametrize("env_id", ENVS)
def test_smoke_recurrent(tmp_path: Path, env_id: str, algo: str, backbone: str) -> None:
    """Recurrent backbones, trained on sequences of 5 steps of the 10-step rollouts."""
    smoke_run(tmp_path, env_id, algo, backbone, continuous="breach" in env_id,
              **{"algo.seq_len": 5})


@pytest.mark.parametrize("coordinated", [False, True])
@pytest.mark.parametrize("algo", list_algos())
@pytest.mark.parametrize("env_id", ENVS)
def test_smoke_flow_head(tmp_path: Path, env_id: str, algo: str, coordinated: bool) -> None:
    smoke_run(tmp_path, env_id, algo, "mlp", True, head="flow",
              **{"policy.flow_steps": 2, "policy.flow_coordinated": coordinated})


def test_mappo_per_env_critic(tmp_path: Path) -> None:
    cfg = tiny(tmp_path, **{"algo.critic_input": "state"})
    trainer = Trainer(cfg)
    assert trainer.learners["agent"].critic.kind == "env_state"  # type: ignore[attr-defined]
    assert trainer.train()["env_steps"] == 160
    with pytest.raises(arena.ConfigError, match="critic_input"):
        load_config(None, overrides={"algo.critic_input": "obs"})


def test_chunked_update_equals_whole_minibatch(tmp_path: Path) -> None:
    from arena.interfaces.episodes import EpisodeTracker

    params = []
    for chunk in (10_000, 7):  # one chunk vs 12 uneven chunks of the 80-row minibatches
        trainer = Trainer(tiny(tmp_path / str(chunk), **{"algo.chunk_size": chunk}))
        trainer.collector.collect(EpisodeTracker())
        stats = trainer.update()
        params.append((torch.cat([p.flatten() for p in
                                  trainer.learners["agent"].actor().parameters()]), stats))
    (a, stats_a), (b, stats_b) = params
    assert torch.allclose(a, b, atol=1e-5)
    assert abs(stats_a["agent/policy_loss"] - stats_b["agent/policy_loss"]) < 1e-5


def test_chunk_size_zero_is_chosen_by_the_device(tmp_path: Path) -> None:
    """``algo.chunk_size: 0`` (the default) is 8192 rows on a CPU and 2**20 on a GPU; a
    positive value is kept; a negative one is a named error."""
    from agents.policy_gradient import chunk_rows

    assert chunk_rows(0, torch.device("cpu")) == 8192
    assert chunk_rows(0, torch.device("cuda")) == 2**20  # the type alone decides: no GPU needed
    assert chunk_rows(48, torch.device("cuda")) == 48
    assert Trainer(tiny(tmp_path)).learners["agent"].chunk_size == 8192  # type: ignore[attr-defined]
    with pytest.raises(arena.ConfigError, match="chunk_size"):
        load_config(None, overrides={"algo.chunk_size": -1})


def test_fused_tanh_layers_equal_linear_then_tanh() -> None:
    """The MLP's fused Linear+tanh (tanh as 2 sigmoid(2z) - 1) against nn.Linear + torch.tanh:
    outputs and every gradient, input included, with leading batch axes."""
    from agents.nets import mlp

    torch.manual_seed(0)
    net = mlp([7, 32, 16], "tanh").double()
    x = (3 * torch.randn(5, 3, 7, dtype=torch.float64)).requires_grad_()
    reference = torch.nn.Sequential(*[m if isinstance(m, torch.nn.Linear) else torch.nn.Tanh()
                                      for m in net])  # the same parameters, unfused
    out, ref = net(x), reference(x)
    assert net.fused and out.shape == (5, 3, 16)
    assert torch.allclose(out, ref, atol=1e-12)
    weights = torch.randn_like(ref)
    grads = torch.autograd.grad((out * weights).sum(), [x, *net.parameters()])
    ref_grads = torch.autograd.grad((ref * weights).sum(), [x, *net.parameters()])
    for g, r in zip(grads, ref_grads, strict=True):
        assert torch.allclose(g, r, atol=1e-12)
    assert list(dict(net.named_parameters())) == ["0.weight", "0.bias", "2.weight", "2.bias"]


def test_fused_tanh_layers_vmap_over_stacked_replicas() -> None:
    """Stacked replicas (``torch.func.vmap`` over parameters stacked per seed, as
    docs/results/seeds/stacked_update.py measures): outputs and gradients equal each replica's
    own, so the fused layers' vmap rule batches them correctly."""
    from torch.func import functional_call, stack_module_state, vmap

    from agents.nets import mlp

    torch.manual_seed(0)
    nets = [mlp([7, 32, 16], "tanh").double() for _ in range(3)]
    x = torch.randn(3, 5, 4, 7, dtype=torch.float64)  # one batch per replica
    params, _ = stack_module_state(nets)
    base = copy.deepcopy(nets[0])
    out = vmap(lambda p, xs: functional_call(base, p, (xs,)))(params, x)
    weights = torch.randn_like(out)
    grads = torch.autograd.grad((out * weights).sum(), list(params.values()))
    for i, net in enumerate(nets):
        ref = net(x[i])
        assert torch.allclose(out[i], ref, atol=1e-12)
        ref_grads = torch.autograd.grad((ref * weights[i]).sum(), list(net.parameters()))
        for g, r in zip(grads, ref_grads, strict=True):
            assert torch.allclose(g[i], r, atol=1e-12)


@pytest.mark.parametrize("activation", ["tanh", "relu"])
@pytest.mark.parametrize("agent_id", [False, True])
def test_split_first_layer_critic_equals_the_concatenated_input(activation: str,
                                                                agent_id: bool) -> None:
    """MAPPO's agent-specific critic without input normalization computes its first layer's
    product on the global state once per env; values and every gradient (inputs included)
    equal those of the MLP on [state, own observation(, agent id)] per agent."""
    from agents.actor_critic import Critic, with_agent_id
    from arena.interfaces.policy_config import PolicyConfig

    torch.manual_seed(0)
    cfg = PolicyConfig(feature_norm=False, activation=activation, agent_id=agent_id,
                       hidden_sizes=[32, 16])
    critic = Critic("state", 7, 11, [("x", 1, 7)], 3, cfg).double()
    assert critic.backbone.splits
    obs = torch.randn(4, 5, 3, 7, dtype=torch.float64, requires_grad=True)
    state = torch.randn(4, 5, 11, dtype=torch.float64, requires_grad=True)
    values = critic(obs, state)
    own = with_agent_id(obs) if agent_id else obs
    x = torch.cat([state.unsqueeze(-2).expand(4, 5, 3, 11), own], dim=-1)
    unfused = torch.nn.Sequential(*[  # the same parameters, on the concatenation
        m if isinstance(m, torch.nn.Linear) else
        (torch.nn.Tanh() if activation == "tanh" else torch.nn.ReLU())
        for m in critic.backbone.net])
    reference = critic.value(unfused(x)).squeeze(-1)
    assert values.shape == (4, 5, 3)
    assert torch.allclose(values, reference, atol=1e-12)
    w = torch.randn_like(values)
    params = [obs, state, *critic.parameters()]
    grads = torch.autograd.grad((values * w).sum(), params)
    ref_grads = torch.autograd.grad((reference * w).sum(), params)
    for g, r in zip(grads, ref_grads, strict=True):
        assert torch.allclose(g, r, atol=1e-12)
    normed = Critic("state", 7, 11, [("x", 1, 7)], 3, PolicyConfig(feature_norm=True))
    assert not normed.backbone.splits  # LayerNorm over [state, obs] does not split


def test_one_minibatch_in_order_has_the_gradient_of_a_shuffled_one(tmp_path: Path) -> None:
    """With one minibatch the rows are taken in order, as views; the step's gradient is the
    one of the same rows in a random order, to float tolerance."""
    from arena.interfaces.episodes import EpisodeTracker

    trainer = Trainer(tiny(tmp_path, **{"algo.chunk_size": 16, "algo.num_minibatches": 1}))
    trainer.collector.collect(EpisodeTracker())
    learner = trainer.learners["agent"]
    ro = trainer.collector.rollouts["agent"]
    zeros = torch.zeros_like(ro.rewards)
    rows = learner._rows(ro, torch.randn_like(ro.rewards), zeros, zeros)
    assert learner._minibatches(rows.size) == [slice(0, rows.size)]
    grads = []
    for idx in (slice(0, rows.size), torch.randperm(rows.size)):
        saved = copy.deepcopy(learner.state_dict())
        learner._minibatch_step(rows, idx)  # steps the optimizers: compare the gradients
        grads.append(torch.cat([p.grad.flatten() for p in learner.params
                                if p.grad is not None]))
        learner.load_state_dict(saved)
    assert torch.allclose(grads[0], grads[1], atol=1e-6)
    assert not torch.equal(grads[0], torch.zeros_like(grads[0]))


def test_resume_equals_uninterrupted_run(tmp_path: Path) -> None:
    full = Trainer(tiny(tmp_path / "a", **{"total_steps": 400}))
    full.train()
    part = tiny(tmp_path / "b", **{"total_steps": 400})
    Trainer(part).train(stop_after_iterations=2)
    resumed = Trainer(part, resume=True)
    assert resumed.iteration == 2 and resumed.env_steps == 160
    resumed.train()
    for team in full.learners:
        a = full.learners[team].state_dict()
        b = resumed.learners[team].state_dict()
        for part_name in ("actor", "critic"):
            for key, value in a[part_name].items():
                assert torch.equal(value, b[part_name][key]), (team, part_name, key)
    assert torch.equal(full.env.world.pos, resumed.env.world.pos)


def test_checkpoint_errors(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no checkpoint in run directory"):
        load_policy(tmp_path)
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"not a checkpoint")
    with pytest.raises(ValueError, match="cannot read checkpoint"):
        load_policy(bad)


def test_config_errors_name_key_and_file(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("name: x\nalgo: {name: mappo, lrr: 0.1}\n")
    with pytest.raises(arena.ConfigError, match=r"c.yaml: algo: unknown key 'lrr'.*'lr'"):
        load_config(path)
    path.write_text("env: {num_envs: many}\n")
    with pytest.raises(arena.ConfigError, match=r"c.yaml.env.num_envs: expected int"):
        load_config(path)
    path.write_text("algo: {name: mapo}\n")
    with pytest.raises(arena.ConfigError, match=r"did you mean 'mappo'"):
        load_config(path)
    with pytest.raises(arena.ConfigError, match=r"policy: backbone must be one of .*'ssm'"):
        load_config(None, overrides={"policy.backbone": "lstm"})
    # a negative time limit would end the run before its first iteration, silently
    with pytest.raises(arena.ConfigError, match=r"time_limit must be >= 0 seconds.*got -5"):
        load_config(None, overrides={"time_limit": -5})


def test_short_learning_check(tmp_path: Path) -> None:
    """A couple of minutes at most: MAPPO must clearly beat random play on simple_spread
    (random: about -26 per agent; the untrained policy evaluates near -25)."""
    cfg = tiny(tmp_path, **{"env.num_envs": 128, "rollout_steps": 25, "total_steps": 300_000,
                            "policy.hidden_sizes": [64, 64], "algo.epochs": 10,
                            "algo.num_minibatches": 1, "algo.lr": 7e-4, "algo.critic_lr": 7e-4,
                            "eval.episodes": 300})
    summary = Trainer(cfg).train()
    assert summary["eval/return/agent"] > -21.0, summary


def test_short_grpo_learning_check(tmp_path: Path) -> None:
    """GRPO (no critic) must also clearly beat random play on simple_spread in 300k steps."""
    cfg = tiny(tmp_path, **{"env.num_envs": 128, "total_steps": 300_000,
                            "policy.hidden_sizes": [64, 64], "eval.episodes": 300,
                            "algo": {"name": "grpo", "group_size": 16, "epochs": 10,
                                     "advantage": "reward_to_go", "lr": 7e-4}})
    summary = Trainer(cfg).train()
    assert summary["eval/return/agent"] > -21.0, summary


def test_logger_widens_header_and_drops_rows_after_resume_point(tmp_path: Path) -> None:
    from arena.training.logger import Logger

    log = Logger(tmp_path, tensorboard=False)
    log.log(10, {"loss": 1.0})
    log.log(20, {"loss": 0.5, "episode/return": -3.0})  # a key first seen later is kept
    log.log(30, {"loss": 0.25})
    log.log(20, {"eval/return": -2.0}, file="eval")
    rows = (tmp_path / "progress.csv").read_text().splitlines()
    assert rows[0] == "env_steps,loss,episode/return"
    assert rows[2] == "20,0.5,-3.0" and rows[1] == "10,1.0,"
    Logger(tmp_path, tensorboard=False, start_step=20)  # resumed from a checkpoint at step 20
    assert (tmp_path / "progress.csv").read_text().splitlines()[1:] == ["10,1.0,", "20,0.5,-3.0"]
    assert (tmp_path / "eval.csv").read_text().splitlines() == ["env_steps,eval/return",
                                                               "20,-2.0"]


def test_plot_curves_from_run_csv(tmp_path: Path) -> None:
    from arena.evaluation.plot import plot_runs
    from arena.training.logger import Logger

    log = Logger(tmp_path, tensorboard=False)
    for i in range(1, 6):
        log.log(100 * i, {"episode/return_agent": -20.0 + i, "time/elapsed_s": float(i)})
    out = plot_runs([tmp_path], tmp_path / "c.png", x="time/elapsed_s", smooth=2)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(KeyError, match="no column 'eval/coverage'"):
        plot_runs([tmp_path], tmp_path / "d.png", metric="eval/coverage")


def test_every_builtin_scenario_has_a_config_that_loads() -> None:
    root = Path(__file__).resolve().parents[1] / "configs"
    used = {load_config(path).env.id for path in sorted(root.rglob("*.yaml"))}
    builtin = {e for e in arena.list_envs() if e.split("/")[0] in
               ("coordination", "attack_defense", "navigation")
               and spec(e).scenario_cls.__module__.startswith("envs.")}  # not plug-ins
    assert "coordination/simple_spread-v0" in builtin
    assert builtin <= used, sorted(builtin - used)


def test_sigkill_mid_training_then_resume(tmp_path: Path) -> None:
    """A run killed with SIGKILL (checkpointing every iteration) leaves a readable checkpoint
    and resumes to the end of its budget."""
    import os
    import signal
    import subprocess
    import sys
    import time

    run = tmp_path / "run"
    args = ["name=k", "env.num_envs=64", "rollout_steps=25", "total_steps=400000",
            "log.checkpoint_every=1", "log.progress=false", "log.tensorboard=false",
            "eval.gif=false", "eval.episodes=8"]
    cfg = tmp_path / "c.yaml"
    cfg.write_text("env: {id: coordination/simple_spread-v0}\n")
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "arena", "train", str(cfg), "--run-dir",
                             str(run), *args], env=env)
    ckpt = run / "checkpoints" / "latest.pt"
    deadline = time.time() + 120
    while time.time() < deadline and not (ckpt.exists() and ckpt.stat().st_size > 0):
        time.sleep(0.2)
    time.sleep(1.0)  # let it get into later iterations and checkpoint writes
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    trainer = Trainer(load_config(run / "config.yaml"), resume=True)
    done = trainer.env_steps
    assert done > 0 and done % (64 * 25) == 0
    out = subprocess.run([sys.executable, "-m", "arena", "train", "--resume", str(run),
                          f"total_steps={done + 3 * 64 * 25}"], env=env, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    resumed = Trainer(load_config(run / "config.yaml"), resume=True)
    assert resumed.env_steps == done + 3 * 64 * 25


def test_per_team_algorithm_and_backbone(tmp_path: Path) -> None:
    teams = {"defender": {"algo": {"name": "ippo"}, "policy": {"backbone": "attention"}}}
    trainer = Trainer(tiny(tmp_path, **{"env.id": "attack_defense/breach-v0", "teams": teams}))
    assert not trainer.learners["defender"].caps.uses_state  # IPPO: local critic
    assert trainer.learners["attacker"].caps.uses_state  # MAPPO (the top-level algo)
    assert trainer.train()["env_steps"] == 160
    with pytest.raises(arena.ConfigError, match="defenderz"):
        Trainer(tiny(tmp_path / "x", **{"env.id": "attack_defense/breach-v0",
                                        "teams": {"defenderz": {}}}))


def test_episode_tracker_sums_on_device_and_merges_workers() -> None:
    from arena.interfaces.episodes import EpisodeTracker

    tracker = EpisodeTracker()
    done = torch.tensor([True, False, True])
    tracker.add({"done": done, "episode_return": {"agent": torch.tensor([[1.0, 3.0], [9.0, 9.0],
                                                                          [-2.0, 0.0]])},
                 "episode_length": torch.tensor([25, 3, 25]),
                 "metrics": {"hit": torch.tensor([True, True, False])}})
    assert tracker.totals() == {"count": 2.0, "return_agent": 1.0, "length": 50.0, "hit": 1.0}
    other = {"count": 1.0, "return_agent": -4.0, "length": 10.0, "hit": 1.0}
    assert EpisodeTracker.means_of([tracker.totals(), other]) == {
        "episode/return_agent": -1.0, "episode/length": 20.0, "episode/hit": 2 / 3}
    assert EpisodeTracker().means() == {}


def test_profile_times_every_phase_and_counts_memory(tmp_path: Path) -> None:
    from arena.interfaces.spec import TeamSpec
    from arena.tools.profile import PHASES, profile_training

    cfg = tiny(tmp_path)
    prof = profile_training(cfg, iterations=2)
    assert set(prof.seconds) == set(PHASES) and all(v > 0 for v in prof.seconds.values())
    assert prof.steps_per_s > 0 and "update" in prof.table()
    spec = TeamSpec.of(arena.make(cfg.env.id, num_envs=1), "agent")
    n, t = spec.num_agents, cfg.rollout_steps
    # obs, logp, values, rewards, active (float32), actions (int64), dones, episode starts,
    # global state; plus the last observation and state
    per_step = 4 * (n * spec.obs_dim + 4 * n + 2 + spec.state_dim) + 8 * n
    assert prof.bytes_per_env["rollout"] == t * per_step + 4 * (n * spec.obs_dim + spec.state_dim)


def test_run_trained_on_a_gpu_evaluates_on_the_cpu(tmp_path: Path) -> None:
    """The saved config's device (e.g. cuda on a GPU machine) does not decide where a policy
    plays: load_policy and arena eval use the device they are given."""
    from arena.evaluation.run_eval import evaluate_run
    from arena.training import checkpoint

    Trainer(tiny(tmp_path)).train()
    path = tmp_path / "run" / "checkpoints" / "latest.pt"
    ckpt = checkpoint.load(path)
    ckpt["config"]["device"] = "cuda:0"
    checkpoint.save_atomic(ckpt, path)
    env = arena.make("coordination/simple_spread-v0", num_envs=2)
    obs, _ = env.reset(seed=0)
    env.step(load_policy(tmp_path / "run", env=env)(obs))
    report = evaluate_run(tmp_path / "run", episodes=3)
    assert report.episodes == 3


def test_eval_reports_sampled_beside_greedy_reproducibly(tmp_path: Path) -> None:
    """Greedy play can be worse than sampled play; arena eval shows both, on the same seeds,
    and the sampled numbers are reproducible."""
    from arena.evaluation.run_eval import evaluate_run

    Trainer(tiny(tmp_path)).train()
    greedy = evaluate_run(tmp_path / "run", episodes=6)
    again = evaluate_run(tmp_path / "run", episodes=6)
    sampled = evaluate_run(tmp_path / "run", episodes=6, deterministic=False)
    assert set(greedy.sampled) == set(greedy.rows) and greedy.sampled == again.sampled
    assert sampled.rows == greedy.sampled and not sampled.sampled
    assert greedy.rows["return/agent"] != greedy.sampled["return/agent"]
    assert "sampled" in greedy.table().splitlines()[1]


def test_progress_bar_fills_against_the_binding_budget() -> None:
    from arena.training.progress import budget_fraction, postfix

    # 1M of 10M steps after 270 s of a 540 s limit: the clock binds, half the budget is used
    assert budget_fraction(1_000_000, 270.0, 10_000_000, 540.0) == (0.5, "time")
    # 8M of 10M steps after 270 s: the steps bind (0.8 > 0.5)
    assert budget_fraction(8_000_000, 270.0, 10_000_000, 540.0) == (0.8, "steps")
    assert budget_fraction(2_500_000, 10.0, 10_000_000, 0.0) == (0.25, "steps")  # no limit
    assert budget_fraction(12_000_000, 10.0, 10_000_000, 0.0) == (1.0, "steps")
    shown = postfix(1_000_000, 270.0, 10_000_000, 540.0, "time",
                    {"time/steps_per_s": 3703.7, "episode/return_agent": -12.345})
    assert shown == {"time": "4:30/9:00", "steps": "1,000,000", "steps/s": "3,704",
                     "agent": "-12.35"}


@pytest.mark.parametrize("algo", ["mappo", "mappo_split", "grpo"])
def test_compiled_update_has_the_eager_gradient(tmp_path: Path, algo: str) -> None:
    """``algo.compile``: the same rollout, the same first minibatch step, compiled and eager:
    the same loss terms and gradients to float tolerance (``mappo_split``: the critic's first
    layer split between the state and the agent's observation, without input LayerNorm)."""
    from arena.interfaces.episodes import EpisodeTracker

    over: dict[str, Any] = {"algo.name": algo.split("_")[0], "algo.num_minibatches": 1,
                            "algo.chunk_size": 48}
    if algo == "mappo_split":
        over["policy.feature_norm"] = False
    if algo == "grpo":
        over["algo.group_size"] = 4
    grads, terms = [], []
    for compiled in (False, True):
        trainer = Trainer(tiny(tmp_path / str(compiled), **over, **{"algo.compile": compiled}))
        trainer.collector.collect(EpisodeTracker())
        learner = trainer.learners["agent"]
        ro = trainer.collector.rollouts["agent"]
        zeros = torch.zeros_like(ro.rewards)
        rows = learner._rows(ro, torch.linspace(-1, 1, ro.rewards.numel()).reshape(
            ro.rewards.shape), zeros, zeros)
        step = learner._minibatch_step(rows, slice(0, rows.size))
        terms.append(torch.stack([step[k] for k in sorted(step)]))
        grads.append(torch.cat([p.grad.flatten() for p in learner.params
                                if p.grad is not None]))
    assert torch.allclose(terms[0], terms[1], atol=1e-5)
    assert torch.allclose(grads[0], grads[1], atol=1e-5)
    assert grads[0].abs().max() > 0


@pytest.mark.parametrize("bootstrap", [True, False])
def test_time_limit_truncation_bootstraps_or_ends_the_episode(tmp_path: Path,
                                                               bootstrap: bool) -> None:
    """``algo.bootstrap_truncation``: at a time-limit truncation the last reward gets
    ``gamma * V(final observation)`` added, or nothing (the episode ends as a termination
    would); every other step's reward is the env's in both cases."""
    from arena.interfaces.episodes import EpisodeTracker

    rewards, dones = [], []
    for case in (bootstrap, None):
        over = {"env.kwargs": {"max_cycles": 4}, "algo.gamma": 0.9}
        if case is not None:
            over["algo.bootstrap_truncation"] = case
        trainer = Trainer(tiny(tmp_path / str(case), **over))
        learner = trainer.learners["agent"]
        learner.value = lambda obs, state: torch.full(obs.shape[:-1], 2.0)  # type: ignore[method-assign]
        if case is None:  # the reference: no bootstrap at all
            learner.caps = dataclasses.replace(learner.caps, bootstraps_truncation=False)
        trainer.collector.collect(EpisodeTracker())
        ro = trainer.collector.rollouts["agent"]
        rewards.append(ro.rewards.clone())
        dones.append(ro.dones.clone())
    assert torch.equal(dones[0], dones[1]) and dones[0][:, :, 0].sum(0).tolist() == [2] * 8
    ended = dones[0].expand_as(rewards[0]) > 0
    added = rewards[0] - rewards[1]
    assert bool((added[~ended] == 0).all())
    torch.testing.assert_close(added[ended], torch.full_like(added[ended],
                                                             0.9 * 2.0 if bootstrap else 0.0))
