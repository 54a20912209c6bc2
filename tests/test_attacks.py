"""Attacks from inside a team: takeover slot assignment, the attacker's reward, task outcomes of
the honest agents, ASR bookkeeping, observation perturbations within epsilon, the CLI and exact
resume of attack runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

import arena
from arena.cli import main
from arena.core.render import MARK
from arena.core.typed import ConfigError
from arena.evaluation.attacks import Outcomes, attack_summary, evaluate_attack
from arena.training.attack import (
    AttackPlay,
    Perturbation,
    Perturbed,
    Takeover,
    attack_config,
    draw_attacked,
    gradient_direction,
)
from arena.training.pretrain import saboteur_demonstrations
from arena.training.run_config import AttackConfig, load_config
from arena.training.runs import make_env
from arena.training.trainer import Trainer

NAV = {"env.id": "navigation/navigation-v0", "env.num_envs": 8, "env.kwargs": {"num_agents": 3},
       "rollout_steps": 10, "log.progress": False, "log.tensorboard": False,
       "eval.episodes": 4, "eval.gif": False, "policy.hidden_sizes": [16, 16],
       "algo.epochs": 1, "log.checkpoint_every": 1, "total_steps": 8 * 10 * 2}


def victim_run(tmp_path: Path) -> Path:
    cfg = load_config(None, overrides={**NAV, "log.run_dir": str(tmp_path / "victim")})
    Trainer(cfg).train()
    return tmp_path / "victim"


@pytest.fixture(scope="module")
def victim(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return victim_run(tmp_path_factory.mktemp("attack"))


class Constant:
    """A controller that plays one action everywhere and remembers what it was asked."""

    memory_size = 0

    def __init__(self, action: int) -> None:
        self.name, self.action = f"c{action}", action
        self.rows: list[torch.Tensor | None] = []

    def act(self, env: Any, obs: torch.Tensor, rows: torch.Tensor | None, memory: Any,
            starts: torch.Tensor, action_mask: Any = None) -> tuple[torch.Tensor, None]:
        self.rows.append(rows)
        return torch.full(obs.shape[:2], self.action, dtype=torch.long), None


def test_drawn_slots_have_k_attacked_agents_per_env() -> None:
    fixed = draw_attacked(5, 4, 2, False, None, torch.device("cpu"))
    assert fixed[:, :2].all() and not fixed[:, 2:].any()
    gen = torch.Generator().manual_seed(0)
    drawn = draw_attacked(200, 4, 1, True, gen, torch.device("cpu"))
    assert (drawn.sum(-1) == 1).all()
    counts = drawn.sum(0)
    assert (counts > 25).all()  # every slot gets attacked in some envs (50 expected each)


def test_attacker_actions_reach_exactly_the_taken_over_slots() -> None:
    env = arena.make("navigation/navigation-v0", num_envs=6, num_agents=3)
    obs, _ = env.reset(seed=0)
    attacked = torch.zeros(6, 3, dtype=torch.bool)
    attacked[torch.arange(6), torch.tensor([0, 1, 2, 0, 1, 2])] = True
    play = AttackPlay(env, "agent", Constant(2), Constant(4), attacked)
    actions = play(env, obs)["agent"]
    assert torch.equal(actions, torch.where(attacked, 4, 2))
    assert torch.equal(env.honest["agent"], ~attacked)


def test_takeover_run_learns_only_on_its_slots_and_scores_honest_agents(victim: Path,
                                                                       tmp_path: Path) -> None:
    cfg = attack_config(victim, agents=1, agents_random=True, run_dir=str(tmp_path / "atk"),
                        overrides={"total_steps": 8 * 10 * 2})
    t = Trainer(cfg)
    assert isinstance(t.attack, Takeover)
    t.train(stop_after_iterations=1)
    ro = t.collector.rollouts["agent"]
    owner = t.collector.control["agent"].owner
    assert ((owner == 0).sum(-1) == 1).all()  # one learner slot per env, the rest the victim
    # the last step's learner slots are exactly the attacked ones (drawn anew per episode)
    assert torch.equal(ro.active[-1] > 0, t.attack.attacked)
    assert ro.active.sum() == ro.active.shape[0] * 8  # one active slot per env and step
    # the attacker's reward: minus the honest agents' mean reward, on every slot
    reward = torch.tensor([[1.0, 2.0, 3.0]]).expand(8, 3)
    t.attack.attacked = torch.tensor([[True, False, False]]).expand(8, 3)
    assert torch.allclose(t.attack.reward("agent", reward), torch.full((8, 3), -2.5))


def test_honest_task_outcomes_of_the_scenarios() -> None:
    env = arena.make("coordination/simple_spread-v0", num_envs=1)
    env.reset(seed=0)
    world, sc = env.world, env.scenario
    landmarks = world.pos[:, sc.landmarks].clone()
    world.pos[:, :2] = landmarks[:, :2]          # agents 0, 1 on landmarks 0, 1
    world.pos[:, 2] = torch.tensor([5.0, 5.0])   # agent 2 far away
    honest = torch.tensor([[True, True, False]])
    assert bool(sc.task_outcome(world, "agent", honest)[0])
    assert not bool(sc.task_outcome(world, "agent", torch.ones(1, 3, dtype=torch.bool))[0])
    nav = arena.make("navigation/navigation-v0", num_envs=1, num_agents=2)
    nav.reset(seed=0)
    nav.world.pos[:, 0] = nav.scenario.goal[:, 0]
    nav.scenario.post_step(nav.world)
    assert bool(nav.scenario.task_outcome(nav.world, "agent",
                                          torch.tensor([[True, False]]))[0])
    assert not bool(nav.scenario.task_outcome(nav.world, "agent",
                                              torch.tensor([[True, True]]))[0])


def test_simple_spread_honest_reward_covers_the_honest_share() -> None:
    env = arena.make("coordination/simple_spread-v0", num_envs=1)
    env.reset(seed=0)
    world, sc = env.world, env.scenario
    world.pos[:, sc.landmarks] = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 2.0]])
    world.pos[:, :3] = torch.tensor([[0.0, 0.1], [1.5, 0.0], [0.0, 1.9]])  # no overlaps
    honest = torch.tensor([[True, True, False]])  # agent 2, on landmark 2, taken over
    # honest agents' distance to each landmark: 0.1 (agent 0), 0.5 (agent 1), 1.9 (agent 0);
    # two honest agents: the two nearest, 0.1 + 0.5; local_ratio 0.5, no collisions
    reward = sc.honest_reward(world, "agent", honest)
    assert torch.allclose(reward, torch.full((1, 3), -0.5 * 0.6))
    # everyone honest: the scenario's own reward (all three landmarks, 0.1 + 0.5 + 0.1)
    everyone = sc.honest_reward(world, "agent", torch.ones(1, 3, dtype=torch.bool))
    assert torch.allclose(everyone, sc.reward(world)["agent"])
    assert torch.allclose(everyone, torch.full((1, 3), -0.5 * 0.7))
    world.pos[:, 1] = torch.tensor([0.1, 0.0])  # agent 1 overlaps agent 0: local -1 each
    reward = sc.honest_reward(world, "agent", honest)  # nearest 0.1, then 0.9 (agent 1)
    assert torch.allclose(reward, torch.tensor([[-0.5 * 1.0 - 0.5, -0.5 * 1.0 - 0.5, -0.5]]))


def test_navigation_honest_reward_pays_the_bonus_when_the_honest_agents_are_home() -> None:
    """The success bonus (2.0) comes when every honest agent is at its goal, whatever the
    taken-over agent does; progress and collision terms are each agent's own."""
    env = arena.make("navigation/navigation-v0", num_envs=1, num_agents=3, num_obstacles=0)
    env.reset(seed=0)
    world, sc = env.world, env.scenario
    world.pos[:, :2] = sc.goal[:, :2]                 # agents 0 and 1 on their goals
    world.pos[:, 2] = sc.goal[:, 2] + 0.5             # agent 2 away from its goal
    sc.post_step(world)
    sc.prev_dist = sc.dist.clone()                    # no progress this step
    overlap = sc.overlaps.clone()                     # the start may put agents close
    honest = torch.tensor([[True, True, False]])
    base = -0.25 * overlap
    assert torch.allclose(sc.reward(world)["agent"], base)  # agent 2 is not home: no bonus
    assert torch.allclose(sc.honest_reward(world, "agent", honest), base + 2.0)
    everyone = torch.ones(1, 3, dtype=torch.bool)
    assert torch.allclose(sc.honest_reward(world, "agent", everyone), sc.reward(world)["agent"])
    sc.prev_dist = sc.dist + torch.tensor([[0.0, 0.3, 0.0]])  # agent 1 gained 0.3
    assert torch.allclose(sc.honest_reward(world, "agent", honest),
                          base + 2.0 + torch.tensor([[0.0, 0.3, 0.0]]))


def test_navigation_hold_bonus_pays_holding_goals_but_not_the_end() -> None:
    """With ``hold_bonus`` the honest agents holding their goals while the taken-over agent is
    away earn that per step; the step every agent is home (the episode ends) still pays the
    full ``success_bonus``, and the scenario's own reward is unchanged."""
    env = arena.make("navigation/navigation-v0", num_envs=1, num_agents=3, num_obstacles=0,
                     hold_bonus=0.02)
    env.reset(seed=0)
    world, sc = env.world, env.scenario
    world.pos[:, :2] = sc.goal[:, :2]
    world.pos[:, 2] = sc.goal[:, 2] + 0.5             # the taken-over agent 2 is away
    sc.post_step(world)
    sc.prev_dist = sc.dist.clone()
    base = -0.25 * sc.overlaps
    honest = torch.tensor([[True, True, False]])
    assert torch.allclose(sc.reward(world)["agent"], base)
    assert torch.allclose(sc.honest_reward(world, "agent", honest), base + 0.02)
    world.pos[:, 2] = sc.goal[:, 2]                   # now everyone is home: the episode ends
    sc.post_step(world)
    sc.prev_dist = sc.dist.clone()
    base = -0.25 * sc.overlaps
    assert bool(sc.terminated(world).all())
    assert torch.allclose(sc.honest_reward(world, "agent", honest), base + 2.0)
    assert torch.allclose(sc.reward(world)["agent"], base + 2.0)
    world.pos[:, 0] = sc.goal[:, 0] + 0.5             # an honest agent leaves: no bonus at all
    sc.post_step(world)
    sc.prev_dist = sc.dist.clone()
    assert torch.allclose(sc.honest_reward(world, "agent", honest), -0.25 * sc.overlaps)
    with pytest.raises(ConfigError, match="hold_bonus"):
        arena.make("navigation/navigation-v0", num_envs=1, hold_bonus=-1.0)


def test_asr_bookkeeping_against_hand_computed_episodes() -> None:
    clean = Outcomes(torch.tensor([1.0, 1.0, 1.0, 0.0]), torch.tensor([-1.0, -1.0, -2.0, -3.0]))
    hit = Outcomes(torch.tensor([0.0, 1.0, 0.0, 0.0]), torch.tensor([-2.0, -1.0, -4.0, -3.0]))
    s = attack_summary(clean, hit, drop_threshold=0.2)
    assert s["success"]["rate"] == 0.25 and s["asr"]["rate"] == 0.75
    assert s["asr_among_clean_successes"]["rate"] == pytest.approx(2 / 3)
    assert s["asr_among_clean_successes"]["n"] == 3
    assert s["return_drop"]["mean"] == pytest.approx(0.75)
    # no declared outcome: fail when the drop exceeds 0.2 x |mean clean return| (0.35)
    s = attack_summary(Outcomes(None, clean.honest_return), Outcomes(None, hit.honest_return),
                       0.2)
    assert s["asr"]["rate"] == 0.5 and s["asr_among_clean_successes"]["n"] == 4
    never = Outcomes(torch.zeros(4), clean.honest_return)  # the victims never succeed clean
    s = attack_summary(never, hit, 0.2)
    assert s["asr_among_clean_successes"] == {"rate": None, "ci95_low": 0.0, "ci95_high": 1.0,
                                              "n": 0}
    json.dumps(s, allow_nan=False)  # valid JSON: no NaN


def test_attack_cli_trains_and_reports(victim: Path, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "atk"
    assert main(["attack", str(victim), "--agents", "1", "--run-dir", str(out),
                 "total_steps=160"]) == 0
    report_path = tmp_path / "r.json"
    assert main(["eval", str(out), "--episodes", "12", "--json", str(report_path)]) == 0
    report = json.loads(report_path.read_text())
    assert report["agents"] == 1 and report["outcome"].startswith("task_outcome")
    assert set(report["attackers"]) == {"trained", "random", "scripted"}
    for r in report["attackers"].values():
        assert r["asr"]["n"] == 12 and r["asr"]["rate"] == pytest.approx(1 - r["success"]["rate"])
    again = evaluate_attack(out, episodes=12)  # same seeds, same slots: the same numbers
    assert again.attackers["trained"]["asr"] == report["attackers"]["trained"]["asr"]
    # one episode as a GIF, the taken-over agent ringed in red (not so in the victim's own)
    assert main(["eval", str(out), "--episodes", "4", "--gif", str(tmp_path / "a.gif")]) == 0
    assert main(["eval", str(victim), "--episodes", "4", "--gif", str(tmp_path / "v.gif")]) == 0
    assert red_pixels(tmp_path / "a.gif") > 50 and red_pixels(tmp_path / "v.gif") == 0
    capsys.readouterr()
    assert main(["eval", str(out), "--sample", "--env", "x"]) != 0
    assert "does not take --env:" in capsys.readouterr().err
    # --sample: the victim samples its actions, reproducibly (seeded), and it is named
    assert main(["eval", str(out), "--episodes", "12", "--sample", "--json", str(report_path)]) == 0
    sampled = json.loads(report_path.read_text())
    assert report["victim_play"] == "greedy" and sampled["victim_play"] == "sampled"
    assert "(sampled)" in capsys.readouterr().out
    assert sampled["clean"]["honest_return"] != report["clean"]["honest_return"]
    again = evaluate_attack(out, episodes=12, sample=True)
    assert again.clean == sampled["clean"] and again.attackers == sampled["attackers"]
    # and so does the GIF's victim, reproducibly
    for name in ("s1", "s2"):
        assert main(["eval", str(out), "--episodes", "4", "--sample", "--gif",
                     str(tmp_path / f"{name}.gif")]) == 0
    sampled_frames = gif_frames(tmp_path / "s1.gif")
    assert sampled_frames == gif_frames(tmp_path / "s2.gif")
    assert sampled_frames != gif_frames(tmp_path / "a.gif")
    # a variant of the scenario: shorter episodes, named in the report
    short = evaluate_attack(out, episodes=12, overrides={"max_steps": 3})
    assert short.overrides == {"max_steps": 3} and "with {'max_steps': 3}" in short.table()
    assert short.clean["success"]["rate"] == 0.0  # no team reaches its goals in 3 steps
    assert short.attackers["trained"]["honest_return"] != report["attackers"]["trained"][
        "honest_return"]
    assert main(["eval", str(victim), "--victim", str(out)]) != 0
    assert "--victim is for attack runs" in capsys.readouterr().err


def gif_frames(gif: Path) -> list[bytes]:
    """Every frame of ``gif`` as RGB bytes."""
    from PIL import Image, ImageSequence

    with Image.open(gif) as im:
        return [f.convert("RGB").tobytes() for f in ImageSequence.Iterator(im)]


def red_pixels(gif: Path) -> int:
    """Pixels of the attacked-agent ring's red, over every frame of ``gif``."""
    from PIL import Image, ImageSequence

    with Image.open(gif) as im:
        frames = [np.asarray(f.convert("RGB"), dtype=np.int16) for f in ImageSequence.Iterator(im)]
    assert len(frames) > 2
    return sum(int((np.abs(f - np.array(MARK)).sum(-1) < 30).sum()) for f in frames)


def test_bad_attack_configs_are_named(victim: Path, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="attack.agents: 5 of team 'agent', which has 3"):
        attack_config(victim, agents=5)
    with pytest.raises(ConfigError, match="takeover of all 3 agents of team 'agent' leaves no "
                                          r"honest agent to score \(at most 2\)"):
        attack_config(victim, agents=3)
    assert attack_config(victim, kind="perturb", agents=3).attack.agents == 3  # all stay honest
    with pytest.raises(ConfigError, match="attack.team: 'defender' is not a team"):
        attack_config(victim, team="defender")
    with pytest.raises(ConfigError, match="kind must be one of"):
        load_config(None, overrides={"attack.kind": "bribe", "attack.victim": "x"})
    with pytest.raises(ConfigError, match="needs the victim run"):
        load_config(None, overrides={"attack.kind": "takeover"})
    with pytest.raises(FileNotFoundError, match="nothing"):
        attack_config(tmp_path / "nothing")
    assert AttackConfig().kind == ""


def test_attacker_may_use_another_algorithm(victim: Path, tmp_path: Path) -> None:
    """``algo.name`` other than the victim's starts the attacker's algo section afresh (the
    victim's MAPPO keys would be unknown to GRPO); other algo overrides keep the victim's."""
    cfg = attack_config(victim, run_dir=str(tmp_path / "grpo"), overrides={
        "algo.name": "grpo", "algo.group_size": 4, "total_steps": 160})
    assert cfg.algo == {"name": "grpo", "group_size": 4}
    assert Trainer(cfg).train()["env_steps"] == 8 * 100  # GRPO: one whole episode per env
    same = attack_config(victim, overrides={"algo.lr": 0.001})
    assert same.algo["epochs"] == 1 and same.algo["lr"] == 0.001


@pytest.mark.parametrize("kind", ["takeover", "perturb"])
def test_attack_run_resumes_exactly(victim: Path, tmp_path: Path, kind: str) -> None:
    def config(name: str) -> Any:
        return attack_config(victim, kind, agents_random=True, run_dir=str(tmp_path / name),
                             overrides={"total_steps": 8 * 10 * 4})

    def run(name: str) -> Trainer:
        return Trainer(config(name))

    a = run("a")
    a.train(stop_after_iterations=2)
    a.save_checkpoint()
    cfg = config("a")
    resumed = Trainer(cfg, resume=True)
    resumed.train()
    b = run("b")
    b.train()
    assert torch.equal(resumed.attack.attacked, b.attack.attacked)  # type: ignore[union-attr]
    for x, y in zip(resumed.learners["agent"].actor().parameters(),
                    b.learners["agent"].actor().parameters(), strict=True):
        torch.testing.assert_close(x, y, rtol=0, atol=0)


class Recorder:
    """A victim that plays action 0 and remembers the observations it was shown."""

    memory_size, name, team = 0, "recorder", "agent"

    def __init__(self) -> None:
        self.seen: list[torch.Tensor] = []

    def act(self, env: Any, obs: torch.Tensor, rows: Any, memory: Any, starts: torch.Tensor,
            action_mask: Any = None) -> tuple[torch.Tensor, None]:
        self.seen.append(obs.clone())
        return torch.zeros(obs.shape[:2], dtype=torch.long), None


def test_perturbations_respect_epsilon() -> None:
    obs = torch.randn(64, 3, 10)
    recorder = Recorder()
    wild = Perturbed(recorder, lambda o: 100 * torch.randn_like(o), 0.05, "wild")  # type: ignore[arg-type]
    wild.act(None, obs, None, None, torch.zeros(64, dtype=torch.bool))
    delta = recorder.seen[-1] - obs
    assert delta.abs().max() <= 0.05 + 1e-6
    assert (delta.abs() > 0.0499).float().mean() > 0.9  # saturated directions reach the bound


def test_perturb_run_perturbs_only_attacked_slots_within_epsilon(victim: Path,
                                                                 tmp_path: Path) -> None:
    cfg = attack_config(victim, "perturb", agents=1, run_dir=str(tmp_path / "p"),
                        epsilon=0.2, overrides={"total_steps": 8 * 10 * 2})
    t = Trainer(cfg)
    assert isinstance(t.attack, Perturbation)
    space = t.learners["agent"].spec.action_space
    obs_dim = t.env.observation_space("agent").shape[0]  # type: ignore[index]
    assert space.shape == (obs_dim,) and float(space.low.min()) == -1.0  # type: ignore[attr-defined]
    t.train(stop_after_iterations=1)
    assert torch.equal(t.collector.rollouts["agent"].active[-1] > 0, t.attack.attacked)
    assert bool(t.env.honest["agent"].all())  # perturbed agents stay honest
    # the attacker's reward: minus the mean reward of all (honest) agents
    reward = torch.tensor([[1.0, 2.0, 3.0]]).expand(8, 3)
    assert torch.allclose(t.attack.reward("agent", reward), torch.full((8, 3), -2.0))
    recorder = Recorder()
    t.attack.victim_policy = recorder  # type: ignore[assignment]
    obs = torch.randn(8, 3, obs_dim)
    t.attack.actions("agent", obs, 50 * torch.randn(8, 3, obs_dim), torch.zeros(8).bool(), None)
    delta = recorder.seen[-1] - obs
    assert torch.allclose(delta.abs().amax(-1)[:, 0], torch.full((8,), 0.2))  # slot 0 attacked
    assert torch.equal(delta[:, 1:], torch.zeros_like(delta[:, 1:]))


def test_gradient_sign_raises_the_victims_loss_of_its_own_action(victim: Path) -> None:
    actor = arena.training.runs.load_policy(victim).actors["agent"]
    obs = torch.randn(32, 3, actor.obs_dim)
    greedy = actor.decide(obs, deterministic=True).env_actions
    step = 1e-3 * gradient_direction(actor)(obs)
    with torch.no_grad():
        before = actor.imitation_loss(obs, greedy)
        after = actor.imitation_loss(obs + step, greedy)
    assert step.abs().max() == pytest.approx(1e-3) and after > before


def test_perturb_attack_cli_reports_noise_and_gradient_baselines(victim: Path,
                                                                 tmp_path: Path) -> None:
    out = tmp_path / "patk"
    assert main(["attack", str(victim), "--kind", "perturb", "--epsilon", "0.3", "--run-dir",
                 str(out), "total_steps=160"]) == 0
    report_path = tmp_path / "p.json"
    assert main(["eval", str(out), "--episodes", "12", "--json", str(report_path),
                 "--gif", str(tmp_path / "p.gif")]) == 0
    report = json.loads(report_path.read_text())
    assert report["kind"] == "perturb" and report["epsilon"] == 0.3
    assert report["victim"] == str(victim) and red_pixels(tmp_path / "p.gif") > 50
    assert set(report["attackers"]) == {"trained", "random", "gradient"}
    for r in report["attackers"].values():
        assert r["asr"]["n"] == 12
    with pytest.raises(ConfigError, match="epsilon must be > 0"):
        attack_config(victim, "perturb", epsilon=0.0)


def test_outcome_objective_rewards_failed_episode_ends(victim: Path, tmp_path: Path) -> None:
    cfg = attack_config(victim, run_dir=str(tmp_path / "o"), overrides={"attack.objective":
                                                                         "outcome"})
    t = Trainer(cfg)
    reward = torch.randn(8, 3)
    info = {"done": torch.tensor([1, 1, 0, 0, 1, 0, 0, 0]).bool(),
            "metrics": {"task_success": torch.tensor([1.0, 0.0, 0.0, 1.0, 0.0, 0, 0, 0])}}
    want = torch.tensor([0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0]).unsqueeze(-1).expand(8, 3)
    assert torch.equal(t.attack.reward("agent", reward, info), want)  # type: ignore[union-attr]
    assert not t.attack.reward("agent", reward, {"done": info["done"]}).any()  # type: ignore[union-attr]
    t.train(stop_after_iterations=1)  # the collector passes each step's info
    with pytest.raises(ConfigError,
                       match="objective must be 'return', 'honest_return' or 'outcome'"):
        load_config(None, overrides={"attack.kind": "takeover", "attack.victim": "x",
                                     "attack.objective": "chaos"})


def test_takeover_attacker_observing_the_state(victim: Path, tmp_path: Path) -> None:
    """``attack.observe: state``: the attacker's input is its agents' observations followed by
    the global state, in training (rollout, bootstrap) and in evaluation; the victims still
    see their own observations."""
    out = tmp_path / "atk"
    cfg = attack_config(victim, run_dir=str(out), overrides={"total_steps": 8 * 10 * 2,
                                                             "attack.observe": "state"})
    t = Trainer(cfg)
    env = t.env
    obs_dim, state_dim = env.observation_space("agent").shape[0], env.state_space.shape[0]
    assert t.learners["agent"].spec.obs_dim == obs_dim + state_dim
    t.train(stop_after_iterations=1)
    ro = t.collector.rollouts["agent"]
    assert ro.obs.shape[-1] == obs_dim + state_dim
    state = env.global_state()
    assert torch.equal(ro.last_obs[:, :, obs_dim:], state.unsqueeze(1).expand(-1, 3, -1))
    assert torch.equal(ro.last_obs[:, :, :obs_dim], env.observe()["agent"])
    t.train()  # to the end: saves the run
    report = evaluate_attack(out, episodes=8)
    assert report.attackers["trained"]["asr"]["n"] == 8
    with pytest.raises(ConfigError, match="observe: state applies to takeover"):
        load_config(None, overrides={"attack.kind": "perturb", "attack.victim": "x",
                                     "attack.observe": "state"})


def test_saboteur_warm_start_clones_the_saboteur_on_the_attacked_slots(victim: Path,
                                                                        tmp_path: Path) -> None:
    """``pretrain.source: saboteur``: the demonstrations are the attacked slots' observations
    and the scripted saboteur's actions there (checked at the first step against a fresh env
    with the same seed), and the cloned attacker then plays the saboteur's actions where an
    untrained one does not."""
    over = {"pretrain.source": "saboteur", "pretrain.steps": 300, "pretrain.num_envs": 64,
            "pretrain.lr": 3e-3, "policy.hidden_sizes": [64, 64], "attack.agents_random": True}
    cfg = attack_config(victim, run_dir=str(tmp_path / "sab"), overrides=over)
    t = Trainer(cfg)
    attack = t.attack
    assert isinstance(attack, Takeover)
    data, starts = saboteur_demonstrations(cfg, attack, t.device)
    obs, actions = data["agent"]
    steps = t.env.max_steps
    assert obs.shape == (steps, 64, 1, t.env.observation_space("agent").shape[0])
    assert actions.shape == (steps, 64, 1) and starts.shape == (steps, 64)
    env = make_env(cfg, num_envs=64, compile=False)
    first, _ = env.reset(seed=cfg.seed + 20_000)
    _, attacked = attack.saboteur_play(env, cfg.seed + 30_000)
    assert attacked.sum(-1).eq(1).all() and not attacked[:, 0].all()  # slots drawn per env
    assert torch.equal(obs[0, :, 0], first["agent"][attacked])
    assert torch.equal(actions[0, :, 0], env.saboteur_actions("agent", ~attacked)[attacked])

    def agreement(trainer: Trainer) -> float:
        """How often the attacker's greedy action is the saboteur's, over 10 steps of play."""
        play, slots = attack.saboteur_play(env, 7)
        o, _ = env.reset(seed=99)
        actor, same = trainer.learners["agent"].actor(), []
        for _ in range(10):
            sab = env.saboteur_actions("agent", ~slots)[slots]
            with torch.no_grad():
                mine = actor.decide(o["agent"], deterministic=True).env_actions[slots]
            same.append((mine == sab).float().mean())
            o, *_ = env.step(play(env, o))
        return float(torch.stack(same).mean())

    untrained = agreement(t)
    t.begin()  # behaviour cloning, before the first iteration
    cloned = agreement(t)
    assert cloned > 0.8 > untrained + 0.3
    with pytest.raises(ConfigError, match="pretrain.source: saboteur .* needs attack.kind "
                                          "takeover"):
        load_config(None, overrides={**NAV, "pretrain.source": "saboteur"})
